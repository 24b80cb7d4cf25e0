import { useEffect, useState, type FormEvent } from 'react';
import * as api from '../api/api';
import { errorMessage } from '../api/http';
import type { AvailableNumber, IncomingNumber, NewSender, Sender } from '../api/types';
import { formatPhone } from '../lib/format';
import { useAction } from '../lib/useAction';
import { ConfirmDialog, ErrorNote } from '../ui/ConfirmDialog';

type Mode = 'account' | 'buy' | 'short_code' | 'messaging_service';

const MODES: { mode: Mode; label: string }[] = [
  { mode: 'account', label: 'A number in the account' },
  { mode: 'buy', label: 'Buy a number' },
  { mode: 'short_code', label: 'Short code' },
  { mode: 'messaging_service', label: 'Messaging Service' },
];

interface AddSenderProps {
  existing: Sender[];
  /** Resolves true when added, false when the admin was asked to confirm; throws on refusal. */
  onAdd(input: NewSender): Promise<boolean>;
}

export function AddSender({ existing, onAdd }: AddSenderProps) {
  const [mode, setMode] = useState<Mode>('account');
  return (
    <section className="add-sender" aria-labelledby="add-sender-title">
      <h3 id="add-sender-title">Add a sender</h3>
      <div className="segmented" role="radiogroup" aria-label="Kind of sender">
        {MODES.map((m) => (
          <label key={m.mode} className="segmented-option">
            <input type="radio" name="sender-mode" value={m.mode} checked={mode === m.mode} onChange={() => setMode(m.mode)} />
            <span>{m.label}</span>
          </label>
        ))}
      </div>
      {mode === 'account' && <AccountNumbers existing={existing} onAdd={onAdd} />}
      {mode === 'buy' && <BuyNumber onAdd={onAdd} />}
      {mode === 'short_code' && (
        <SingleField
          label="Short code"
          placeholder="12345"
          pattern="\s*[0-9]{5,6}\s*"
          title="5 or 6 digits"
          submitLabel="Add short code"
          toInput={(value) => ({ type: 'short_code', shortCode: value })}
          onAdd={onAdd}
        />
      )}
      {mode === 'messaging_service' && (
        <SingleField
          label="Messaging Service SID"
          placeholder="MG…"
          pattern="\s*MG[0-9a-fA-F]{32}\s*"
          title="MG followed by 32 hexadecimal characters"
          submitLabel="Add Messaging Service"
          toInput={(value) => ({ type: 'messaging_service', messagingServiceSid: value })}
          onAdd={onAdd}
        />
      )}
    </section>
  );
}

function useAdd(onAdd: AddSenderProps['onAdd']) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const run = async (key: string, input: NewSender) => {
    setBusy(key);
    setError(null);
    setAdded(null);
    try {
      if (await onAdd(input)) setAdded(key);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };
  return { busy, error, added, run };
}

function AccountNumbers({ existing, onAdd }: AddSenderProps) {
  const [numbers, setNumbers] = useState<IncomingNumber[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const add = useAdd(onAdd);
  const taken = new Set(existing.flatMap((s) => [s.phoneNumber, s.messagingServiceSid]).filter(Boolean));

  const load = () => {
    setLoadError(null);
    api.listIncomingNumbers().then(
      (page) => setNumbers(page.items),
      (e: unknown) => setLoadError(errorMessage(e)),
    );
  };
  useEffect(load, []);

  return (
    <div className="stack">
      {loadError && <ErrorNote message={loadError} onRetry={load} />}
      {!numbers && !loadError && <p className="muted">Asking Twilio for the account's numbers…</p>}
      {numbers && numbers.length === 0 && <p className="muted">The account has no phone numbers yet. Buy one instead.</p>}
      {numbers && numbers.length > 0 && (
        <ul className="number-list" aria-label="Numbers in the Twilio account">
          {numbers.map((n) => (
            <li key={n.phoneNumber} data-testid="incoming-number">
              <span>
                <strong>{formatPhone(n.phoneNumber)}</strong>
                {n.friendlyName && n.friendlyName !== n.phoneNumber && <span className="muted"> · {n.friendlyName}</span>}
                {!n.capabilities.mms && <span className="muted"> · no MMS</span>}
                {n.webhook === 'other' && !n.messagingServiceSid && <span className="muted"> · its SMS webhook belongs to another application</span>}
                {n.messagingServiceSid && (
                  <span className="muted" data-testid="in-service">
                    {' '}
                    · in Messaging Service <span className="mono">{n.messagingServiceSid}</span>, which receives its texts: add the service
                  </span>
                )}
              </span>
              {n.messagingServiceSid ? (
                <AddServiceButton serviceSid={n.messagingServiceSid} added={taken.has(n.messagingServiceSid) || add.added === n.messagingServiceSid} add={add} />
              ) : n.senderId || taken.has(n.phoneNumber) || add.added === n.phoneNumber ? (
                <span className="badge">Added</span>
              ) : (
                <button
                  type="button"
                  className="button button-small button-primary"
                  disabled={add.busy !== null}
                  aria-label={`Add ${formatPhone(n.phoneNumber)}`}
                  onClick={() => add.run(n.phoneNumber, { type: 'phone_number', phoneNumber: n.phoneNumber })}
                >
                  {add.busy === n.phoneNumber ? 'Adding…' : 'Add'}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {add.error && <ErrorNote message={add.error} />}
    </div>
  );
}

/** A pooled number's texts go to its service, so the service is what to add (it covers the whole pool). */
function AddServiceButton({ serviceSid, added, add }: { serviceSid: string; added: boolean; add: ReturnType<typeof useAdd> }) {
  if (added) return <span className="badge">Service added</span>;
  return (
    <button
      type="button"
      className="button button-small button-primary"
      disabled={add.busy !== null}
      aria-label={`Add Messaging Service ${serviceSid}`}
      onClick={() => add.run(serviceSid, { type: 'messaging_service', messagingServiceSid: serviceSid })}
    >
      {add.busy === serviceSid ? 'Adding…' : 'Add service'}
    </button>
  );
}

function BuyNumber({ onAdd }: Pick<AddSenderProps, 'onAdd'>) {
  const [country, setCountry] = useState('US');
  const [areaCode, setAreaCode] = useState('');
  const [contains, setContains] = useState('');
  const [results, setResults] = useState<AvailableNumber[] | null>(null);
  const searching = useAction();
  const [buying, setBuying] = useState<AvailableNumber | null>(null);
  const add = useAdd(onAdd);

  const search = (event: FormEvent) => {
    event.preventDefault();
    return searching.run(async () => {
      const page = await api.listAvailableNumbers({ country: country.trim().toUpperCase(), areaCode: areaCode.trim(), contains: contains.trim() });
      setResults(page.items);
    });
  };

  return (
    <div className="stack">
      <form className="search-numbers" onSubmit={search}>
        <label className="field">
          <span>Country</span>
          <input value={country} onChange={(e) => setCountry(e.target.value)} required maxLength={2} pattern="[A-Za-z]{2}" title="Two-letter country code, e.g. US" />
        </label>
        <label className="field">
          <span>Area code</span>
          <input value={areaCode} onChange={(e) => setAreaCode(e.target.value)} inputMode="numeric" placeholder="415" />
        </label>
        <label className="field">
          <span>Contains</span>
          <input value={contains} onChange={(e) => setContains(e.target.value)} placeholder="digits or letters" />
        </label>
        <button type="submit" className="button" disabled={searching.busy}>
          {searching.busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      {searching.error && <ErrorNote message={searching.error} />}
      {results && results.length === 0 && <p className="muted">No SMS-capable numbers match. Try another area code.</p>}
      {results && results.length > 0 && (
        <ul className="number-list" aria-label="Numbers to buy">
          {results.map((n) => (
            <li key={n.phoneNumber} data-testid="available-number">
              <span>
                <strong>{formatPhone(n.phoneNumber)}</strong>
                <span className="muted"> {[n.locality, n.region].filter(Boolean).join(', ')}</span>
              </span>
              {add.added === n.phoneNumber ? (
                <span className="badge">Bought</span>
              ) : (
                <button type="button" className="button button-small" onClick={() => setBuying(n)} aria-label={`Buy ${formatPhone(n.phoneNumber)}`}>
                  Buy
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {add.error && <ErrorNote message={add.error} />}
      {buying && (
        <ConfirmDialog
          title={`Buy ${formatPhone(buying.phoneNumber)}?`}
          confirmLabel="Buy number"
          busy={add.busy !== null}
          onConfirm={async () => {
            await add.run(buying.phoneNumber, { type: 'phone_number', phoneNumber: buying.phoneNumber, purchase: true });
            setBuying(null);
          }}
          onCancel={() => setBuying(null)}
        >
          <p>Twilio buys the number in your account and charges for it as usual. Parley then sets it up to receive texts.</p>
          {buying.phoneNumber.startsWith('+1') && <p>A US or Canadian number can only text US phones once it is registered for A2P 10DLC (see below after buying).</p>}
        </ConfirmDialog>
      )}
    </div>
  );
}

interface SingleFieldProps {
  label: string;
  placeholder: string;
  pattern: string;
  title: string;
  submitLabel: string;
  toInput(value: string): NewSender;
  onAdd: AddSenderProps['onAdd'];
}

function SingleField({ label, placeholder, pattern, title, submitLabel, toInput, onAdd }: SingleFieldProps) {
  const [value, setValue] = useState('');
  const add = useAdd(onAdd);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await add.run('single', toInput(value.trim()));
  };
  useEffect(() => {
    if (add.added) setValue('');
  }, [add.added]);
  return (
    <form className="stack narrow-form" onSubmit={submit}>
      <label className="field">
        <span>{label}</span>
        <input value={value} onChange={(e) => setValue(e.target.value)} required placeholder={placeholder} pattern={pattern} title={title} spellCheck={false} />
      </label>
      {add.error && <ErrorNote message={add.error} />}
      {add.added && (
        <p className="notice" role="status">
          Added.
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={add.busy !== null}>
          {add.busy ? 'Adding…' : submitLabel}
        </button>
      </div>
    </form>
  );
}

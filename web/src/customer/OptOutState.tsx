import { useState, type FormEvent } from 'react';
import * as api from '../api/api';
import type { Customer, Id } from '../api/types';
import { useDirectory } from '../app/session';
import { fullDateTime, senderLabel } from '../lib/format';
import { useAction } from '../lib/useAction';
import { ErrorNote } from '../ui/ConfirmDialog';

interface OptOutStateProps {
  customer: Customer;
  /** The number of the conversation on screen: the one an agent opts the customer out of or back in to. */
  senderId: Id;
  onChange(customer: Customer): void;
}

/**
 * Which numbers the customer may not be texted from (docs/rules.md#opt-out), and the agent's
 * way to change that on their behalf, with a reason (docs/rules.md#unsubscribe-on-a-customers-behalf).
 */
export function OptOutState({ customer, senderId, onChange }: OptOutStateProps) {
  const { senderById } = useDirectory();
  const numberOf = (id: Id) => {
    const sender = senderById(id);
    return sender ? senderLabel(sender) : 'a removed number';
  };
  const optedOut = customer.optOuts.some((o) => o.senderId === senderId);
  const twilioOnly = customer.twilioOptOuts.filter((b) => !customer.optOuts.some((o) => o.senderId === b.senderId));
  return (
    <section className="panel-section" aria-labelledby="optout-title" data-testid="opt-out-state" data-opted-out={customer.smsOptOut ? 'true' : 'false'}>
      <h3 id="optout-title">Texting</h3>
      {customer.optOuts.length === 0 ? (
        twilioOnly.length === 0 && <p className="optout-ok">Can receive texts.</p>
      ) : (
        <ul className="optout-list">
          {customer.optOuts.map((optOut) => (
            <li key={optOut.senderId}>
              <strong>Opted out</strong> of {numberOf(optOut.senderId)} since {fullDateTime(optOut.at)}
            </li>
          ))}
        </ul>
      )}
      {twilioOnly.map((block) => (
        <p key={block.senderId} className="optout-twilio" role="note">
          Twilio still blocks texts from {numberOf(block.senderId)}: the customer texted STOP on {fullDateTime(block.at)}. Only their own START lifts that block.
        </p>
      ))}
      {customer.optOuts.length > 0 && <p className="muted">They can text START to that number to receive texts again.</p>}
      <ChangeOptOut key={optedOut ? 'in' : 'out'} customer={customer} senderId={senderId} optedOut={optedOut} onChange={onChange} />
    </section>
  );
}

function ChangeOptOut({ customer, senderId, optedOut, onChange }: OptOutStateProps & { optedOut: boolean }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [everyNumber, setEveryNumber] = useState(false);
  const { busy, error, run } = useAction();
  const verb = optedOut ? 'Opt back in' : 'Opt out';

  if (!open) {
    return (
      <button type="button" className="button button-small" onClick={() => setOpen(true)}>
        {optedOut ? 'Opt back in…' : 'Opt out of texts…'}
      </button>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => {
      const scope = everyNumber ? {} : { senderId };
      const trimmed = reason.trim();
      const updated = optedOut
        ? await api.optInCustomer(customer.id, { ...scope, reason: trimmed })
        : await api.optOutCustomer(customer.id, { ...scope, ...(trimmed ? { reason: trimmed } : {}) });
      onChange(updated);
      setOpen(false);
    });
  };

  return (
    <form className="optout-change" onSubmit={submit} aria-label={verb}>
      <label className="field-label" htmlFor="optout-reason">
        {optedOut ? 'Why (required: the customer asked how and when?)' : 'Why (optional)'}
      </label>
      <textarea id="optout-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} required={optedOut} maxLength={500} />
      <label className="checkbox">
        <input type="checkbox" checked={everyNumber} onChange={(e) => setEveryNumber(e.target.checked)} /> Every number, not only this one
      </label>
      <div className="form-actions">
        <button type="submit" className="button button-primary button-small" disabled={busy || (optedOut && !reason.trim())}>
          {verb}
        </button>
        <button type="button" className="button button-small" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      {error && <ErrorNote message={error} />}
    </form>
  );
}

import { useState, type FormEvent } from 'react';
import * as api from '../api/api';
import type { AddedSender, AdminSender, NewSender, Sender } from '../api/types';
import { plural, relativeTime, senderLabel } from '../lib/format';
import { routeHref } from '../lib/router';
import { useAction } from '../lib/useAction';
import { ConfirmDialog, ErrorNote } from '../ui/ConfirmDialog';
import { AddSender } from './AddSender';
import { isWebhookConflict, withReplaceWebhook } from './addSender';
import { useTwilio } from './useTwilio';

const TYPE_LABELS = { phone_number: 'Phone number', short_code: 'Short code', messaging_service: 'Messaging Service' } as const;

export function SendersSettings() {
  const { twilio, error, reload, changed } = useTwilio();
  const [conflict, setConflict] = useState<{ input: NewSender; message: string } | null>(null);
  const [unregistered, setUnregistered] = useState<AddedSender[]>([]);
  const replacing = useAction();

  const added = (sender: AddedSender) => {
    if (sender.warnings?.includes('a2p_10dlc_registration')) setUnregistered((list) => [...list, sender]);
    changed();
  };

  /** Adds a sender; a webhook conflict turns into a question instead of an error. */
  const add = async (input: NewSender): Promise<boolean> => {
    try {
      added(await api.addSender(input));
      return true;
    } catch (e) {
      if (isWebhookConflict(e)) {
        setConflict({ input, message: e.message });
        return false;
      }
      throw e;
    }
  };

  const replaceWebhook = () => {
    if (!conflict) return;
    return replacing.run(async () => {
      const sender = await api.addSender(withReplaceWebhook(conflict.input));
      setConflict(null);
      added(sender);
    });
  };

  return (
    <section className="settings-section" aria-labelledby="senders-title" data-testid="senders-settings">
      <h2 id="senders-title">Senders</h2>
      <p className="muted">The numbers your team texts from and customers text to. Parley sets their SMS webhook at Twilio itself.</p>
      {error && <ErrorNote message={error} onRetry={reload} />}
      {unregistered.map((sender) => (
        <A2pNotice key={sender.id} sender={sender} />
      ))}
      {twilio && !twilio.connected && (
        <p className="notice">
          Connect a Twilio account first, in <a href={routeHref({ name: 'settings', tab: 'twilio' })}>Twilio account</a>.
        </p>
      )}
      {twilio?.connected && (
        <>
          {twilio.senders.length === 0 ? (
            <p className="empty-state">No senders yet. Add a number below.</p>
          ) : (
            <ul className="sender-list" aria-label="Senders">
              {twilio.senders.map((sender) => (
                <SenderRow key={sender.id} sender={sender} onChanged={changed} />
              ))}
            </ul>
          )}
          <AddSender existing={twilio.senders} onAdd={add} />
        </>
      )}
      {conflict && (
        <ConfirmDialog
          title="Replace the other webhook?"
          confirmLabel="Replace webhook"
          danger
          busy={replacing.busy}
          error={replacing.error}
          onConfirm={replaceWebhook}
          onCancel={() => {
            setConflict(null);
            replacing.setError(null);
          }}
        >
          <p>{conflict.message}</p>
          <p>
            If you continue, its texts go to Parley instead, and that application stops receiving them. When you remove the sender, Parley
            puts back the setting it replaced.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** Carriers block a US or Canadian long code's texts to US phones until its A2P 10DLC registration is done. */
function A2pNotice({ sender }: { sender: Sender }) {
  return (
    <div className="banner banner-warning" role="alert" data-testid="a2p-warning">
      <strong>{senderLabel(sender)} needs A2P 10DLC registration before it can text US phones.</strong> US carriers block texts from a US
      or Canadian long code until the business behind it (its brand) and what it sends (its campaign) are registered. Register both in the
      Twilio console under Messaging → Regulatory Compliance, and link the number to the campaign. Texts from customers reach Parley
      meanwhile; replies are blocked until the campaign is approved.
    </div>
  );
}

function SenderRow({ sender, onChanged }: { sender: AdminSender; onChanged(): void }) {
  const [rate, setRate] = useState(String(sender.ratePerSecond));
  const saving = useAction();
  const removing = useAction();
  // One sender, one change at a time: either action disables both.
  const busy = saving.busy || removing.busy;
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const label = senderLabel(sender);

  const saveRate = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    return saving.run(async () => {
      await api.updateSender(sender.id, Number(rate));
      setSaved(true);
      onChanged();
    });
  };

  const remove = () =>
    removing.run(async () => {
      await api.removeSender(sender.id);
      setConfirming(false);
      onChanged();
    });

  return (
    <li className="sender-row" data-testid="sender" data-sender-id={sender.id}>
      <div className="sender-main">
        <strong>{label}</strong>
        <span className="muted">
          {TYPE_LABELS[sender.type]}
          {sender.capabilities.sms ? ' · SMS' : ''}
          {sender.capabilities.mms ? ' · MMS' : ''}
          {sender.active === false ? ' · inactive' : ''}
        </span>
        {sender.type === 'messaging_service' && <span className="mono small">{sender.messagingServiceSid}</span>}
        <CatchupStatus catchup={sender.catchup} />
      </div>
      <form className="rate-form" onSubmit={saveRate}>
        <label className="field field-inline">
          <span>Segments per second</span>
          <input
            type="number"
            min="0.01"
            step="any"
            inputMode="decimal"
            value={rate}
            onChange={(e) => {
              setRate(e.target.value);
              setSaved(false);
            }}
            aria-label={`Segments per second for ${label}`}
            required
          />
        </label>
        <button type="submit" className="button button-small" disabled={busy || rate === String(sender.ratePerSecond)}>
          Save rate
        </button>
        {saved && (
          <span role="status" className="muted">
            Saved
          </span>
        )}
      </form>
      <button type="button" className="button button-small button-danger-quiet" onClick={() => setConfirming(true)} aria-label={`Remove ${label}`}>
        Remove
      </button>
      {saving.error && <ErrorNote message={saving.error} />}
      {confirming && (
        <ConfirmDialog
          title={`Remove ${label}?`}
          confirmLabel="Remove sender"
          danger
          busy={busy}
          error={removing.error}
          onConfirm={remove}
          onCancel={() => setConfirming(false)}
        >
          <p>
            Parley puts back, at Twilio, the webhook it had before Parley took it over (or clears Parley’s). Texts to it stop arriving here
            and nobody can reply from it. Its conversations stay.
          </p>
        </ConfirmDialog>
      )}
    </li>
  );
}

/**
 * Texts and delivery statuses Parley missed while it was down are fetched from Twilio every few
 * minutes (docs/twilio.md#nothing-lost-while-parley-is-down): admins see when that last ran for a
 * sender, what it recovered, and why it failed if it did.
 */
export function CatchupStatus({ catchup, now = new Date() }: { catchup: AdminSender['catchup']; now?: Date }) {
  const found = `${plural(catchup.messages, 'text')} and ${plural(catchup.statuses, 'delivery status', 'delivery statuses')} recovered`;
  return (
    <span className="small muted" data-testid="catchup">
      {catchup.lastAt === null ? 'Not yet checked against Twilio' : `Checked against Twilio ${ago(catchup.lastAt, now)}: ${found}`}
      {catchup.error !== null && catchup.errorAt !== null && (
        <span className="catchup-failed" role="alert">
          {' '}
          · Last check failed {ago(catchup.errorAt, now)}: {catchup.error}. It is tried again at the next check.
        </span>
      )}
    </span>
  );
}

const ago = (iso: string, now: Date) => {
  const when = relativeTime(iso, now);
  return when === 'now' ? 'just now' : /^\d+[mh]$/.test(when) ? `${when} ago` : `on ${when}`;
};

import { useState, type FormEvent } from 'react';
import * as api from '../api/api';
import type { TwilioIntegration } from '../api/types';
import { fullDateTime } from '../lib/format';
import { useAction } from '../lib/useAction';
import { routeHref } from '../lib/router';
import { ConfirmDialog, ErrorNote } from '../ui/ConfirmDialog';
import { useTwilio } from './useTwilio';

export function TwilioSettings() {
  const { twilio, error, reload, changed } = useTwilio();
  return (
    <section className="settings-section" aria-labelledby="twilio-title" data-testid="twilio-settings">
      <h2 id="twilio-title">Twilio account</h2>
      {error && <ErrorNote message={error} onRetry={reload} />}
      {!twilio && !error && <p className="muted">Loading…</p>}
      {twilio && !twilio.connected && <ConnectForm onConnected={changed} />}
      {twilio?.connected && <ConnectedAccount twilio={twilio} onChanged={changed} />}
    </section>
  );
}

function ConnectForm({ onConnected }: { onConnected(): void }) {
  const [accountSid, setAccountSid] = useState('');
  const [authToken, setAuthToken] = useState('');
  const { busy, error, run } = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => {
      await api.connectTwilio(accountSid.trim(), authToken.trim());
      setAuthToken('');
      onConnected();
    });
  };

  return (
    <form className="stack narrow-form" onSubmit={submit}>
      <p>
        Connect the Twilio account your support numbers live in. Parley checks the credentials with Twilio before saving them, keeps the
        Auth Token encrypted and never shows it again.
      </p>
      <label className="field">
        <span>Account SID</span>
        <input
          value={accountSid}
          onChange={(e) => setAccountSid(e.target.value)}
          required
          placeholder="AC…"
          autoComplete="off"
          spellCheck={false}
          pattern="\s*AC[0-9a-fA-F]{32}\s*"
          title="AC followed by 32 hexadecimal characters, as shown in the Twilio console"
        />
      </label>
      <label className="field">
        <span>Auth Token</span>
        <input type="password" value={authToken} onChange={(e) => setAuthToken(e.target.value)} required autoComplete="off" />
      </label>
      {error && <ErrorNote message={error} />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Checking with Twilio…' : 'Connect'}
        </button>
      </div>
    </form>
  );
}

function ConnectedAccount({ twilio, onChanged }: { twilio: TwilioIntegration; onChanged(): void }) {
  const [token, setToken] = useState('');
  const { busy, error, run } = useAction();
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const disconnecting = useAction();

  const connectedBy = twilio.connectedBy?.name ?? null;

  const replaceToken = (event: FormEvent) => {
    event.preventDefault();
    const { accountSid } = twilio;
    if (!accountSid) return;
    setNotice(null);
    return run(async () => {
      await api.connectTwilio(accountSid, token.trim());
      setToken('');
      setNotice('The new Auth Token is saved. Sending resumes.');
      onChanged();
    });
  };

  const disconnect = () =>
    disconnecting.run(async () => {
      const result = await api.disconnectTwilio();
      setConfirming(false);
      setNotice(result.message);
      onChanged();
    });

  return (
    <div className="stack">
      {twilio.paused && (
        <div className="banner banner-warning" role="alert">
          Sending is paused: Twilio rejected the saved Auth Token (it was probably rotated in the Twilio console). Queued messages wait.
          Enter the current token below to resume.
        </div>
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <dl className="facts">
        <div>
          <dt>Account SID</dt>
          <dd className="mono" data-testid="account-sid">
            {twilio.accountSid}
          </dd>
        </div>
        {twilio.connectedAt && (
          <div>
            <dt>Connected</dt>
            <dd>
              {fullDateTime(twilio.connectedAt)}
              {connectedBy ? ` by ${connectedBy}` : ''}
            </dd>
          </div>
        )}
        {twilio.publicUrl && (
          <div>
            <dt>Twilio calls</dt>
            <dd className="mono" data-testid="webhook-address">
              {twilio.publicUrl}/webhooks/twilio/messages
            </dd>
          </div>
        )}
        <div>
          <dt>Senders</dt>
          <dd>
            {twilio.senders.length} · <a href={routeHref({ name: 'settings', tab: 'senders' })}>Manage senders</a>
          </dd>
        </div>
      </dl>

      <form className="stack narrow-form" onSubmit={replaceToken}>
        <h3>Replace the Auth Token</h3>
        <p className="muted">After rotating the token in Twilio's console, enter the new one here. Senders and history stay as they are.</p>
        <label className="field">
          <span>New Auth Token</span>
          <input type="password" value={token} onChange={(e) => setToken(e.target.value)} required autoComplete="off" />
        </label>
        {error && <ErrorNote message={error} />}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Checking with Twilio…' : 'Update token'}
          </button>
        </div>
      </form>

      <div className="danger-zone">
        <h3>Disconnect</h3>
        <p className="muted">Removes this Twilio account from Parley. Conversations, customers and messages stay.</p>
        <button type="button" className="button button-danger" onClick={() => setConfirming(true)}>
          Disconnect Twilio
        </button>
      </div>

      {confirming && (
        <ConfirmDialog
          title="Disconnect Twilio?"
          confirmLabel="Disconnect"
          danger
          busy={disconnecting.busy}
          error={disconnecting.error}
          onConfirm={disconnect}
          onCancel={() => setConfirming(false)}
        >
          <ul>
            <li>The Account SID and Auth Token are erased from Parley for good.</li>
            <li>
              Parley puts back the webhooks it replaced on the account's numbers, short codes and Messaging Services (another application's URL,
              a TwiML App, a service's settings), so their texts go where they went before. Its senders stop working: texts to them no longer
              arrive here and replies cannot be sent.
            </li>
            <li>Conversations, customers and messages stay.</li>
          </ul>
        </ConfirmDialog>
      )}
    </div>
  );
}

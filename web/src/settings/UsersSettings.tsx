import { useCallback, useEffect, useState, type FormEvent } from 'react';
import * as api from '../api/api';
import { errorMessage } from '../api/http';
import type { Role, User } from '../api/types';
import { useDirectory, useSession } from '../app/session';
import { useAction } from '../lib/useAction';
import { ConfirmDialog, ErrorNote } from '../ui/ConfirmDialog';

export function UsersSettings() {
  const { reload: reloadDirectory } = useDirectory();
  const [users, setUsers] = useState<User[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api.listUsers().then(
      (page) => {
        setUsers(page.items);
        setError(null);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, []);
  useEffect(load, [load]);

  const changed = () => {
    load();
    reloadDirectory();
  };

  return (
    <section className="settings-section" aria-labelledby="users-title" data-testid="users-settings">
      <h2 id="users-title">Users</h2>
      {error && <ErrorNote message={error} onRetry={load} />}
      {users && (
        <ul className="user-list" aria-label="Users">
          {users.map((user) => (
            <UserRow key={user.id} user={user} onChanged={changed} />
          ))}
        </ul>
      )}
      <InviteForm onInvited={changed} />
    </section>
  );
}

function UserRow({ user, onChanged }: { user: User; onChanged(): void }) {
  const { me } = useSession();
  const self = user.id === me.user.id;
  const { busy, error, run } = useAction();
  const [confirming, setConfirming] = useState(false);

  const update = (action: () => Promise<unknown>) =>
    run(async () => {
      await action();
      setConfirming(false);
      onChanged();
    });

  return (
    <li className="user-row" data-testid="user" data-active={user.active ? 'true' : 'false'}>
      <div className="user-main">
        <strong>
          {user.name}
          {self ? ' (you)' : ''}
        </strong>
        <span className="muted">{user.email}</span>
      </div>
      <label className="field field-inline">
        <span className="sr-only">Role for {user.name}</span>
        <select value={user.role} disabled={self || busy || !user.active} onChange={(e) => update(() => api.updateUser(user.id, { role: e.target.value as Role }))}>
          <option value="agent">Agent</option>
          <option value="admin">Admin</option>
        </select>
      </label>
      {user.active ? (
        <button type="button" className="button button-small button-danger-quiet" disabled={self || busy} onClick={() => setConfirming(true)} aria-label={`Deactivate ${user.name}`}>
          Deactivate
        </button>
      ) : (
        <span className="user-inactive">
          <span className="badge">Deactivated</span>
          <button type="button" className="button button-small" disabled={busy} onClick={() => update(() => api.updateUser(user.id, { active: true }))} aria-label={`Reactivate ${user.name}`}>
            Reactivate
          </button>
        </span>
      )}
      {error && !confirming && <ErrorNote message={error} />}
      {confirming && (
        <ConfirmDialog
          title={`Deactivate ${user.name}?`}
          confirmLabel="Deactivate"
          danger
          busy={busy}
          error={error}
          onConfirm={() => update(() => api.deactivateUser(user.id))}
          onCancel={() => setConfirming(false)}
        >
          <p>They are signed out everywhere and can no longer sign in. Their messages and assignments stay.</p>
        </ConfirmDialog>
      )}
    </li>
  );
}

function InviteForm({ onInvited }: { onInvited(): void }) {
  const empty = { email: '', name: '', role: 'agent' as Role, password: '' };
  const [form, setForm] = useState(empty);
  const { busy, error, run } = useAction();
  const [notice, setNotice] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    return run(async () => {
      const user = await api.inviteUser({ ...form, email: form.email.trim(), name: form.name.trim() });
      setForm(empty);
      setNotice(`${user.name} can sign in now with ${user.email} and the password you chose. Share it with them privately.`);
      onInvited();
    });
  };

  return (
    <form className="stack narrow-form invite-form" onSubmit={submit} aria-labelledby="invite-title">
      <h3 id="invite-title">Invite someone</h3>
      <label className="field">
        <span>Email</span>
        <input type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} autoComplete="off" />
      </label>
      <label className="field">
        <span>Name</span>
        <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} autoComplete="off" />
      </label>
      <label className="field">
        <span>Role</span>
        <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
          <option value="agent">Agent: answers conversations</option>
          <option value="admin">Admin: also manages Twilio, senders and users</option>
        </select>
      </label>
      <label className="field">
        <span>Password</span>
        <input type="password" required value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} autoComplete="new-password" />
      </label>
      {error && <ErrorNote message={error} />}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Inviting…' : 'Invite'}
        </button>
      </div>
    </form>
  );
}

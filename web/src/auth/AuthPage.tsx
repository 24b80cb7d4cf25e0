import { useState, type ChangeEvent, type FormEvent } from 'react';
import * as api from '../api/api';
import { ApiError, errorMessage } from '../api/http';
import type { Me } from '../api/types';
import { useAction } from '../lib/useAction';
import { ErrorNote } from '../ui/ConfirmDialog';

const SIGNUP_CLOSED_KEY = 'parley.signupClosed';

/** Sign in, or create the first organization while signup is open. */
export function AuthPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [mode, setMode] = useState<'signin' | 'signup'>('signin');
  const [signupClosed, setSignupClosed] = useState(() => sessionStorage.getItem(SIGNUP_CLOSED_KEY) === '1');

  const closeSignup = () => {
    sessionStorage.setItem(SIGNUP_CLOSED_KEY, '1');
    setSignupClosed(true);
  };

  return (
    <main className="auth-page">
      <div className="auth-card">
        <h1 className="auth-brand">
          <span className="brand-mark" aria-hidden="true" />
          Parley
        </h1>
        {mode === 'signin' ? (
          <SignInForm onSignedIn={onSignedIn} />
        ) : (
          <SignUpForm onSignedIn={onSignedIn} onClosed={closeSignup} onCancel={() => setMode('signin')} />
        )}
        {mode === 'signin' && !signupClosed && (
          <p className="auth-switch">
            New to Parley?{' '}
            <button type="button" className="link-button" onClick={() => setMode('signup')}>
              Create your organization
            </button>
          </p>
        )}
      </div>
    </main>
  );
}

function SignInForm({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    return run(
      async () => {
        await api.login(email.trim(), password);
        onSignedIn(await api.me());
      },
      {
        keepBusy: true,
        onError: (e) => (e instanceof ApiError && e.status === 401 && e.code === 'http_401' ? 'That email and password do not match.' : errorMessage(e)),
      },
    );
  };

  return (
    <form className="stack" onSubmit={submit} aria-labelledby="signin-title">
      <h2 id="signin-title">Sign in</h2>
      <label className="field">
        <span>Email</span>
        <input type="email" name="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label className="field">
        <span>Password</span>
        <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {error && <ErrorNote message={error} />}
      <button type="submit" className="button button-primary button-block" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

function SignUpForm({ onSignedIn, onClosed, onCancel }: { onSignedIn: (me: Me) => void; onClosed: () => void; onCancel: () => void }) {
  const [form, setForm] = useState({ orgName: '', name: '', email: '', password: '' });
  const { busy, error, run } = useAction();
  const [closed, setClosed] = useState<string | null>(null);
  const set = (key: keyof typeof form) => (e: ChangeEvent<HTMLInputElement>) => setForm({ ...form, [key]: e.target.value });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    return run(
      async () => {
        await api.signup({ ...form, email: form.email.trim(), orgName: form.orgName.trim(), name: form.name.trim() });
        onSignedIn(await api.me());
      },
      {
        keepBusy: true,
        // Signup closed is an answer, not a failure: the form gives way to the explanation.
        onError: (e) => {
          if (!(e instanceof ApiError && e.status === 403)) return errorMessage(e);
          setClosed(e.message);
          onClosed();
          return null;
        },
      },
    );
  };

  if (closed) {
    return (
      <div className="stack">
        <h2>Signup is closed</h2>
        <p>{closed}</p>
        <p>Ask an admin of your organization to invite you.</p>
        <button type="button" className="button button-primary button-block" onClick={onCancel}>
          Back to sign in
        </button>
      </div>
    );
  }

  return (
    <form className="stack" onSubmit={submit} aria-labelledby="signup-title">
      <h2 id="signup-title">Create your organization</h2>
      <p className="muted">You will be its first admin and can invite your team afterwards.</p>
      <label className="field">
        <span>Organization name</span>
        <input name="orgName" required autoFocus value={form.orgName} onChange={set('orgName')} autoComplete="organization" />
      </label>
      <label className="field">
        <span>Your name</span>
        <input name="name" required value={form.name} onChange={set('name')} autoComplete="name" />
      </label>
      <label className="field">
        <span>Email</span>
        <input type="email" name="email" required value={form.email} onChange={set('email')} autoComplete="username" />
      </label>
      <label className="field">
        <span>Password</span>
        <input type="password" name="password" required value={form.password} onChange={set('password')} autoComplete="new-password" />
      </label>
      {error && <ErrorNote message={error} />}
      <button type="submit" className="button button-primary button-block" disabled={busy}>
        {busy ? 'Creating…' : 'Create organization'}
      </button>
      <button type="button" className="link-button" onClick={onCancel}>
        I already have an account
      </button>
    </form>
  );
}

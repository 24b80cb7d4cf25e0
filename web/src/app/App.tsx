import { useCallback, useEffect, useState, type ReactNode } from 'react';
import * as api from '../api/api';
import { errorMessage, onUnauthorized } from '../api/http';
import type { Me } from '../api/types';
import { AuthPage } from '../auth/AuthPage';
import { LiveProvider } from '../live/LiveProvider';
import { createBrowserHub, type EventHub } from '../live/eventHub';
import { SessionProvider } from './session';
import { Workspace } from './Workspace';

type State = { kind: 'loading' } | { kind: 'signed-out' } | { kind: 'failed'; message: string } | { kind: 'signed-in'; me: Me };

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    api.me().then(
      (me) => setState({ kind: 'signed-in', me }),
      (error: unknown) =>
        setState((error as { status?: number }).status === 401 ? { kind: 'signed-out' } : { kind: 'failed', message: errorMessage(error) }),
    );
  }, []);

  useEffect(() => {
    load();
    onUnauthorized(() => setState({ kind: 'signed-out' }));
    return () => onUnauthorized(null);
  }, [load]);

  const onMeChange = useCallback((me: Me) => setState({ kind: 'signed-in', me }), []);
  const onLogout = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setState({ kind: 'signed-out' });
    }
  }, []);

  switch (state.kind) {
    case 'loading':
      return <p className="splash" role="status">Loading Parley…</p>;
    case 'failed':
      return (
        <div className="splash" role="alert">
          <p>{state.message}</p>
          <button type="button" className="button button-primary" onClick={load}>
            Try again
          </button>
        </div>
      );
    case 'signed-out':
      return <AuthPage onSignedIn={onMeChange} />;
    case 'signed-in':
      return (
        <SessionProvider me={state.me} onMeChange={onMeChange} onLogout={onLogout}>
          <LiveSession>
            <Workspace />
          </LiveSession>
        </SessionProvider>
      );
  }
}

/** The shared event stream lives exactly as long as the session. */
function LiveSession({ children }: { children: ReactNode }) {
  const [hub, setHub] = useState<EventHub | null>(null);
  useEffect(() => {
    const created = createBrowserHub(api.EVENTS_URL);
    // A stream that keeps failing may mean the session ended: ask once in a while, and a 401
    // sends this tab to the sign-in screen like any other request would.
    let lastCheck = 0;
    const unsubscribe = created.subscribe((signal) => {
      if (signal.kind !== 'status' || signal.status !== 'reconnecting' || Date.now() - lastCheck < 15_000) return;
      lastCheck = Date.now();
      api.me({ expectUnauthorized: false }).catch(() => {});
    });
    created.start();
    setHub(created);
    return () => {
      unsubscribe();
      created.stop();
    };
  }, []);
  return <LiveProvider hub={hub}>{children}</LiveProvider>;
}

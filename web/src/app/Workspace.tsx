import { Suspense, useEffect, useState } from 'react';
import { InboxScreen } from '../inbox/InboxScreen';
import { isTyping } from '../lib/hooks';
import { navigate, useRoute } from '../lib/router';
import { NewConversationDialog } from '../conversation/NewConversationDialog';
import { isAgentTab } from '../settings/tabs';
import { AppHeader } from './AppHeader';
import { TwilioBanners } from './TwilioBanners';
import { ShortcutsDialog } from './ShortcutsDialog';
import { lazyPage } from './lazyPage';
import { useSession } from './session';

const SettingsPage = lazyPage(() => import('../settings/SettingsPage').then((m) => m.SettingsPage));
const SearchPage = lazyPage(() => import('../search/SearchPage').then((m) => m.SearchPage));
const loading = <p className="muted">Loading…</p>;

/** The signed-in app: header, then the inbox, message search or settings (agents: only the sections they share). */
export function Workspace() {
  const route = useRoute();
  const { isAdmin } = useSession();
  const [composing, setComposing] = useState(false);
  const [showShortcuts, setShowShortcuts] = useState(false);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target)) return;
      if (document.querySelector('[aria-modal="true"]')) return;
      if (event.key === 'c') {
        event.preventDefault();
        setComposing(true);
      } else if (event.key === '?') {
        event.preventDefault();
        setShowShortcuts(true);
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  const settings = route.name === 'settings' && (isAdmin || isAgentTab(route.tab));
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppHeader route={route} onNewConversation={() => setComposing(true)} onShowShortcuts={() => setShowShortcuts(true)} />
      {isAdmin && <TwilioBanners />}
      <main id="main" className="app-main" tabIndex={-1}>
        {settings ? (
          <Suspense fallback={loading}>
            <SettingsPage tab={route.tab} />
          </Suspense>
        ) : route.name === 'search' ? (
          <Suspense fallback={loading}>
            <SearchPage q={route.q} />
          </Suspense>
        ) : (
          <InboxScreen route={route.name === 'inbox' ? route : { name: 'inbox', view: 'open', conversationId: null }} />
        )}
      </main>
      {composing && (
        <NewConversationDialog
          onClose={() => setComposing(false)}
          onStarted={(conversation) => {
            setComposing(false);
            navigate({ name: 'inbox', view: route.name === 'inbox' ? route.view : 'open', conversationId: conversation.id });
          }}
        />
      )}
      {showShortcuts && <ShortcutsDialog onClose={() => setShowShortcuts(false)} />}
    </div>
  );
}

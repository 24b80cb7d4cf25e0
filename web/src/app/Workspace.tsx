import { useEffect, useState } from 'react';
import { InboxScreen } from '../inbox/InboxScreen';
import { isTyping } from '../lib/hooks';
import { navigate, useRoute } from '../lib/router';
import { NewConversationDialog } from '../conversation/NewConversationDialog';
import { SearchPage } from '../search/SearchPage';
import { isAgentTab, SettingsPage } from '../settings/SettingsPage';
import { AppHeader } from './AppHeader';
import { TwilioBanners } from './TwilioBanners';
import { ShortcutsDialog } from './ShortcutsDialog';
import { useSession } from './session';

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
          <SettingsPage tab={route.tab} />
        ) : route.name === 'search' ? (
          <SearchPage q={route.q} />
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

import { useEffect, useRef, useState } from 'react';
import type { Id } from '../api/types';
import { useSession } from '../app/session';
import { ConversationScreen } from '../conversation/ConversationScreen';
import { useDebounced, isTyping } from '../lib/hooks';
import { navigate, type InboxRoute } from '../lib/router';
import { useLabels } from '../labels/useLabels';
import { showUnread } from '../notify/badge';
import { InboxPane, VIEW_LABELS } from './InboxPane';
import { useInbox } from './useInbox';

interface InboxScreenProps {
  route: InboxRoute;
}

/**
 * The list and the open conversation side by side on wide screens, one at a time on a phone.
 * j/k open the next or previous conversation, / searches, r jumps to the reply box.
 */
export function InboxScreen({ route }: InboxScreenProps) {
  const { me } = useSession();
  const [query, setQuery] = useState('');
  const q = useDebounced(query, 250);
  const [labelId, setLabelId] = useState<Id | null>(null);
  const { labels } = useLabels();
  const inbox = useInbox(route.view, q, labelId, me.user.id, route.conversationId);
  const searchRef = useRef<HTMLInputElement>(null);

  // The tab title and favicon count unread conversations in this view, so a background tab shows news.
  const unread = inbox.items.filter((c) => c.unread).length;
  useEffect(() => {
    showUnread(unread);
    return () => showUnread(0);
  }, [unread]);

  const latest = useRef({ inbox, route });
  latest.current = { inbox, route };

  useEffect(() => {
    const open = (id: Id, focusItem: boolean) => {
      navigate({ name: 'inbox', view: latest.current.route.view, conversationId: id });
      if (focusItem) {
        requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-conversation-id="${CSS.escape(id)}"]`)?.focus());
      }
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target)) return;
      if (document.querySelector('[aria-modal="true"]')) return;
      const { inbox: current, route: here } = latest.current;
      if (event.key === '/') {
        event.preventDefault();
        searchRef.current?.focus();
      } else if (event.key === 'r' && here.conversationId) {
        const composer = document.getElementById('composer-input');
        if (composer && !(composer as HTMLTextAreaElement).disabled) {
          event.preventDefault();
          composer.focus();
        }
      } else if (event.key === 'j' || event.key === 'k') {
        const items = current.items;
        if (items.length === 0) return;
        event.preventDefault();
        const index = items.findIndex((c) => c.id === here.conversationId);
        const nextIndex = index === -1 ? 0 : Math.min(items.length - 1, Math.max(0, index + (event.key === 'j' ? 1 : -1)));
        const next = items[nextIndex];
        const inList = document.activeElement?.closest('.conversation-list') != null;
        if (next) open(next.id, inList);
        if (event.key === 'j' && nextIndex >= items.length - 3) current.loadMore();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  return (
    <div className="inbox-screen" data-showing={route.conversationId ? 'conversation' : 'list'}>
      {/* The screen's title for heading navigation; the view tabs show it to everyone. Here, not in
          the list's pane, since a phone hides that pane while a conversation is open. */}
      <h1 className="sr-only">Inbox: {VIEW_LABELS[route.view]}</h1>
      <InboxPane
        view={route.view}
        openId={route.conversationId}
        query={query}
        onQueryChange={setQuery}
        labels={labels}
        labelId={labelId}
        onLabelChange={setLabelId}
        searchRef={searchRef}
        inbox={inbox}
      />
      {route.conversationId ? (
        <ConversationScreen
          key={route.conversationId}
          conversationId={route.conversationId}
          focusMessageId={route.messageId}
          view={route.view}
          onRead={inbox.markReadLocally}
          onLocalEvent={inbox.applyLocal}
        />
      ) : (
        <div className="conversation-empty">
          <p>Pick a conversation, or press <kbd>c</kbd> to text a customer.</p>
        </div>
      )}
    </div>
  );
}

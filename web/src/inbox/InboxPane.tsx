import { useEffect, useRef, type KeyboardEvent, type RefObject } from 'react';
import type { Id, InboxView, Label } from '../api/types';
import { useDirectory } from '../app/session';
import { useNow } from '../lib/hooks';
import { INBOX_VIEWS, routeHref } from '../lib/router';
import { ErrorNote } from '../ui/ConfirmDialog';
import { ConversationItem } from './ConversationItem';
import type { InboxState } from './useInbox';

export const VIEW_LABELS: Record<InboxView, string> = { open: 'Open', mine: 'Mine', unassigned: 'Unassigned', closed: 'Closed' };

const EMPTY: Record<InboxView, string> = {
  open: 'No open conversations. New texts land here as they arrive.',
  mine: 'Nothing is assigned to you.',
  unassigned: 'Every open conversation has someone on it.',
  closed: 'No closed conversations yet.',
};

interface InboxPaneProps {
  view: InboxView;
  openId: Id | null;
  query: string;
  onQueryChange(query: string): void;
  labels: Label[];
  labelId: Id | null;
  onLabelChange(labelId: Id | null): void;
  searchRef: RefObject<HTMLInputElement | null>;
  inbox: InboxState;
}

export function InboxPane({ view, openId, query, onQueryChange, labels, labelId, onLabelChange, searchRef, inbox }: InboxPaneProps) {
  const now = useNow(30_000);
  const { userById, senderById, senders } = useDirectory();
  const scroller = useRef<HTMLDivElement>(null);
  const { items, loading, loadingMore, error, hasMore, loadMore } = inbox;

  // Keep loading while the list does not fill its pane, so there is always something to scroll.
  useEffect(() => {
    const el = scroller.current;
    if (el && hasMore && !loading && !loadingMore && el.scrollHeight <= el.clientHeight + 200) loadMore();
  }, [items, hasMore, loading, loadingMore, loadMore]);

  const onScroll = () => {
    const el = scroller.current;
    if (el && el.scrollTop + el.clientHeight >= el.scrollHeight - 300) loadMore();
  };

  const onListKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp' && event.key !== 'Home' && event.key !== 'End') return;
    const links = [...event.currentTarget.querySelectorAll<HTMLElement>('[data-testid="conversation-item"]')];
    const index = links.indexOf(document.activeElement as HTMLElement);
    const target =
      event.key === 'Home' ? 0 : event.key === 'End' ? links.length - 1 : Math.max(0, Math.min(links.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)));
    event.preventDefault();
    links[target]?.focus();
    if (target >= links.length - 3) loadMore();
  };

  const showSender = senders.length > 1;
  const trimmed = query.trim();

  return (
    <section className="inbox-pane" aria-label="Conversations">
      <div className="inbox-top">
        <nav className="view-tabs" aria-label="Inbox views">
          {INBOX_VIEWS.map((v) => (
            <a key={v} href={routeHref({ name: 'inbox', view: v, conversationId: null })} aria-current={v === view ? 'page' : undefined}>
              {VIEW_LABELS[v]}
            </a>
          ))}
        </nav>
        <div role="search" className="search">
          <label htmlFor="inbox-search" className="sr-only">
            Search conversations
          </label>
          <input
            id="inbox-search"
            ref={searchRef}
            type="search"
            placeholder="Search name or phone  /"
            autoComplete="off"
            aria-keyshortcuts="/"
            value={query}
            onChange={(e) => onQueryChange(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                onQueryChange('');
                e.currentTarget.blur();
              } else if (e.key === 'ArrowDown') {
                e.preventDefault();
                scroller.current?.querySelector<HTMLElement>('[data-testid="conversation-item"]')?.focus();
              }
            }}
          />
        </div>
        {labels.length > 0 && (
          <div className="label-filter">
            <label htmlFor="inbox-label">Label</label>
            <select id="inbox-label" value={labelId ?? ''} onChange={(e) => onLabelChange(e.target.value || null)}>
              <option value="">Any label</option>
              {labels.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <div className="conversation-list-scroll" ref={scroller} onScroll={onScroll} aria-busy={loading}>
        {error && <ErrorNote message={error} onRetry={inbox.reload} />}
        {loading && items.length === 0 ? (
          <ul className="conversation-list skeleton" aria-hidden="true">
            {[0, 1, 2, 3, 4].map((i) => (
              <li key={i} className="skeleton-item" />
            ))}
          </ul>
        ) : items.length === 0 && !error ? (
          <p className="empty-state">{trimmed || labelId ? 'No conversations match.' : EMPTY[view]}</p>
        ) : (
          <ul className="conversation-list" aria-label={`${VIEW_LABELS[view]} conversations`} onKeyDown={onListKeyDown}>
            {items.map((conversation) => (
              <ConversationItem
                key={conversation.id}
                conversation={conversation}
                view={view}
                selected={conversation.id === openId}
                now={now}
                assignee={userById(conversation.assigneeId)}
                sender={showSender ? senderById(conversation.senderId) : undefined}
              />
            ))}
          </ul>
        )}
        {loadingMore && (
          <p className="loading-more" role="status">
            Loading more…
          </p>
        )}
      </div>
    </section>
  );
}

import { Fragment, useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { Media, Message } from '../api/types';
import { useDirectory } from '../app/session';
import { dayKey, dayLabel } from '../lib/format';
import { ErrorNote } from '../ui/ConfirmDialog';
import { Lightbox } from './Lightbox';
import { MessageBubble } from './MessageBubble';

interface ThreadProps {
  messages: Message[];
  loading: boolean;
  error: string | null;
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder(): void;
  onRetry(message: Message): Promise<void>;
  onReload(): void;
  /** A message to scroll to and mark once it is in the thread (a search result). */
  focusId?: string;
}

const NEAR_BOTTOM_PX = 120;

/**
 * Oldest at the top. Opens scrolled to the newest message, stays pinned to the bottom while the
 * reader is there, keeps its place when older messages load above, and loads them on scroll up.
 */
export function Thread({ messages, loading, error, hasOlder, loadingOlder, onLoadOlder, onRetry, onReload, focusId }: ThreadProps) {
  const { userById } = useDirectory();
  const scroller = useRef<HTMLDivElement>(null);
  const [enlarged, setEnlarged] = useState<Media | null>(null);
  const pinned = useRef(true);
  const before = useRef({ firstId: null as string | null, lastId: null as string | null, scrollHeight: 0 });

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const firstId = messages[0]?.id ?? null;
    const last = messages[messages.length - 1];
    const lastId = last?.id ?? null;
    const previous = before.current;
    if (previous.firstId !== null && firstId !== previous.firstId && lastId === previous.lastId) {
      // Older messages arrived above: keep what the reader was looking at in place.
      el.scrollTop += el.scrollHeight - previous.scrollHeight;
    } else if (pinned.current || (lastId !== previous.lastId && last?.direction === 'outbound' && last.status === 'pending')) {
      el.scrollTop = el.scrollHeight;
      pinned.current = true;
    }
    before.current = { firstId, lastId, scrollHeight: el.scrollHeight };
  }, [messages]);

  // Once the message sought is in, it is shown mid-screen, and the thread no longer follows the bottom.
  const shown = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (!focusId || shown.current === focusId) return;
    const target = scroller.current?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(focusId)}"]`);
    if (!target) return;
    shown.current = focusId;
    pinned.current = false;
    target.scrollIntoView({ block: 'center' });
    if (scroller.current) before.current.scrollHeight = scroller.current.scrollHeight;
  }, [messages, focusId]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    before.current.scrollHeight = el.scrollHeight;
    if (el.scrollTop < 200 && hasOlder && !loadingOlder) onLoadOlder();
  };

  const onMediaLoad = useCallback(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
    if (el) before.current.scrollHeight = el.scrollHeight;
  }, []);

  const now = new Date();
  let previousDay: string | null = null;

  return (
    <div className="thread" ref={scroller} onScroll={onScroll} aria-busy={loading}>
      {hasOlder && (
        <div className="load-older">
          <button type="button" className="button button-small" onClick={onLoadOlder} disabled={loadingOlder}>
            {loadingOlder ? 'Loading…' : 'Load older messages'}
          </button>
        </div>
      )}
      {error && <ErrorNote message={error} onRetry={onReload} />}
      {loading && messages.length === 0 && (
        <p className="thread-note" role="status">
          Loading messages…
        </p>
      )}
      {!loading && messages.length === 0 && !error && <p className="thread-note">No messages yet.</p>}
      <ol className="message-list" aria-label="Thread">
        {messages.map((message) => {
          const day = dayKey(message.createdAt);
          const separator = day !== previousDay;
          previousDay = day;
          return (
            <Fragment key={message.id}>
              {separator && (
                <li className="day-separator" data-testid="day-separator">
                  <span>{dayLabel(message.createdAt, now)}</span>
                </li>
              )}
              <MessageBubble
                message={message}
                author={userById(message.authorId)}
                focused={message.id === focusId}
                onEnlarge={setEnlarged}
                onRetry={onRetry}
                onMediaLoad={onMediaLoad}
              />
            </Fragment>
          );
        })}
      </ol>
      {enlarged && <Lightbox media={enlarged} onClose={() => setEnlarged(null)} />}
    </div>
  );
}

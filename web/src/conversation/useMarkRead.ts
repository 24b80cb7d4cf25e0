import { useEffect, useRef } from 'react';
import * as api from '../api/api';
import type { Id, Message } from '../api/types';

/**
 * Opening a conversation marks it read once its thread has loaded; so does a new customer
 * message arriving while it is on screen, but only while the tab is visible (a message nobody
 * saw stays unread until the tab is looked at).
 */
export function useMarkRead(conversationId: Id, messages: Message[], loaded: boolean, onRead: (id: Id) => void) {
  const latestInbound = messages.findLast((m) => m.direction === 'inbound')?.id ?? null;
  const readUpTo = useRef<Id | null | undefined>(undefined);
  const latest = useRef({ latestInbound, loaded, onRead });
  latest.current = { latestInbound, loaded, onRead };

  useEffect(() => {
    const mark = () => {
      readUpTo.current = latest.current.latestInbound;
      latest.current.onRead(conversationId);
      api.markRead(conversationId).catch(() => {});
    };
    const onVisible = () => {
      const { loaded: ready, latestInbound: newest } = latest.current;
      if (document.visibilityState === 'visible' && ready && readUpTo.current !== newest) mark();
    };
    document.addEventListener('visibilitychange', onVisible);
    if (!loaded || document.visibilityState === 'hidden') return () => document.removeEventListener('visibilitychange', onVisible);
    const first = readUpTo.current === undefined;
    const timer = first || readUpTo.current !== latestInbound ? setTimeout(mark, first ? 0 : 400) : null;
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      if (timer) clearTimeout(timer);
    };
  }, [conversationId, loaded, latestInbound]);
}

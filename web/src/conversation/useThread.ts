import { useCallback, useEffect, useRef, useState } from 'react';
import * as api from '../api/api';
import { useLatestRequest } from '../lib/hooks';
import { errorMessage, isAbort } from '../api/http';
import type { Id, Message } from '../api/types';
import { applyToThread, claimLocalCopy, sortThread, upsertMessages } from '../live/applyEvent';
import { useLiveEvents, useResync } from '../live/LiveProvider';

/**
 * The messages of one conversation: the newest page first, older pages on demand, live
 * additions and status changes, and a refetch of the newest page after the stream dropped.
 * With `focusId` (a search result), older pages load one after another until that message is in.
 */
export function useThread(conversationId: Id, focusId?: Id) {
  const [messages, setMessagesState] = useState<Message[]>([]);
  const messagesRef = useRef<Message[]>([]);
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const nextSignal = useLatestRequest();
  const loadedOnce = useRef(false);

  const setMessages = useCallback((update: (current: Message[]) => Message[]) => {
    messagesRef.current = update(messagesRef.current);
    setMessagesState(messagesRef.current);
  }, []);

  const loadNewest = useCallback(() => {
    const signal = nextSignal();
    setError(null);
    api.listMessages(conversationId, null, { signal }).then(
      (page) => {
        setMessages((existing) => upsertMessages(page.items.reduce(claimLocalCopy, existing), page.items));
        if (!loadedOnce.current) setOlderCursor(page.nextCursor);
        loadedOnce.current = true;
        setLoading(false);
      },
      (e: unknown) => {
        if (isAbort(e)) return;
        setError(errorMessage(e));
        setLoading(false);
      },
    );
  }, [conversationId, setMessages, nextSignal]);

  useEffect(() => {
    loadNewest();
  }, [loadNewest]);

  const loadOlder = useCallback(() => {
    if (!olderCursor || loadingOlder) return;
    setLoadingOlder(true);
    api.listMessages(conversationId, olderCursor).then(
      (page) => {
        setMessages((existing) => upsertMessages(existing, page.items));
        setOlderCursor(page.nextCursor);
        setLoadingOlder(false);
      },
      (e: unknown) => {
        setError(errorMessage(e));
        setLoadingOlder(false);
      },
    );
  }, [conversationId, olderCursor, loadingOlder, setMessages]);

  useEffect(() => {
    if (focusId && !loading && !loadingOlder && !error && olderCursor && !messages.some((m) => m.id === focusId)) loadOlder();
  }, [focusId, loading, loadingOlder, error, olderCursor, messages, loadOlder]);

  useLiveEvents((event) => {
    const change = applyToThread(messagesRef.current, event, conversationId);
    if (change.messages !== messagesRef.current) setMessages(() => change.messages);
    if (change.refetch) loadNewest();
  });
  useResync(loadNewest);

  /** Shows a message at once, before the server has answered (an optimistic send). */
  const addLocal = useCallback((message: Message) => setMessages((existing) => sortThread([...existing, message])), [setMessages]);
  const removeLocal = useCallback((id: Id) => setMessages((existing) => existing.filter((m) => m.id !== id)), [setMessages]);
  /** Swaps the optimistic copy for the server's message (which an event may have brought already). */
  const replaceLocal = useCallback(
    (id: Id, message: Message) => setMessages((existing) => upsertMessages(existing.filter((m) => m.id !== id), [message], { allowRetry: false })),
    [setMessages],
  );
  const upsert = useCallback((message: Message) => setMessages((existing) => upsertMessages(existing, [message])), [setMessages]);
  /** Takes in the answer to a send or retry, which events about the message may have overtaken. */
  const upsertAnswer = useCallback((message: Message) => setMessages((existing) => upsertMessages(existing, [message], { allowRetry: false })), [setMessages]);

  return { messages, loading, loadingOlder, error, hasOlder: olderCursor !== null, loadOlder, addLocal, removeLocal, replaceLocal, upsert, upsertAnswer, reload: loadNewest };
}

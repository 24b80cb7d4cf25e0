import { useCallback, useEffect, useRef, useState } from 'react';
import * as api from '../api/api';
import { errorMessage, isAbort } from '../api/http';
import type { Conversation, Id, InboxView } from '../api/types';
import { applyToInbox, inboxFilter, mergeFirstPage, sortByActivity, type LiveEvent } from '../live/applyEvent';
import { useLiveEvents, useResync } from '../live/LiveProvider';

export const PAGE_SIZE = 30;

export interface InboxState {
  items: Conversation[];
  loading: boolean;
  loadingMore: boolean;
  error: string | null;
  hasMore: boolean;
  loadMore(): void;
  reload(): void;
  markReadLocally(id: Id): void;
  /** Applies this tab's own change at once, as its event would, without waiting for the stream. */
  applyLocal(event: LiveEvent): void;
}

function queryFor(view: InboxView, q: string, labelId: Id | null): api.ConversationQuery {
  return {
    status: view === 'closed' ? 'closed' : 'open',
    assignee: view === 'mine' ? 'me' : view === 'unassigned' ? 'unassigned' : undefined,
    q: q.trim() || undefined,
    label: labelId ?? undefined,
    limit: PAGE_SIZE,
  };
}

/** One inbox view: first page, infinite scroll by cursor, live updates, refetch after a drop. */
export function useInbox(view: InboxView, q: string, labelId: Id | null, meId: Id, openId: Id | null): InboxState {
  const [items, setItemsState] = useState<Conversation[]>([]);
  // The list as of the last change, so a burst of events composes without waiting for a render.
  const itemsRef = useRef<Conversation[]>([]);
  const setItems = useCallback((next: Conversation[] | ((current: Conversation[]) => Conversation[])) => {
    itemsRef.current = typeof next === 'function' ? next(itemsRef.current) : next;
    setItemsState(itemsRef.current);
  }, []);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const request = useRef<AbortController | null>(null);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const cursorRef = useRef(cursor);
  cursorRef.current = cursor;

  // Bumped whenever the view or search changes, so late answers for the old one are dropped.
  const generation = useRef(0);

  const load = useCallback(() => {
    generation.current++;
    request.current?.abort();
    const controller = new AbortController();
    request.current = controller;
    setLoading(true);
    setError(null);
    api.listConversations(queryFor(view, q, labelId), { signal: controller.signal }).then(
      (page) => {
        setItems(sortByActivity(page.items));
        setCursor(page.nextCursor);
        setLoading(false);
      },
      (e: unknown) => {
        if (isAbort(e)) return;
        setError(errorMessage(e));
        setLoading(false);
      },
    );
  }, [view, q, labelId, setItems]);

  useEffect(() => {
    setItems([]);
    setCursor(null);
    load();
    return () => request.current?.abort();
  }, [load, setItems]);

  /** Fetches the first page again and merges it in, keeping older pages already scrolled to. */
  const refresh = useCallback(() => {
    if (refreshTimer.current) return;
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = null;
      const asked = generation.current;
      api.listConversations(queryFor(view, q, labelId)).then(
        (page) => {
          if (asked !== generation.current) return;
          setItems((current) => mergeFirstPage(current, page.items, page.nextCursor !== null));
          if (cursorRef.current === null || page.nextCursor === null) setCursor(page.nextCursor);
        },
        () => {},
      );
    }, 150);
  }, [view, q, labelId, setItems]);

  useEffect(
    () => () => {
      if (refreshTimer.current) clearTimeout(refreshTimer.current);
      refreshTimer.current = null;
    },
    [refresh],
  );

  const loadMore = useCallback(() => {
    if (!cursor || loadingMore || loading) return;
    setLoadingMore(true);
    const asked = generation.current;
    api.listConversations({ ...queryFor(view, q, labelId), cursor }).then(
      (page) => {
        setLoadingMore(false);
        if (asked !== generation.current) return;
        setItems((current) => {
          const known = new Set(current.map((c) => c.id));
          return sortByActivity([...current, ...page.items.filter((c) => !known.has(c.id))]);
        });
        setCursor(page.nextCursor);
      },
      (e: unknown) => {
        setError(errorMessage(e));
        setLoadingMore(false);
      },
    );
  }, [cursor, loadingMore, loading, view, q, labelId, setItems]);

  const filter = inboxFilter(view, meId, q, labelId);
  const apply = (event: LiveEvent) => {
    const change = applyToInbox(itemsRef.current, event, filter, openId);
    if (change.items !== itemsRef.current) setItems(change.items);
    if (change.refetch) refresh();
  };
  useLiveEvents(apply);
  const applyRef = useRef(apply);
  applyRef.current = apply;
  const applyLocal = useCallback((event: LiveEvent) => applyRef.current(event), []);
  useResync(refresh);

  const markReadLocally = useCallback((id: Id) => {
    setItems((current) => (current.some((c) => c.id === id && c.unread) ? current.map((c) => (c.id === id ? { ...c, unread: false } : c)) : current));
  }, [setItems]);

  return { items, loading, loadingMore, error, hasMore: cursor !== null, loadMore, reload: load, markReadLocally, applyLocal };
}

import { useCallback, useEffect, useRef, useState } from 'react';
import * as api from '../api/api';
import { useLatestRequest } from '../lib/hooks';
import { errorMessage, isAbort } from '../api/http';
import type { Id, Timeline, TimelineConversation } from '../api/types';
import { appendTimelinePage, applyToTimeline, mergeTimeline, prependTimelineMessages } from '../live/applyEvent';
import { useLiveEvents, useResync } from '../live/LiveProvider';

/**
 * A customer's conversations, newest first, a page at a time, each with its newest messages;
 * older conversations and older messages load when the agent asks. Kept current by the event
 * stream; a refetch reloads the first page and keeps what was loaded beyond it.
 */
export function useTimeline(customerId: Id) {
  const [timeline, setTimelineState] = useState<Timeline | null>(null);
  // The timeline as of the last change, so a burst of events composes without waiting for a render.
  const timelineRef = useRef<Timeline | null>(null);
  const setTimeline = useCallback((next: Timeline) => {
    timelineRef.current = next;
    setTimelineState(next);
  }, []);
  const [error, setError] = useState<string | null>(null);
  const nextSignal = useLatestRequest();

  const load = useCallback(() => {
    const signal = nextSignal();
    api.getTimeline(customerId, null, { signal }).then(
      (loaded) => {
        setTimeline(mergeTimeline(timelineRef.current, loaded));
        setError(null);
      },
      (e: unknown) => {
        if (!isAbort(e)) setError(errorMessage(e));
      },
    );
  }, [customerId, setTimeline, nextSignal]);

  useEffect(() => {
    load();
  }, [load]);

  useLiveEvents((event) => {
    // Before the first answer there is nothing to apply an event to; the answer has what was stored by then.
    if (!timelineRef.current) return;
    const change = applyToTimeline(timelineRef.current, event);
    if (change.timeline !== timelineRef.current) setTimeline(change.timeline);
    if (change.refetch) load();
  });
  useResync(load);

  const loadMore = useCallback(() => {
    const cursor = timelineRef.current?.nextCursor;
    if (!cursor) return;
    api.getTimeline(customerId, cursor).then(
      (page) => {
        if (timelineRef.current?.customer.id === page.customer.id) setTimeline(appendTimelinePage(timelineRef.current, page));
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [customerId, setTimeline]);

  const loadOlderMessages = useCallback(
    (conversation: TimelineConversation) => {
      if (!conversation.messagesCursor) return;
      api.listMessages(conversation.id, conversation.messagesCursor).then(
        (page) => {
          if (timelineRef.current) setTimeline(prependTimelineMessages(timelineRef.current, conversation.id, page.items, page.nextCursor));
        },
        (e: unknown) => setError(errorMessage(e)),
      );
    },
    [setTimeline],
  );

  return { timeline, error, reload: load, loadMore, loadOlderMessages };
}

import { useCallback, useEffect, useRef, useState } from 'react';
import * as api from '../api/api';
import { useLatestRequest } from '../lib/hooks';
import { errorMessage, isAbort } from '../api/http';
import type { Id, Timeline } from '../api/types';
import { applyToTimeline, mergeTimeline } from '../live/applyEvent';
import { useLiveEvents, useResync } from '../live/LiveProvider';

/** All of a customer's conversations with their messages, kept current by the event stream. */
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
    api.getTimeline(customerId, { signal }).then(
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

  return { timeline, error, reload: load };
}

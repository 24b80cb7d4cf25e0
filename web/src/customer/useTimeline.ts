import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import * as api from '../api/api';
import { errorMessage } from '../api/http';
import type { Id, Timeline } from '../api/types';
import { touchesTimeline } from '../live/applyEvent';
import { useLiveEvents, useResync } from '../live/LiveProvider';

/** All of a customer's conversations with their messages, refetched when any of them changes. */
export function useTimeline(customerId: Id) {
  const [timeline, setTimeline] = useState<Timeline | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(() => {
    api.getTimeline(customerId).then(
      (loaded) => {
        setTimeline(loaded);
        setError(null);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [customerId]);

  useEffect(() => {
    load();
    return () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [load]);

  const soon = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      load();
    }, 500);
  }, [load]);

  const conversationIds = useMemo(() => new Set((timeline?.conversations ?? []).map((c) => String(c.id))), [timeline]);
  useLiveEvents((event) => {
    if (touchesTimeline(event, customerId, conversationIds)) soon();
  });
  useResync(soon);

  return { timeline, error, reload: load };
}

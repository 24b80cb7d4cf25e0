import { useCallback, useEffect, useRef, useState } from 'react';
import * as api from '../api/api';
import type { CannedReply } from '../api/types';

/**
 * The organization's canned replies, fetched when a screen that offers them opens; reload()
 * after a change, or when the picker opens, since changes are not published live.
 */
export function useCannedReplies() {
  const [replies, setReplies] = useState<CannedReply[]>([]);
  const inFlight = useRef<AbortController | null>(null);
  const reload = useCallback(() => {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    api.listCannedReplies({ signal: controller.signal }).then((page) => setReplies(page.items), () => {});
  }, []);
  useEffect(() => {
    reload();
    return () => inFlight.current?.abort();
  }, [reload]);
  return { replies, reload };
}

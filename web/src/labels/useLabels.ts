import { useCallback, useEffect, useState } from 'react';
import * as api from '../api/api';
import type { Label } from '../api/types';

/** The organization's labels, fetched when a screen that offers them opens; reload() after a change. */
export function useLabels() {
  const [labels, setLabels] = useState<Label[]>([]);
  const reload = useCallback(() => {
    const controller = new AbortController();
    api.listLabels({ signal: controller.signal }).then(setLabels, () => {});
    return () => controller.abort();
  }, []);
  useEffect(reload, [reload]);
  return { labels, reload };
}

import { useCallback, useEffect, useState } from 'react';
import * as api from '../api/api';
import { errorMessage } from '../api/http';
import type { TwilioIntegration } from '../api/types';
import { notifyTwilioChanged } from '../app/TwilioBanners';
import { useDirectory } from '../app/session';

/** The organization's Twilio connection and senders, reloaded after every change. */
export function useTwilio() {
  const [twilio, setTwilio] = useState<TwilioIntegration | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { reload: reloadDirectory } = useDirectory();

  const load = useCallback(() => {
    api.getTwilio().then(
      (loaded) => {
        setTwilio(loaded);
        setError(null);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, []);

  useEffect(load, [load]);

  const changed = useCallback(() => {
    load();
    reloadDirectory();
    notifyTwilioChanged();
  }, [load, reloadDirectory]);

  return { twilio, error, reload: load, changed };
}

import { useCallback, useState } from 'react';
import { errorMessage } from '../api/http';

export interface RunOptions {
  /**
   * The message to show for a failure, or null when the caller dealt with it itself.
   * Defaults to `errorMessage`.
   */
  onError?: (error: unknown) => string | null;
  /**
   * Stay busy after success: for forms that sign in, navigate or close on success, so the button
   * stays disabled until they are gone instead of inviting a second submit.
   */
  keepBusy?: boolean;
}

/** Busy and error state for one action (a form submit, a confirm button), with `run` to perform it. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = useCallback(async (action: () => Promise<unknown>, { onError = errorMessage, keepBusy = false }: RunOptions = {}) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      if (!keepBusy) setBusy(false);
    } catch (e) {
      setError(onError(e));
      setBusy(false);
    }
  }, []);

  return { busy, error, setError, run };
}

import { useCallback, useRef, useState } from 'react';
import { countSegments, type SegmentCount } from '../../../src/domain/segments';
import { hasGsmReplacement, replaceWithGsm } from '../lib/gsm';
import { LIMIT_REASON, limitEdit } from '../lib/limitBody';

interface Counted {
  body: string;
  count: SegmentCount;
}

const counted = (body: string): Counted => ({ body, count: countSegments(body) });

/**
 * A message body with its live segment count (Twilio's calculator, in the browser), the hard
 * stop at 1,600 characters, and the one-click swap of look-alikes for GSM-7 characters.
 * The calculator runs once per keystroke: at 1,600 characters it takes milliseconds.
 */
export function useMessageBody(initial = '') {
  const [state, setState] = useState<Counted>(() => counted(initial));
  const current = useRef(state);
  const [limitNote, setLimitNote] = useState<string | null>(null);

  const set = useCallback((next: Counted, note: string | null) => {
    current.current = next;
    setState(next);
    setLimitNote(note);
  }, []);

  /** For typing and pasting: refuses what would go past the limit, and says why. */
  const edit = useCallback(
    (next: string) => {
      const attempt = counted(next);
      if (!attempt.count.overLimit) return set(attempt, null);
      set(counted(limitEdit(current.current.body, next)), LIMIT_REASON);
    },
    [set],
  );

  /** For programmatic changes (a restored draft, clearing after send). */
  const reset = useCallback((next: string) => set(counted(next), null), [set]);

  const replaceLookalikes = useCallback(() => {
    const next = counted(replaceWithGsm(current.current.body));
    set(next, next.count.overLimit ? LIMIT_REASON : null);
  }, [set]);

  const replaceable = state.count.nonGsmCharacters.some(hasGsmReplacement);
  return { body: state.body, count: state.count, limitNote, replaceable, edit, reset, replaceLookalikes };
}

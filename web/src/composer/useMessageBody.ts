import { useCallback, useEffect, useRef, useState } from 'react';
import { countSegments, type SegmentCount } from '../../../src/domain/segments';
import { hasGsmReplacement, replaceWithGsm } from '../lib/gsm';
import { limitEdit, TEXT_LIMIT, type BodyLimit } from '../lib/limitBody';

interface Counted {
  body: string;
  count: SegmentCount;
}

const counted = (body: string): Counted => ({ body, count: countSegments(body) });

/**
 * A message body with its live segment count (Twilio's calculator, in the browser), the hard
 * stop at 1,600 characters (or `limit`: a note's is 10,000), and the one-click swap of
 * look-alikes for GSM-7 characters. The calculator runs once per keystroke: at 1,600 characters
 * it takes milliseconds.
 */
export function useMessageBody(initial = '', limit: BodyLimit = TEXT_LIMIT) {
  const [state, setState] = useState<Counted>(() => counted(initial));
  const current = useRef(state);
  const currentLimit = useRef(limit);
  currentLimit.current = limit;
  const [limitNote, setLimitNote] = useState<string | null>(null);
  // What was said about the other limit (a note's, a text's) is not true of this one.
  useEffect(() => setLimitNote(null), [limit]);

  const set = useCallback((next: Counted, note: string | null) => {
    current.current = next;
    setState(next);
    setLimitNote(note);
  }, []);

  /** For typing and pasting: refuses what would go past the limit, and says why. */
  const edit = useCallback(
    (next: string) => {
      const within = currentLimit.current;
      if (!within.over(next)) return set(counted(next), null);
      set(counted(limitEdit(current.current.body, next, within)), within.reason);
    },
    [set],
  );

  /** For programmatic changes (a restored draft, clearing after send). */
  const reset = useCallback((next: string) => set(counted(next), null), [set]);

  const replaceLookalikes = useCallback(() => set(counted(replaceWithGsm(current.current.body)), null), [set]);

  const replaceable = state.count.nonGsmCharacters.some(hasGsmReplacement);
  // A body already past the limit (a long note switched back to a reply) is kept, not cut: say why it cannot go.
  const over = limit.over(state.body);
  return { body: state.body, count: state.count, limitNote: limitNote ?? (over ? limit.reason : null), replaceable, edit, reset, replaceLookalikes };
}

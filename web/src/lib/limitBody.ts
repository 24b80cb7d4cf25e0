import { countSegments, MAX_BODY_CHARACTERS } from '../../../src/domain/segments';
import { MAX_NOTE_CHARACTERS } from '../../../src/domain/text';

export { MAX_BODY_CHARACTERS };

/** How long a body may be, as the API counts it, and what to say when an edit goes past it. */
export interface BodyLimit {
  over(text: string): boolean;
  reason: string;
}

export const TEXT_LIMIT: BodyLimit = {
  over: (text) => countSegments(text).overLimit,
  reason: `Messages stop at ${MAX_BODY_CHARACTERS.toLocaleString('en-US')} characters: Twilio does not accept longer ones. Send the rest in another message.`,
};

export const NOTE_LIMIT: BodyLimit = {
  over: (text) => text.trim().length > MAX_NOTE_CHARACTERS,
  reason: `Notes stop at ${MAX_NOTE_CHARACTERS.toLocaleString('en-US')} characters. Add the rest in another note.`,
};

export function graphemes(text: string): string[] {
  if (typeof Intl !== 'undefined' && 'Segmenter' in Intl) {
    return Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text), (s) => s.segment);
  }
  return Array.from(text);
}

/** The longest start of `middle` that keeps `head + middle + tail` within the limit. */
function fitting(head: string, middle: string, tail: string, limit: BodyLimit): string {
  const parts = graphemes(middle);
  let low = 0;
  let high = parts.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (limit.over(head + parts.slice(0, mid).join('') + tail)) high = mid - 1;
    else low = mid;
  }
  return parts.slice(0, low).join('');
}

/**
 * Applies an edit (`previous` became `next`) within the limit (1,600 characters for a text): text already
 * there is kept, and only as much of what was typed or pasted as fits goes in, cut between
 * user-perceived characters. Returns `next` itself when it fits.
 */
export function limitEdit(previous: string, next: string, limit: BodyLimit = TEXT_LIMIT): string {
  if (!limit.over(next)) return next;
  let start = 0;
  while (start < previous.length && start < next.length && previous[start] === next[start]) start++;
  let end = 0;
  while (end < previous.length - start && end < next.length - start && previous[previous.length - 1 - end] === next[next.length - 1 - end]) end++;
  const head = next.slice(0, start);
  const tail = next.slice(next.length - end);
  if (limit.over(head + tail)) return fitting('', next, '', limit);
  return head + fitting(head, next.slice(start, next.length - end), tail, limit) + tail;
}

import type { CannedReply } from '../api/types';

/** A `/shortcut` or `@name` being typed: where its `/` or `@` is, and what follows it up to the caret. */
export interface Trigger {
  start: number;
  query: string;
}

/**
 * The trigger the caret is in, if any. It starts the box or follows white space, so "and/or",
 * a link or an email address opens nothing. A `/shortcut` ends at white space; an `@name` may
 * hold spaces (names do) but not a line break, and stops being one after 40 characters.
 */
export function triggerBefore(text: string, caret: number, char: '/' | '@'): Trigger | null {
  const head = text.slice(0, caret);
  const start = head.lastIndexOf(char);
  if (start < 0 || (start > 0 && !/\s/.test(head[start - 1]!))) return null;
  const query = head.slice(start + 1);
  if (char === '/' ? /\s/.test(query) : query.includes('\n') || query.length > 40) return null;
  return { start, query };
}

const MAX_SHOWN = 8;

/** Shortcuts that start with the query first, then shortcuts or titles that contain it. */
export function matchingReplies(replies: CannedReply[], query: string): CannedReply[] {
  const q = query.toLocaleLowerCase();
  const starts = replies.filter((r) => r.shortcut.startsWith(q));
  const contains = replies.filter((r) => !r.shortcut.startsWith(q) && (r.shortcut.includes(q) || r.title.toLocaleLowerCase().includes(q)));
  return [...starts, ...contains].slice(0, MAX_SHOWN);
}

/** People whose name, or a word of it, starts with the query. */
export function matchingPeople<P extends { name: string }>(people: P[], query: string): P[] {
  const q = query.toLocaleLowerCase();
  return people
    .filter((p) => {
      const name = p.name.toLocaleLowerCase();
      return name.startsWith(q) || name.split(/\s+/).some((word) => word.startsWith(q));
    })
    .slice(0, MAX_SHOWN);
}

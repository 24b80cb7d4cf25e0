import { foldText } from './search.js';

/**
 * What a message search means (docs/rules.md#searching-messages): every word of the query starts
 * a word of the message, in any case and with or without accents ("refun" finds "Refund",
 * "muller" finds "Müller"). A word is a run of letters and digits; everything else (punctuation,
 * quotes, `%`, `_`, operators of either engine's query language) only separates words, so no
 * character of a query is ever read as syntax.
 */

/** More words than this add nothing a person would type, and each costs the index a list. */
export const MAX_QUERY_WORDS = 12;

const WORD = /[\p{L}\p{N}]+/gu;
/** In the message as written: combining marks stay with their letter ("e\u0301" is one word). */
const WRITTEN_WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** The query's words, folded, each once, in order; empty when it holds no letter or digit. */
export function queryWords(query: string): string[] {
  return [...new Set(foldText(query).match(WORD) ?? [])].slice(0, MAX_QUERY_WORDS);
}

/**
 * SQLite FTS5: every word as a quoted prefix, within the organization's rows. Words hold only
 * letters and digits, and quoting makes FTS5 read each as text whatever it holds.
 */
export function ftsMatch(organizationId: string, words: string[]): string {
  const quote = (w: string) => `"${w.replace(/"/g, '""')}"`;
  return `organization : ${quote(organizationId.replace(/-/g, ''))} AND body : (${words.map((w) => `${quote(w)}*`).join(' AND ')})`;
}

/**
 * The words of a message as SQLite's index holds them (FTS5's unicode61 tokenizer with
 * remove_diacritics 2) for Latin script: runs of letters, digits and private-use characters,
 * lower case, accents dropped by canonical decomposition only, so "ﬁ" or "²" stay as written,
 * as they do there. Other scripts differ (FTS5 keeps "ά", splits "שָׁלוֹם" at its points), so
 * message search checks with it only query words of ASCII letters and digits.
 */
export function indexedWords(body: string): string[] {
  return body.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().match(/[\p{L}\p{N}\p{Co}]+/gu) ?? [];
}

/** Whether every query word starts some word of the message: what the index's match means, checked on one message. */
export function startsWords(body: string, words: string[]): boolean {
  const held = indexedWords(body);
  return words.every((w) => held.some((h) => h.startsWith(w)));
}

/** PostgreSQL to_tsquery: every word as a quoted prefix lexeme (`'refun':* & 'muller':*`). */
export function tsQuery(words: string[]): string {
  return words.map((w) => `'${w.replace(/['\\]/g, (c) => `\\${c}`)}':*`).join(' & ');
}

export interface Snippet {
  /** Plain text (white space collapsed, `…` where the message was cut); never HTML. */
  text: string;
  /** [start, end) offsets into `text` (UTF-16 code units, as JavaScript indexes strings) of each matched word. */
  highlights: Array<[number, number]>;
}

export const SNIPPET_LENGTH = 160;
/** How much of the text before the first match the snippet keeps, for context. */
const LEAD = 40;

/**
 * The part of a message around its first matched word, with every matched word marked: a word
 * of the message matches when a query word starts it, folded as the index folds.
 */
export function snippetOf(body: string, words: string[], length = SNIPPET_LENGTH): Snippet {
  const text = body.replace(/\s+/g, ' ').trim();
  const tokens = [...text.matchAll(WRITTEN_WORD)].map((m) => {
    const folded = foldText(m[0]);
    return { start: m.index, end: m.index + m[0].length, hit: words.some((w) => folded.startsWith(w)) };
  });
  const first = tokens.find((t) => t.hit);
  // The first word within LEAD of the match; the very beginning when the match is that close.
  const lead = first && first.start > LEAD ? tokens.find((t) => t.start >= first.start - LEAD) : undefined;
  const start = lead?.start ?? 0;
  let end = Math.min(text.length, Math.max(start + length, first?.end ?? 0));
  if (end < text.length) {
    // Cut after the last whole word that fits (or mid-word, when one word is longer than the snippet).
    const last = tokens.filter((t) => t.end <= end && t.start >= start).at(-1);
    if (last && last.end >= (first?.end ?? start)) end = last.end;
  }
  const before = start > 0 ? '…' : '';
  const shift = before.length - start;
  return {
    text: before + text.slice(start, end) + (end < text.length ? '…' : ''),
    highlights: tokens.filter((t) => t.hit && t.start >= start && t.end <= end).map((t) => [t.start + shift, t.end + shift]),
  };
}

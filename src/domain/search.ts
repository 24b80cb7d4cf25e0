/**
 * What a search box query means for people (docs/rules.md#finding-customers): any part of a
 * name or email, in any case and with or without accents, and any 3 or more digits of a phone
 * number however they were typed ("(415) 555", "415-555").
 *
 * Both engines search one folded text per customer (`customerSearchText`) through a trigram
 * index, so a fragment is found without reading every customer. A trigram index cannot serve
 * fewer than three characters: a shorter query matches the start of the name instead, through
 * an ordinary index.
 */
export interface SearchTerms {
  /** The folded query, matched anywhere in the text, or (when short) at the start of the name. */
  text: string;
  /** The query's digits, matched anywhere in the phone number; null when fewer than 3. */
  digits: string | null;
}

export const MIN_FRAGMENT = 3;

/** Lower case without accents: "José" and "JOSE" both become "jose". */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * The text a customer is found by: name, email and the phone's digits, folded, one per line.
 * A query holds no line break (search queries lose control characters), so a match never
 * spans two fields. The name comes first, so a short query's prefix match is a name match.
 */
export function customerSearchText(c: { name: string | null; email: string | null; phone: string }): string {
  return [foldText(c.name ?? ''), foldText(c.email ?? ''), c.phone.replace(/\D/g, '')].join('\n');
}

export function searchTerms(query: string): SearchTerms {
  const text = foldText(query.trim());
  const digits = text.replace(/\D/g, '');
  return { text, digits: digits.length >= MIN_FRAGMENT ? digits : null };
}

/** Whether the text part can use the trigram index (else it is a prefix of the name). */
export const isFragment = (terms: SearchTerms) => [...terms.text].length >= MIN_FRAGMENT;

/** Escapes LIKE wildcards (with `\`) so a search for "50%" finds "50%", not everything. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** An FTS5 query that matches the fragments as plain text, whatever characters they hold. */
export function ftsPhrases(fragments: string[]): string {
  return fragments.map((f) => `"${f.replace(/"/g, '""')}"`).join(' OR ');
}

/**
 * The half-open range [from, to) of texts starting with `prefix`, in code point order (SQLite's
 * BINARY and PostgreSQL's "C" collation), so a prefix match is an index range.
 */
export function prefixRange(prefix: string): { from: string; to: string } {
  const points = [...prefix];
  const last = points.pop()?.codePointAt(0) ?? 0;
  return { from: prefix, to: points.join('') + String.fromCodePoint(Math.min(last + 1, 0x10ffff)) };
}

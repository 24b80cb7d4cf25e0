/**
 * What a search box query means for people: text matched anywhere in a name (any case), and
 * its digits matched anywhere in a phone number, so "555 0199" and "(415) 555" both work.
 */
export interface SearchTerms {
  /** A LIKE pattern for the lower-cased text, wildcards in the input escaped. */
  text: string;
  /** A LIKE pattern for the digits, or null when the query has fewer than 3 of them. */
  digits: string | null;
}

const MIN_PHONE_DIGITS = 3;

export function searchTerms(query: string): SearchTerms {
  const trimmed = query.trim().toLowerCase();
  const digits = trimmed.replace(/\D/g, '');
  return { text: likePattern(trimmed), digits: digits.length >= MIN_PHONE_DIGITS ? likePattern(digits) : null };
}

/** Escapes LIKE wildcards (with `\`) so a search for "50%" finds "50%", not everything. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

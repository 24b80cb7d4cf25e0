import { describe, expect, it } from 'vitest';
import { ftsMatch, MAX_QUERY_WORDS, queryWords, snippetOf, tsQuery } from '../../src/domain/message-search.js';

/** The marked words of a snippet, as text. */
const marked = (s: { text: string; highlights: Array<[number, number]> }) => s.highlights.map(([a, b]) => s.text.slice(a, b));

describe('message search words', () => {
  it('folds case and accents and keeps only letters and digits', () => {
    expect(queryWords('  Müller, REFUN!  ')).toEqual(['muller', 'refun']);
    expect(queryWords('50%_off "quoted" a:* &|! NEAR(x)')).toEqual(['50', 'off', 'quoted', 'a', 'near', 'x']);
    expect(queryWords('%_"\'&|!:*-')).toEqual([]);
    expect(queryWords('Привет Ｔｏｋｙｏ 東京')).toEqual(['привет', 'tokyo', '東京']);
    expect(queryWords('ok OK Ok')).toEqual(['ok']);
    expect(queryWords(Array.from({ length: 30 }, (_, i) => `w${i}`).join(' '))).toHaveLength(MAX_QUERY_WORDS);
  });

  it('writes engine queries whose every word is a quoted prefix', () => {
    expect(ftsMatch('0190-ab', ['refun', 'near'])).toBe('organization : "0190ab" AND body : ("refun"* AND "near"*)');
    expect(tsQuery(['refun', 'muller'])).toBe("'refun':* & 'muller':*");
  });
});

describe('snippetOf', () => {
  it('marks every word a query word starts, folded like the index', () => {
    const s = snippetOf('Herr Müller: your REFUND was refunded.', ['muller', 'refun']);
    expect(s.text).toBe('Herr Müller: your REFUND was refunded.');
    expect(marked(s)).toEqual(['Müller', 'REFUND', 'refunded']);
    expect(s.highlights).toEqual([[5, 11], [18, 24], [29, 37]]);
  });

  it('keeps a combining accent with its letter and marks nothing inside a word', () => {
    const s = snippetOf('Cafe\u0301 prefund', ['cafe', 'refund']);
    expect(marked(s)).toEqual(['Cafe\u0301']);
  });

  it('cuts a long message around the first match, at word boundaries, with ellipses', () => {
    const body = `${'lorem ipsum '.repeat(30)}the parcel arrived broken ${'dolor sit '.repeat(30)}`;
    const s = snippetOf(body, ['parcel']);
    expect(s.text.startsWith('…')).toBe(true);
    expect(s.text.endsWith('…')).toBe(true);
    expect(s.text.length).toBeLessThanOrEqual(162);
    expect(s.text).toMatch(/^…(lorem|ipsum) /);
    expect(s.text).toMatch(/ (dolor|sit)…$/);
    expect(marked(s)).toEqual(['parcel']);
    expect(s.text.indexOf('parcel')).toBeGreaterThan(30);
  });

  it('collapses white space and starts at the beginning when the match is early', () => {
    const s = snippetOf('  Refund\n\n  please\tnow  ', ['ple']);
    expect(s).toEqual({ text: 'Refund please now', highlights: [[7, 13]] });
  });

  it('shows the start of the message when no word matches, and marks none', () => {
    expect(snippetOf('Nothing to see', ['zebra'])).toEqual({ text: 'Nothing to see', highlights: [] });
    expect(snippetOf('', ['zebra'])).toEqual({ text: '', highlights: [] });
  });

  it('never marks past the end of the snippet', () => {
    const body = `refund ${'x'.repeat(200)} refund`;
    const s = snippetOf(body, ['refund']);
    for (const [a, b] of s.highlights) {
      expect(a).toBeLessThan(b);
      expect(b).toBeLessThanOrEqual(s.text.length);
    }
    expect(marked(s)).toEqual(['refund']);
  });

  it('counts offsets in UTF-16 code units, past astral characters', () => {
    const s = snippetOf('😀 refund', ['refund']);
    expect(s.highlights).toEqual([[3, 9]]);
    expect(marked(s)).toEqual(['refund']);
  });
});

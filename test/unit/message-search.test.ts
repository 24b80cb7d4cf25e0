import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ftsMatch, indexedWords, MAX_QUERY_WORDS, queryWords, snippetOf, startsWords, tsQuery } from '../../src/domain/message-search.js';

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

describe('the words SQLite indexes', () => {
  const texts = ['RE\u0301SUME\u0301 of O’Neil’s café_au-lait', 'Ørsted straße İstanbul ǅemal', 'ﬁnance x²y ½ 中文字 Привет', 'order #4417, (415) 555-0100'];

  it('are the words FTS5 holds, folded as it folds', () => {
    // The tokenizer of migration 0011.
    const sqlite = new BetterSqlite3(':memory:');
    sqlite.exec(`create virtual table t using fts5(body, tokenize="unicode61 remove_diacritics 2"); create virtual table v using fts5vocab(t, 'row')`);
    for (const body of texts) sqlite.prepare('insert into t (body) values (?)').run(body);
    const held = (sqlite.prepare('select term from v').all() as { term: string }[]).map((r) => r.term);
    sqlite.close();
    expect([...new Set(texts.flatMap(indexedWords))].sort()).toEqual(held.sort());
  });

  it('match when every query word starts one of them', () => {
    expect(startsWords(texts[0]!, ['resum', 'neil', 'lai'])).toBe(true);
    expect(startsWords(texts[0]!, ['oneil'])).toBe(false);
    expect(startsWords(texts[0]!, ['sume'])).toBe(false);
    expect(startsWords(texts[3]!, ['441', '555'])).toBe(true);
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

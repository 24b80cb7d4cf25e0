// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { countSegments } from '../../../src/domain/segments';
import { hasGsmReplacement, replaceWithGsm } from './gsm';
import { limitEdit } from './limitBody';

describe('replaceWithGsm', () => {
  it('turns smart punctuation and special spaces into GSM-7, leaving emoji and letters', () => {
    const text = '“Hi” – it’s\u00a0done… 😀 ç';
    const replaced = replaceWithGsm(text);
    expect(replaced).toBe('"Hi" - it\'s done... 😀 ç');
    expect(countSegments(replaceWithGsm('“Quoted” — fine…')).encoding).toBe('GSM-7');
  });

  it('only offers replacements for characters outside GSM-7', () => {
    for (const c of ['’', '—', '…', '\u00a0', '\u200b']) expect(hasGsmReplacement(c)).toBe(true);
    for (const c of ['a', 'é', '€', '😀']) expect(hasGsmReplacement(c)).toBe(false);
    // every replacement target is itself GSM-7
    expect(countSegments(replaceWithGsm('‘’‚‛“”„‟–—―…•\u00a0\u2009\u202f')).encoding).toBe('GSM-7');
  });
});

describe('limitEdit', () => {
  it('lets edits through below 1,600 characters', () => {
    expect(limitEdit('abc', 'abcd')).toBe('abcd');
  });

  it('keeps only what fits of a paste, and the text around it', () => {
    const before = 'a'.repeat(1590);
    const pasted = 'b'.repeat(50);
    const result = limitEdit(before + 'END', 'a'.repeat(1590) + pasted + 'END');
    expect(countSegments(result).characters).toBe(1600);
    expect(result.startsWith(before)).toBe(true);
    expect(result.endsWith('END')).toBe(true);
  });

  it('never splits an emoji', () => {
    const before = '😀'.repeat(1599);
    const result = limitEdit(before, before + '👍🏽👍🏽');
    expect(countSegments(result).overLimit).toBe(false);
    expect(result).toBe(before + '👍🏽');
  });
});

import { describe, expect, it } from 'vitest';
import { countSegments, MAX_BODY_CHARACTERS } from '../../src/domain/segments.js';

const a = (n: number) => 'a'.repeat(n);
const c = (n: number) => 'ç'.repeat(n);

describe("segments, as Twilio's calculator counts them (docs/rules.md#outbound-messages)", () => {
  it('GSM-7: 160 in one segment, then 153 per segment', () => {
    expect(countSegments(a(160))).toMatchObject({ characters: 160, encoding: 'GSM-7', segments: 1, perSegment: 160 });
    expect(countSegments(a(161))).toMatchObject({ characters: 161, encoding: 'GSM-7', segments: 2, perSegment: 153 });
    expect(countSegments(a(306))).toMatchObject({ segments: 2, perSegment: 153 });
    expect(countSegments(a(307))).toMatchObject({ segments: 3, perSegment: 153 });
  });

  it('UCS-2: 70 in one segment, then 67 per segment', () => {
    expect(countSegments(c(70))).toMatchObject({ characters: 70, encoding: 'UCS-2', segments: 1, perSegment: 70 });
    expect(countSegments(c(71))).toMatchObject({ characters: 71, encoding: 'UCS-2', segments: 2, perSegment: 67 });
    expect(countSegments(c(134))).toMatchObject({ segments: 2, perSegment: 67 });
    expect(countSegments(c(135))).toMatchObject({ segments: 3, perSegment: 67 });
  });

  it('extension characters take two septets, and never straddle two segments', () => {
    expect(countSegments('{}[]')).toMatchObject({ characters: 8, encoding: 'GSM-7', segments: 1 });
    expect(countSegments(a(158) + '€')).toMatchObject({ characters: 160, segments: 1 });
    expect(countSegments(a(159) + '€')).toMatchObject({ characters: 161, segments: 2 });
    // 152 + € + 152 is 306 septets, which would fit two segments if the € could be split.
    expect(countSegments(a(152) + '€' + a(152))).toMatchObject({ characters: 306, segments: 3, perSegment: 153 });
    expect(countSegments(a(153) + '€' + a(150))).toMatchObject({ characters: 305, segments: 2 });
  });

  it('an emoji is two UTF-16 units, never split across segments', () => {
    expect(countSegments(a(68) + '😀')).toMatchObject({ encoding: 'UCS-2', segments: 1, perSegment: 70 });
    expect(countSegments(a(69) + '😀')).toMatchObject({ segments: 2, perSegment: 67 });
    // 66 + 😀 + 66 is 134 units, exactly two segments if the emoji could be split; it cannot.
    expect(countSegments(a(66) + '😀' + a(66))).toMatchObject({ segments: 3 });
    expect(countSegments(a(67) + '😀' + a(65))).toMatchObject({ segments: 2 });
  });

  it('lists the distinct characters that forced UCS-2, in order, across mixed scripts', () => {
    expect(countSegments('Ça va? ç')).toMatchObject({ encoding: 'UCS-2', nonGsmCharacters: ['ç'] });
    expect(countSegments('Hello Привет 你好 Привет')).toMatchObject({ encoding: 'UCS-2', characters: 22, nonGsmCharacters: ['П', 'р', 'и', 'в', 'е', 'т', '你', '好'] });
    // Ç and the Greek capitals are GSM-7; a letter with a combining accent is not.
    expect(countSegments('Ç ΔΦΓΛΩΠΨΣΘΞ')).toMatchObject({ encoding: 'GSM-7', nonGsmCharacters: [] });
    expect(countSegments('e\u0301')).toMatchObject({ encoding: 'UCS-2', nonGsmCharacters: ['e\u0301'] });
  });

  it('flags bodies over 1,600 characters and counts an empty body as no segments', () => {
    expect(MAX_BODY_CHARACTERS).toBe(1600);
    expect(countSegments(a(1600))).toMatchObject({ overLimit: false, segments: 11 });
    expect(countSegments(a(1601))).toMatchObject({ overLimit: true });
    expect(countSegments(a(1599) + '€')).toMatchObject({ characters: 1601, overLimit: true });
    expect(countSegments('')).toEqual({ characters: 0, encoding: 'GSM-7', segments: 0, perSegment: 160, nonGsmCharacters: [], overLimit: false });
  });
});

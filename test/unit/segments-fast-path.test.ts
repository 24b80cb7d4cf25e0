import { describe, expect, it } from 'vitest';
import { countSegments, countWithTwilioCalculator, isGsm7Basic } from '../../src/domain/segments.js';

describe('GSM-7 fast path', () => {
  it("knows exactly the characters Twilio's calculator counts as one plain GSM-7 septet", () => {
    for (let code = 0; code <= 0xffff; code++) {
      const ch = String.fromCharCode(code);
      if (code >= 0xd800 && code <= 0xdfff) continue; // lone surrogates are not text
      const counted = countWithTwilioCalculator(ch);
      const plain = counted.encoding === 'GSM-7' && counted.characters === 1;
      if (plain !== isGsm7Basic(ch)) throw new Error(`U+${code.toString(16)} (${JSON.stringify(ch)}): calculator says plain=${plain}`);
    }
  });

  it('counts like the calculator around every segment boundary, and defers everything else to it', () => {
    const alphabet = [...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./09:;<=>?¡AZÄÖÑÜ§¿azäöñüà'];
    const lengths = [1, 2, 159, 160, 161, 305, 306, 307, 459, 460, 1530, 1600, 1601];
    for (const length of lengths) {
      for (let trial = 0; trial < 5; trial++) {
        const body = Array.from({ length }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
        expect(countSegments(body), `${length} chars`).toEqual(countWithTwilioCalculator(body));
      }
    }
    for (const body of ['', 'a\r\nb', 'price: 5€', '{json}', 'ça va', 'emoji 🙂', 'e\u0301']) {
      expect(countSegments(body), body).toEqual(countWithTwilioCalculator(body));
    }
  });
});

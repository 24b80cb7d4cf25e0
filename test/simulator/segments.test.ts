import { SegmentedMessage } from 'sms-segments-calculator';
import { describe, expect, it } from 'vitest';
import { isGsm7Basic, measureBody } from '../../src/simulator/segments.js';

const calculator = (body: string) => {
  const m = new SegmentedMessage(body);
  return { characters: m.numberOfCharacters, segments: m.segmentsCount };
};

describe("the simulator's body measure", () => {
  it("knows exactly the characters Twilio's calculator counts as one plain GSM-7 septet", () => {
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue; // lone surrogates are not text
      const ch = String.fromCharCode(code);
      const m = new SegmentedMessage(ch);
      const plain = m.encodingName === 'GSM-7' && m.numberOfCharacters === 1;
      if (plain !== isGsm7Basic(ch)) throw new Error(`U+${code.toString(16)} (${JSON.stringify(ch)}): calculator says plain=${plain}`);
    }
  });

  it('measures like the calculator around every segment boundary, and defers everything else to it', () => {
    const alphabet = [...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./09:;<=>?¡AZÄÖÑÜ§¿azäöñüà'];
    for (const length of [1, 2, 159, 160, 161, 305, 306, 307, 459, 460, 1530, 1600, 1601]) {
      for (let trial = 0; trial < 5; trial++) {
        const body = Array.from({ length }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
        expect(measureBody(body), `${length} chars`).toEqual(calculator(body));
      }
    }
    for (const body of ['a\r\nb', 'price: 5€', '{json}', 'ça va', 'emoji 🙂', 'e\u0301', '€'.repeat(1601)]) {
      expect(measureBody(body), body).toEqual(calculator(body));
    }
    expect(measureBody('')).toEqual({ characters: 0, segments: 0 });
  });
});

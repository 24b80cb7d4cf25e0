import { SegmentedMessage } from 'sms-segments-calculator';

/** Twilio refuses longer bodies (error 21617); counted as the calculator counts characters. */
export const MAX_BODY_CHARACTERS = 1600;

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  characters: number;
  encoding: SmsEncoding;
  segments: number;
  /** This body's capacity per segment: 160 or 153 for GSM-7, 70 or 67 for UCS-2. */
  perSegment: number;
  /** The distinct characters that forced UCS-2, in order of first appearance. */
  nonGsmCharacters: string[];
  overLimit: boolean;
}

/**
 * Counts segments as Twilio's own calculator does, so the desk and the bill agree by
 * construction. The same module runs in the browser's composer. Plain GSM-7 text, the common
 * case, is counted directly (a test pins it to the calculator over every UTF-16 code unit and
 * every segment boundary); anything else goes to the calculator, which splits graphemes and
 * costs hundreds of microseconds a message.
 */
export function countSegments(body: string): SegmentCount {
  if (body.length === 0 || !isGsm7Basic(body)) return countWithTwilioCalculator(body);
  const characters = body.length;
  const segments = characters <= 160 ? 1 : Math.ceil(characters / 153);
  return { characters, encoding: 'GSM-7', segments, perSegment: segments > 1 ? 153 : 160, nonGsmCharacters: [], overLimit: characters > MAX_BODY_CHARACTERS };
}

/** The GSM 03.38 basic character set: one septet each, no escape. */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

export function isGsm7Basic(body: string): boolean {
  for (const ch of body) if (!GSM7_BASIC.has(ch)) return false;
  return true;
}

/** Twilio's calculator itself (npm sms-segments-calculator). */
export function countWithTwilioCalculator(body: string): SegmentCount {
  const message = new SegmentedMessage(body);
  const encoding = message.encodingName;
  const segments = body.length === 0 ? 0 : message.segmentsCount;
  const single = encoding === 'GSM-7' ? 160 : 70;
  const split = encoding === 'GSM-7' ? 153 : 67;
  return {
    characters: message.numberOfCharacters,
    encoding,
    segments,
    perSegment: segments > 1 ? split : single,
    nonGsmCharacters: encoding === 'UCS-2' ? [...new Set(message.getNonGsmCharacters())] : [],
    overLimit: message.numberOfCharacters > MAX_BODY_CHARACTERS,
  };
}

import { countSegments, MAX_BODY_CHARACTERS, type SegmentCount } from './segments.js';

/**
 * The GSM 03.38 basic character set: one septet each, no escape. A body made only of these is
 * counted here in microseconds, with exactly the result of Twilio's calculator (pinned by a
 * test over every UTF-16 code unit); anything else goes to the calculator, which splits
 * graphemes and costs hundreds of microseconds a message.
 */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

const SINGLE = 160;
const SPLIT = 153;

export function isGsm7Basic(body: string): boolean {
  for (const ch of body) if (!GSM7_BASIC.has(ch)) return false;
  return true;
}

/** countSegments, with a fast path for the common case of plain GSM-7 text. */
export function countSegmentsFast(body: string): SegmentCount {
  if (body.length === 0 || !isGsm7Basic(body)) return countSegments(body);
  const characters = body.length;
  const segments = characters <= SINGLE ? 1 : Math.ceil(characters / SPLIT);
  return { characters, encoding: 'GSM-7', segments, perSegment: segments > 1 ? SPLIT : SINGLE, nonGsmCharacters: [], overLimit: characters > MAX_BODY_CHARACTERS };
}

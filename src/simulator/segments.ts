import { SegmentedMessage } from 'sms-segments-calculator';

/** Twilio refuses longer bodies with 21617. */
export const MAX_BODY_CHARACTERS = 1600;

/**
 * The GSM 03.38 basic character set: one septet each, no escape. A body made only of these is
 * measured here in microseconds, with exactly the calculator's result (pinned by
 * test/simulator/segments.test.ts); anything else goes to the calculator, which splits
 * graphemes and costs hundreds of microseconds a body.
 */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

export function isGsm7Basic(body: string): boolean {
  for (const ch of body) if (!GSM7_BASIC.has(ch)) return false;
  return true;
}

/** Counted as Twilio's own calculator counts, so `num_segments` matches what Twilio would bill. Measure once per message. */
export function measureBody(body: string): { characters: number; segments: number } {
  if (body.length === 0) return { characters: 0, segments: 0 };
  if (isGsm7Basic(body)) return { characters: body.length, segments: body.length <= 160 ? 1 : Math.ceil(body.length / 153) };
  const message = new SegmentedMessage(body);
  return { characters: message.numberOfCharacters, segments: message.segmentsCount };
}

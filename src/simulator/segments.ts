import { SegmentedMessage } from 'sms-segments-calculator';

/** Twilio refuses longer bodies with 21617. */
export const MAX_BODY_CHARACTERS = 1600;

/** Counted with Twilio's own calculator, so `num_segments` matches what Twilio would bill. */
export function measureBody(body: string): { characters: number; segments: number } {
  if (body.length === 0) return { characters: 0, segments: 0 };
  const message = new SegmentedMessage(body);
  return { characters: message.numberOfCharacters, segments: message.segmentsCount };
}

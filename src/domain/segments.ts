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
 * Counts segments with Twilio's own calculator, so the desk and the bill agree by construction.
 * The same module runs in the browser's composer.
 */
export function countSegments(body: string): SegmentCount {
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

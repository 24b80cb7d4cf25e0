import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * A phone number in E.164 (+14155550100), or null when it is not a valid number. Numbers written
 * without a country code are read as `defaultCountry` (US by default, like Twilio's console).
 */
export function toE164(input: string, defaultCountry: CountryCode = 'US'): string | null {
  const trimmed = input.trim();
  if (!trimmed) return null;
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry);
  return parsed?.isValid() ? parsed.number : null;
}

/** Short codes are 5 or 6 digits (docs/rules.md#senders). */
export const isShortCode = (input: string) => /^\d{5,6}$/.test(input.trim());

export const isAccountSid = (input: string) => /^AC[0-9a-f]{32}$/.test(input);
export const isMessagingServiceSid = (input: string) => /^MG[0-9a-f]{32}$/.test(input);

/** NANP toll-free area codes: verified as toll-free numbers, not under A2P 10DLC. */
const TOLL_FREE = new Set(['800', '833', '844', '855', '866', '877', '888']);

/**
 * A US or Canadian long code: carriers block its texts to US phones until the sender's brand and
 * campaign are registered under A2P 10DLC.
 */
export function isA2p10dlcNumber(e164: string): boolean {
  const country = parsePhoneNumberFromString(e164)?.country;
  return (country === 'US' || country === 'CA') && !TOLL_FREE.has(e164.slice(2, 5));
}

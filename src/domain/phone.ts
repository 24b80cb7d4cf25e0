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

/** Short codes are 5 or 6 digits (SPEC §3). */
export const isShortCode = (input: string) => /^\d{5,6}$/.test(input.trim());

export const isAccountSid = (input: string) => /^AC[0-9a-f]{32}$/.test(input);
export const isMessagingServiceSid = (input: string) => /^MG[0-9a-f]{32}$/.test(input);

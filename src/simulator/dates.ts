/**
 * Twilio's date formats. The 2010-04-01 API uses RFC 2822 with a numeric zone
 * (`Wed, 18 Aug 2010 20:01:40 +0000`), the v1 APIs ISO 8601 without milliseconds;
 * twilio-node parses exactly these patterns, so both drop sub-second precision.
 */
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const two = (n: number): string => String(n).padStart(2, '0');

export function rfc2822(date: Date): string;
export function rfc2822(date: Date | null): string | null;
export function rfc2822(date: Date | null): string | null {
  if (!date) return null;
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${time} +0000`;
}

export function iso8601(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

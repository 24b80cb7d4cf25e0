/** Phone-number helpers: what Twilio accepts as an address, and the geography it reports. */

/** E.164; in the North American plan the area code and exchange cannot start with 0 or 1. */
export function isE164(value: string): boolean {
  if (!/^\+[1-9]\d{6,14}$/.test(value)) return false;
  if (value.startsWith('+1')) return /^\+1[2-9]\d{2}[2-9]\d{6}$/.test(value);
  return true;
}

export function isShortCode(value: string): boolean {
  return /^\d{5,6}$/.test(value);
}

/**
 * An Alphanumeric Sender ID as Twilio defines it: up to 11 characters of ASCII letters, digits
 * and spaces (plus `-`, `+`, `_`, `&`), at least one of them a letter.
 */
export function isAlphanumericSenderId(value: string): boolean {
  return /^[A-Za-z0-9 +\-_&]{1,11}$/.test(value) && /[A-Za-z]/.test(value);
}

/** Numbers in the North American plan (US, Canada, ...), where alphanumeric senders are not delivered. */
export function isNanp(value: string): boolean {
  return value.startsWith('+1');
}

/**
 * Message Redaction's phone-number form: the last four digits replaced with XXXX, as Twilio's
 * Message Redaction guide describes it.
 */
export function redactNumber(value: string): string {
  return isE164(value) ? value.slice(0, -4) + 'XXXX' : value;
}

/** How Twilio's console and API format a number's default friendly name. */
export function friendlyName(phoneNumber: string): string {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phoneNumber);
  return nanp ? `(${nanp[1]}) ${nanp[2]}-${nanp[3]}` : phoneNumber;
}

export interface Geography {
  city: string;
  state: string;
  zip: string;
  country: string;
}

// A few area codes, so inbound webhooks carry the From*/To* fields as real ones do.
// Twilio sends empty strings when it does not know a value; so do we.
const AREA_CODES: Record<string, Omit<Geography, 'country'>> = {
  '202': { city: 'WASHINGTON', state: 'DC', zip: '20001' },
  '206': { city: 'SEATTLE', state: 'WA', zip: '98101' },
  '212': { city: 'NEW YORK', state: 'NY', zip: '10001' },
  '305': { city: 'MIAMI', state: 'FL', zip: '33101' },
  '312': { city: 'CHICAGO', state: 'IL', zip: '60601' },
  '415': { city: 'SAN FRANCISCO', state: 'CA', zip: '94105' },
  '512': { city: 'AUSTIN', state: 'TX', zip: '78701' },
  '617': { city: 'BOSTON', state: 'MA', zip: '02108' },
  '720': { city: 'DENVER', state: 'CO', zip: '80202' },
};

const COUNTRY_CODES: [prefix: string, country: string][] = [
  ['+1', 'US'], ['+44', 'GB'], ['+49', 'DE'], ['+33', 'FR'], ['+34', 'ES'], ['+39', 'IT'],
  ['+61', 'AU'], ['+31', 'NL'], ['+46', 'SE'], ['+52', 'MX'], ['+55', 'BR'], ['+91', 'IN'],
];

export function geography(address: string): Geography {
  if (isShortCode(address)) return { city: '', state: '', zip: '', country: 'US' };
  const country = COUNTRY_CODES.find(([prefix]) => address.startsWith(prefix))?.[1] ?? '';
  const area = country === 'US' ? AREA_CODES[address.slice(2, 5)] : undefined;
  return { city: area?.city ?? '', state: area?.state ?? '', zip: area?.zip ?? '', country };
}

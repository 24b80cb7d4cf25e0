import { createHmac } from 'node:crypto';

export type FormParams = Record<string, string>;

/**
 * Twilio's request signature: HMAC-SHA1 keyed with the account's Auth Token over the full
 * URL (query string included, exactly as configured) followed by every POST parameter name
 * and value, sorted by name; base64. For GET webhooks the parameters are in the URL and the
 * params argument is empty. Implemented here (not borrowed from the `twilio` package) so the
 * conformance tests check it independently against `twilio.validateRequest`.
 */
export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

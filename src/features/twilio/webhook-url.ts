/**
 * Whose SMS URL a Twilio number, short code or service holds (docs/rules.md#senders). Pure: no I/O.
 * Empty or Twilio's demo reply means nobody's, so Parley may take it; our own URL is ours
 * already; anything else belongs to some other application and is only replaced on request.
 */
export type WebhookOwner = 'none' | 'demo' | 'parley' | 'other';

export const inboundWebhookUrl = (publicUrl: string) => `${publicUrl.replace(/\/+$/, '')}/webhooks/twilio/messages`;

/** Twilio's demo reply, however it is written: http or https, with or without a trailing slash or `.xml`. */
export function isTwilioDemoUrl(url: string): boolean {
  try {
    const parsed = new URL(url.trim());
    return parsed.hostname.toLowerCase() === 'demo.twilio.com' && /^\/welcome\/sms(\/|$)/i.test(parsed.pathname);
  } catch {
    return false;
  }
}

const comparable = (url: string) => url.trim().replace(/\/+$/, '');

export function webhookOwner(current: string | null | undefined, ours: string): WebhookOwner {
  const url = (current ?? '').trim();
  if (url === '') return 'none';
  if (comparable(url) === comparable(ours)) return 'parley';
  if (isTwilioDemoUrl(url)) return 'demo';
  return 'other';
}

export const isOurWebhook = (current: string | null | undefined, ours: string) => webhookOwner(current, ours) === 'parley';

/** The parts of a Twilio inbound route that decide who receives its texts. */
export interface RouteSettings {
  url: string;
  applicationSid: string;
  defersToNumbers: boolean;
}

/**
 * Who receives a sender's texts. A number's SMS application wins over its SmsUrl, and a service
 * that defers hands its texts to each pool number's own SmsUrl: both are another application's,
 * whatever the URL says.
 */
export function routeOwner(route: RouteSettings, ours: string): WebhookOwner {
  if (route.applicationSid !== '' || route.defersToNumbers) return 'other';
  return webhookOwner(route.url, ours);
}

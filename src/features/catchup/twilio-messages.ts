import type { SenderRow } from '../twilio/messaging.js';
import type { TwilioClient } from '../twilio/client.js';
import type { TwilioParams } from '../twilio/webhook.js';
import type { MessageInstance } from 'twilio/lib/rest/api/v2010/account/message.js';

/*
 * What the catch-up reads from Twilio: a sender's received messages, listed the way Twilio lists
 * them (newest first, paged), and turned into the parameter set Twilio's webhook would have
 * posted. Errors are left to the caller; twilio-node's carry credentials, so nothing here logs them.
 */

/** Twilio's largest page: fewest round trips for a long outage. */
const PAGE_SIZE = 1000;

export interface ListedMessage {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  messagingServiceSid: string | null;
  numMedia: number;
  /** Twilio's date_created, whole seconds. */
  dateCreated: Date;
}

/** The numbers whose inbound messages are the sender's: its own, or a Messaging Service's pool. */
export async function numbersOf(client: TwilioClient, sender: SenderRow): Promise<string[]> {
  if (sender.type !== 'messaging_service') return [sender.address];
  const pool = await client.messaging.v1.services(sender.address).phoneNumbers.list();
  return pool.map((n) => n.phoneNumber);
}

/**
 * Every received message to `to` sent on or after `since`, following Twilio's paging to the end.
 * Twilio's `DateSent>` filter is documented to the day, so the list may start at midnight: what
 * came before `since` (before the sender was added, or stored by an earlier run) is dropped here.
 * `onPage` runs between pages (the caller keeps its lease).
 */
export async function listReceived(client: TwilioClient, to: string, since: Date, onPage: () => Promise<void>): Promise<ListedMessage[]> {
  const found: ListedMessage[] = [];
  let page: { instances: MessageInstance[]; nextPageUrl?: string; nextPage(): Promise<unknown> | undefined } = await client.messages.page({ to, dateSentAfter: since, pageSize: PAGE_SIZE });
  for (;;) {
    for (const m of page.instances) {
      if (m.direction !== 'inbound' || m.status !== 'received') continue;
      if ((m.dateSent ?? m.dateCreated) < since) continue;
      found.push({
        sid: m.sid,
        accountSid: m.accountSid,
        from: m.from,
        to: m.to,
        body: m.body ?? '',
        messagingServiceSid: m.messagingServiceSid || null,
        numMedia: Number.parseInt(String(m.numMedia ?? '0'), 10) || 0,
        dateCreated: m.dateCreated,
      });
    }
    if (!page.nextPageUrl) return found;
    await onPage();
    const next = (await page.nextPage()) as typeof page | undefined;
    if (!next) return found;
    page = next;
  }
}

/** A picture message's media, as the webhook's MediaUrl{N} would name them (the URL Parley downloads from). */
export async function mediaOf(client: TwilioClient, apiBaseUrl: string, m: ListedMessage): Promise<{ url: string; contentType: string }[]> {
  if (m.numMedia === 0) return [];
  const media = await client.messages(m.sid).media.list();
  return media.map((item) => ({ url: `${apiBaseUrl}${item.uri.replace(/\.json$/, '')}`, contentType: item.contentType }));
}

/** The webhook's parameters for a listed message: the same input, so the same steps store it. */
export function webhookParams(m: ListedMessage, media: { url: string; contentType: string }[]): TwilioParams {
  const params: TwilioParams = {
    MessageSid: m.sid,
    AccountSid: m.accountSid,
    From: m.from,
    To: m.to,
    Body: m.body,
    NumMedia: String(media.length),
  };
  if (m.messagingServiceSid) params.MessagingServiceSid = m.messagingServiceSid;
  media.forEach((item, n) => {
    params[`MediaUrl${n}`] = item.url;
    params[`MediaContentType${n}`] = item.contentType;
  });
  return params;
}

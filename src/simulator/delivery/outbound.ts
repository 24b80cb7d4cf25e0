import type { SimContext } from '../context.js';
import { deliveryOutcome } from '../faults.js';
import { createMedia } from '../media-files.js';
import type { MessageStatus, SimMessage } from '../model.js';
import { sendWebhook } from './webhook-post.js';
import { fetchMedia } from './media-fetch.js';

interface StatusEvent {
  status: MessageStatus;
  errorCode: number | null;
  errorMessage: string | null;
}

const ERROR_MESSAGES: Record<number, string> = {
  30003: 'Unreachable destination handset',
  30006: 'Landline or unreachable carrier',
  30007: 'Message filtered',
};

/**
 * What happens after Twilio accepts a message: a service picks its sender, the media is
 * fetched, the carrier delivers (or not), and status callbacks report it. The message's own
 * status moves at once (so fetch and list show the truth), while callbacks follow with the
 * configured delay and order, as they do when Twilio's callbacks lag behind.
 */
export function startOutboundDelivery(ctx: SimContext, message: SimMessage): void {
  ctx.background.run(async () => {
    const events = await deliver(ctx, message);
    await sendStatusCallbacks(ctx, message, events);
  });
}

async function deliver(ctx: SimContext, m: SimMessage): Promise<StatusEvent[]> {
  if (m.from === null) {
    m.from = pickServiceSender(ctx, m);
    setStatus(m, { status: 'queued', errorCode: null, errorMessage: null });
  }
  const fetched = await fetchMedia(ctx, m.mediaUrls);
  if (!fetched.ok) {
    const failed = { status: 'failed' as const, errorCode: fetched.errorCode, errorMessage: fetched.errorMessage };
    setStatus(m, failed);
    return [failed];
  }
  m.media = fetched.media.map((file) => createMedia(ctx, { accountSid: m.accountSid, messageSid: m.sid }, file));
  for (const media of m.media) ctx.store.media.set(media.sid, media);

  const outcome = deliveryOutcome(ctx.store.faults, m.to);
  const final: StatusEvent = {
    status: outcome.status,
    errorCode: outcome.errorCode,
    errorMessage: outcome.errorCode === null ? null : (ERROR_MESSAGES[outcome.errorCode] ?? null),
  };
  // A `failed` message never left Twilio; an `undelivered` one was sent and bounced.
  if (final.status === 'failed') {
    setStatus(m, final);
    return [final];
  }
  const sent: StatusEvent = { status: 'sent', errorCode: null, errorMessage: null };
  setStatus(m, sent);
  m.dateSent = new Date();
  setStatus(m, final);
  return [sent, final];
}

/** Twilio's sticky sender: the pool number this recipient last texted, else the first in the pool. */
function pickServiceSender(ctx: SimContext, m: SimMessage): string {
  const service = m.messagingServiceSid ? ctx.store.services.get(m.messagingServiceSid) : undefined;
  const pool = service?.phoneNumbers ?? [];
  const lastTexted = [...ctx.store.messages]
    .reverse()
    .find((other) => other.direction === 'inbound' && other.from === m.to && pool.includes(other.to));
  return lastTexted?.to ?? pool[0] ?? '';
}

function setStatus(m: SimMessage, event: StatusEvent): void {
  m.status = event.status;
  m.errorCode = event.errorCode;
  m.errorMessage = event.errorMessage;
  m.dateUpdated = new Date();
}

async function sendStatusCallbacks(ctx: SimContext, m: SimMessage, events: StatusEvent[]): Promise<void> {
  const faults = ctx.store.faults;
  if (!m.statusCallback || faults.dropStatusCallbacks) return;
  const ordered = faults.callbackOrder === 'reversed' ? [...events].reverse() : events;
  for (const event of ordered) {
    await ctx.background.sleep(ctx.store.faults.callbackDelayMs);
    const account = ctx.store.accounts.get(m.accountSid);
    if (!account) return;
    await sendWebhook(ctx, {
      kind: 'status-callback',
      messageSid: m.sid,
      url: m.statusCallback,
      method: 'POST',
      params: statusCallbackParams(m, event),
      authToken: account.authToken,
    });
  }
}

function statusCallbackParams(m: SimMessage, event: StatusEvent): Record<string, string> {
  return {
    AccountSid: m.accountSid,
    ApiVersion: '2010-04-01',
    From: m.from ?? '',
    To: m.to,
    MessageSid: m.sid,
    SmsSid: m.sid,
    MessageStatus: event.status,
    SmsStatus: event.status,
    ...(m.messagingServiceSid ? { MessagingServiceSid: m.messagingServiceSid } : {}),
    ...(event.errorCode === null ? {} : { ErrorCode: String(event.errorCode) }),
  };
}

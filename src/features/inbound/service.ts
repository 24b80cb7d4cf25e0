import { z } from 'zod';
import type { Context } from '../../context.js';
import type { Conn, Tx } from '../../db/database.js';
import { groupCommit } from '../../db/group-commit.js';
import { isUniqueViolation } from '../../db/errors.js';
import { countSegments } from '../../domain/segments.js';
import { isShortCode, toE164 } from '../../domain/phone.js';
import { AppError } from '../../errors.js';
import { newId } from '../../ids.js';
import { previewOf } from '../../domain/preview.js';
import { presentConversation, presentMessage } from '../conversations/presenters.js';
import { conversationLabels, isMessageStored, storeMessage } from '../conversations/service.js';
import { threadConversation, touchConversation, type ThreadedConversation } from '../conversations/threading.js';
import { applyOptOutKeyword, findOrCreateCustomerLocked, presentedCustomer } from '../customers/service.js';
import { conversationEvent, customerUpdatedEvent, messageEvent, type AppEvent } from '../events/app-event.js';
import { publishCommitted } from '../events/publish.js';
import { addInboundMedia, type InboundMediaItem } from '../media/service.js';
import type { ConnectedAccount } from '../twilio/accounts.js';
import { findInboundSender, type SenderRow } from '../twilio/messaging.js';
import { authenticateTwilioRequest, reportSignatureMismatch, withoutControls, type TwilioParams, type TwilioWebhook } from '../twilio/webhook.js';
import { unservedChannel, warnUnservedChannel, type UnservedMessage } from './channels.js';

export type InboundOutcome = 'stored' | 'duplicate' | 'ignored';

/**
 * docs/rules.md#the-webhooks-steps, one named step after another (receiveInTransaction). Step 1, the 64 KiB cap, is the
 * form parser's body limit (413) and has run before this is called. A refusal stores nothing and
 * is thrown here, after the transaction; the answer to a stored message leaves after its commit.
 */
export async function receiveInboundMessage(ctx: Context, webhook: TwilioWebhook): Promise<InboundOutcome> {
  const { params } = webhook;
  let received: Received;
  try {
    // Webhooks arriving together share one transaction and its commit (src/db/group-commit.ts),
    // each customer locked in the order of their numbers.
    received = await groupCommit(ctx.db).run(`${params.AccountSid} ${params.From}`, (tx) => receiveInTransaction(ctx, tx, webhook));
  } catch (err) {
    // The same MessageSid stored meanwhile by a racing retry, settled by the unique constraint.
    if (isUniqueViolation(err) && params.MessageSid && (await isMessageStored(ctx.db, params.MessageSid))) return 'duplicate';
    throw err;
  }
  if ('refused' in received) {
    await reportSignatureMismatch(ctx, received.refused);
    throw received.refused;
  }
  if ('unserved' in received) {
    warnUnservedChannel(ctx, received.unserved);
    return 'ignored';
  }
  if (!received.stored) return 'duplicate';
  await publishCommitted(ctx, await inboundEvents(ctx, received.stored));
  if (received.stored.media.length > 0) ctx.wakeWorker();
  return 'stored';
}

type Received = { refused: AppError } | { unserved: UnservedMessage } | { stored: StoredInbound | null };

/**
 * Steps 2 to 7 in one transaction. Steps 2 to 6 only read (but for clearing a run of signature
 * failures once a valid one arrives), so a refusal comes back as a value instead of a throw and
 * leaves the transaction (which other webhooks may share) to commit.
 */
async function receiveInTransaction(ctx: Context, tx: Tx, webhook: TwilioWebhook): Promise<Received> {
  let checked: { account: ConnectedAccount; message: InboundMessage; sender: SenderRow };
  try {
    const account = await authenticateTwilioRequest(ctx, tx, webhook); // steps 2–3
    const fields = withoutControls(webhook.params);
    const message = requireMessageFields(fields); // step 4
    // Before From is normalized: `whatsapp:+1…` would pass for the phone number it carries.
    const unserved = unservedChannel(account, { from: fields.From!, to: fields.To! });
    if (unserved) return { unserved };
    const sender = await findSender(tx, account, message); // step 5
    if (await isMessageStored(tx, message.messageSid)) return { stored: null }; // step 6
    checked = { account, message, sender };
  } catch (err) {
    if (err instanceof AppError) return { refused: err };
    throw err;
  }
  return { stored: await storeInboundMessage(ctx, tx, checked.account, checked.sender, checked.message) }; // step 7
}

const MAX_MEDIA = 10;

const requiredFields = z.object({
  MessageSid: z.string().min(1).max(64),
  From: z.string().trim().min(1).max(64),
  To: z.string().trim().min(1).max(64),
});

export interface InboundMessage {
  messageSid: string;
  from: string;
  to: string;
  body: string;
  messagingServiceSid: string | null;
  optOutType: string | undefined;
  media: InboundMediaItem[];
}

/** Step 4: MessageSid, From and To (400 when missing); the rest as Twilio documents it. */
export function requireMessageFields(params: TwilioParams): InboundMessage {
  const required = requiredFields.safeParse(params);
  if (!required.success) {
    const missing = required.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new AppError('bad_request', `Missing or invalid ${missing}: Twilio always sends MessageSid, From and To`);
  }
  const count = Math.min(MAX_MEDIA, Math.max(0, Number.parseInt(params.NumMedia ?? '0', 10) || 0));
  const media: InboundMediaItem[] = [];
  for (let n = 0; n < count; n++) {
    const url = params[`MediaUrl${n}`];
    if (url) media.push({ url, contentType: params[`MediaContentType${n}`] ?? '' });
  }
  return {
    messageSid: required.data.MessageSid,
    from: normalizedPhone(required.data.From),
    to: required.data.To,
    body: params.Body ?? '',
    messagingServiceSid: params.MessagingServiceSid || null,
    optOutType: params.OptOutType,
    media,
  };
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** Twilio sends E.164 already; anything else is normalized, and kept as sent when it is not a phone number. */
function normalizedPhone(input: string): string {
  return E164.test(input) ? input : (toE164(input) ?? input);
}

/** The address a sender is stored under for a `To`: a short code's digits, or a number in E.164. */
const senderAddress = (to: string) => (isShortCode(to) ? to : normalizedPhone(to));

/**
 * Step 5: the Messaging Service first (numbers in a service's pool arrive with its SID), then the
 * number or short code texted. Only an active sender of the account that signed the request counts.
 */
async function findSender(conn: Conn, account: ConnectedAccount, m: InboundMessage): Promise<SenderRow> {
  const address = senderAddress(m.to);
  const addresses: [string] | [string, string] = m.messagingServiceSid ? [m.messagingServiceSid, address] : [address];
  const sender = await findInboundSender(conn, account, addresses);
  if (!sender) throw new AppError('not_found', `${m.to} is not an active support number of this Twilio account in Parley`);
  return sender;
}

interface StoredInbound {
  organizationId: string;
  customer: { id: string; name: string | null; phone: string };
  thread: ThreadedConversation;
  message: Parameters<typeof presentMessage>[0];
  media: Awaited<ReturnType<typeof addInboundMedia>>;
  optOutChanged: boolean;
}

/**
 * Step 7, with nothing but the database awaited: customer (locked), conversation by the
 * threading rule, message, opt-out keyword, media jobs.
 */
async function storeInboundMessage(ctx: Context, tx: Tx, account: ConnectedAccount, sender: SenderRow, m: InboundMessage): Promise<StoredInbound> {
  const now = ctx.clock.now();
  const organizationId = sender.organizationId;
  const customer = await findOrCreateCustomerLocked(tx, organizationId, m.from, now);
  const thread = await threadConversation(tx, { organizationId, customerId: customer.id, senderId: sender.id, now });
  const message = inboundMessageRow(organizationId, thread.conversation.id, m, now);
  await storeMessage(tx, message);
  await touchConversation(tx, thread.conversation.id, { direction: 'inbound', at: now, preview: previewOf(m.body, m.media.length) });
  const optOutChanged = await applyOptOutKeyword(tx, { organizationId, customerId: customer.id, senderId: sender.id, body: m.body, optOutType: m.optOutType, now });
  const media = await addInboundMedia(tx, { organizationId, messageId: message.id, accountId: account.id, items: m.media, now });
  return { organizationId, customer, thread, message, media, optOutChanged };
}

function inboundMessageRow(organizationId: string, conversationId: string, m: InboundMessage, now: number) {
  const { segments, encoding } = countSegments(m.body);
  return {
    id: newId(now),
    organizationId,
    conversationId,
    direction: 'inbound' as const,
    body: m.body,
    status: 'received' as const,
    errorCode: null,
    errorMessage: null,
    segments,
    encoding,
    twilioSid: m.messageSid,
    authorId: null,
    createdAt: now,
    updatedAt: now,
    mentions: null,
  };
}


/** Built from what the transaction wrote, so publishing costs no extra reads (one, after an opt-out change). */
async function inboundEvents(ctx: Context, s: StoredInbound): Promise<(AppEvent | null)[]> {
  const { conversation } = s.thread;
  const at = s.message.createdAt;
  const organizationId = s.organizationId;
  // A new conversation has no labels yet; an existing one's travel in its event (one read).
  const labels = s.thread.created ? [] : await conversationLabels(ctx.db, organizationId, conversation.id);
  const presented = presentConversation(
    {
      ...conversation,
      lastMessageAt: at,
      lastInboundAt: at,
      preview: previewOf(s.message.body, s.media.length),
      customerName: s.customer.name,
      customerPhone: s.customer.phone,
    },
    labels,
  );
  return [
    conversationEvent(s.thread.created ? 'conversation.created' : 'conversation.updated', organizationId, presented),
    messageEvent('message.created', organizationId, presentMessage(s.message, s.media)),
    s.optOutChanged ? customerUpdatedEvent(organizationId, await presentedCustomer(ctx.db, organizationId, s.customer.id)) : null,
  ];
}

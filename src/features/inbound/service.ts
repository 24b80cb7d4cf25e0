import { z } from 'zod';
import type { Context } from '../../context.js';
import { isPostgres, type Conn, type Tx } from '../../db/database.js';
import { groupCommit } from '../../db/group-commit.js';
import { holdWrites, holdsWrites } from '../../db/held-writes.js';
import { isUniqueViolation } from '../../db/errors.js';
import { countSegments } from '../../domain/segments.js';
import { isShortCode, toE164 } from '../../domain/phone.js';
import { AppError } from '../../errors.js';
import { newId } from '../../ids.js';
import { previewOf } from '../../domain/preview.js';
import { presentConversation, presentMessage } from '../conversations/presenters.js';
import { conversationLabels, isMessageStored, rememberStored, type MessageRow } from '../conversations/service.js';
import { noConversationYet, rememberConversation, storeInboundWithActivity, threadConversation, type ThreadedConversation } from '../conversations/threading.js';
import { applyOptOutKeyword, findOrCreateCustomerLocked, presentedCustomer } from '../customers/service.js';
import { conversationEvent, customerUpdatedEvent, messageEvent, type AppEvent } from '../events/app-event.js';
import { publishCommitted } from '../events/publish.js';
import { addInboundMedia, type InboundMediaItem } from '../media/service.js';
import type { ConnectedAccount } from '../twilio/accounts.js';
import { findInboundSender, type SenderRow } from '../twilio/messaging.js';
import { replyWhenAway } from '../outbound/away.js';
import { authenticateTwilioRequest, isLookedUp, reportSignatureMismatch, withoutControls, type TwilioParams, type TwilioWebhook } from '../twilio/webhook.js';
import { unservedChannel, warnUnservedChannel, type UnservedMessage } from './channels.js';
import { readAheadAndLock, readAheadThreads, type AheadText } from './read-ahead.js';

export type InboundOutcome = 'stored' | 'duplicate' | 'ignored';

/**
 * docs/rules.md#the-webhooks-steps, one named step after another (receiveInTransaction). Step 1, the 64 KiB cap, is the
 * form parser's body limit (413) and has run before this is called. A refusal stores nothing and
 * is thrown here, after the transaction; the answer to a stored message leaves after its commit.
 */
export function receiveInboundMessage(ctx: Context, webhook: TwilioWebhook): Promise<InboundOutcome> {
  return receive(ctx, { params: webhook.params, account: (tx) => authenticateTwilioRequest(ctx, tx, webhook) });
}

/**
 * A message the catch-up found in Twilio's Messages list (docs/twilio.md#7-nothing-lost-while-parley-is-down):
 * the webhook's own steps 4 to 7 on the same parameters, for the account that listed it, at the
 * message's own time. Whichever of the two stores a MessageSid first wins; the other is a duplicate.
 */
export function receiveListedMessage(ctx: Context, account: ConnectedAccount, params: TwilioParams, at: number): Promise<InboundOutcome> {
  return receive(ctx, { params, account: async () => account, at });
}

/** Where a message comes from: Twilio's parameters, the account they belong to, and the message's time (now when absent). */
interface Source {
  params: TwilioParams;
  account: (tx: Tx) => Promise<ConnectedAccount>;
  at?: number;
}

async function receive(ctx: Context, source: Source): Promise<InboundOutcome> {
  const { params } = source;
  let received: Received;
  try {
    // Messages arriving together share one transaction and its commit (src/db/group-commit.ts),
    // each customer locked in the order of their numbers.
    received = await groupCommit(ctx.db, ctx.log).run(`${params.AccountSid} ${params.From}`, (tx) => receiveInTransaction(ctx, tx, source), { step: readAheadBatch, hint: params });
  } catch (err) {
    // The same MessageSid stored meanwhile by a racing retry or catch-up, settled by the unique constraint.
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
  if (received.stored.media.length > 0 || received.stored.awayReply) ctx.wakeWorker();
  return 'stored';
}

/**
 * PostgreSQL, before a batch's webhooks run one by one: the reads each would make on its own
 * (its account and sender, their organization, stored already? the customer, locked; the
 * customer's latest conversation and its labels, for the event) made for all of them in two
 * statements (./read-ahead.ts), since there every statement is a round trip to another process.
 * What is read ahead is answered once (src/db/tx-memo.ts); a webhook that fails a step reads for
 * itself, and a customer's second text in the batch finds what the first one left. Nothing is
 * written here, and the batch's own writes are held back and sent in one statement before its
 * commit (src/db/held-writes.ts).
 * Where the engines part: SQLite runs statements in-process, where one indexed read or write per
 * webhook costs no more than gathering them, so there each webhook reads and writes for itself.
 */
async function readAheadBatch(tx: Tx, batch: TwilioParams[]): Promise<void> {
  if (!isPostgres(tx)) return;
  holdWrites(tx);
  const texts: AheadText[] = [];
  for (const params of batch) {
    const message = messageFieldsOrNull(params);
    if (!message || !isLookedUp(params.AccountSid)) continue;
    texts.push({ accountSid: params.AccountSid, addresses: senderAddresses(message), phone: message.from, messageSid: message.messageSid });
  }
  await readAheadThreads(tx, await readAheadAndLock(tx, texts));
}

function messageFieldsOrNull(params: TwilioParams): InboundMessage | null {
  try {
    return requireMessageFields(withoutControls(params));
  } catch {
    return null;
  }
}

type Received = { refused: AppError } | { unserved: UnservedMessage } | { stored: StoredInbound | null };

/**
 * Steps 2 to 7 in one transaction. Steps 2 to 6 only read (but for clearing a run of signature
 * failures once a valid one arrives), so a refusal comes back as a value instead of a throw and
 * leaves the transaction (which other webhooks may share) to commit.
 */
async function receiveInTransaction(ctx: Context, tx: Tx, source: Source): Promise<Received> {
  let checked: Checked;
  try {
    const account = await source.account(tx); // steps 2–3
    const fields = withoutControls(source.params);
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
  return { stored: await storeInboundMessage(ctx, tx, checked, source.at) }; // step 7
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

/** Where step 5 looks for a message's sender, in order of preference. */
const senderAddresses = (m: InboundMessage): [string] | [string, string] => (m.messagingServiceSid ? [m.messagingServiceSid, senderAddress(m.to)] : [senderAddress(m.to)]);

/**
 * Step 5: the Messaging Service first (numbers in a service's pool arrive with its SID), then the
 * number or short code texted. Only an active sender of the account that signed the request counts.
 */
async function findSender(conn: Conn, account: Pick<ConnectedAccount, 'id' | 'organizationId'>, m: InboundMessage): Promise<SenderRow> {
  const sender = await findInboundSender(conn, account, senderAddresses(m));
  if (!sender) throw new AppError('not_found', `${m.to} is not an active support number of this Twilio account in Parley`);
  return sender;
}

interface StoredInbound {
  organizationId: string;
  customer: { id: string; name: string | null; phone: string };
  thread: ThreadedConversation;
  /** The conversation's activity once this message is in (a late one does not move it back). */
  activity: { lastMessageAt: number; lastInboundAt: number; preview: string };
  message: Parameters<typeof presentMessage>[0];
  media: Awaited<ReturnType<typeof addInboundMedia>>;
  optOutChanged: boolean;
  /** The away reply this message triggered, queued to be sent. */
  awayReply: MessageRow | null;
  labels: Awaited<ReturnType<typeof conversationLabels>>;
}

/**
 * Step 7, with nothing but the database awaited: customer (locked), conversation by the
 * threading rule at the message's own time, message, opt-out keyword, media jobs, and the away
 * reply outside business hours (to a live webhook only: a text the catch-up recovers late gets none).
 */
async function storeInboundMessage(ctx: Context, tx: Tx, { account, sender, message: m }: Checked, at?: number): Promise<StoredInbound> {
  const organizationId = sender.organizationId;
  const customer = await findOrCreateCustomerLocked(tx, organizationId, m.from, ctx.clock.now());
  if (customer.created) noConversationYet(tx, customer.id, sender.id);
  // The clock is read once the customer is ours: a text stored after another of theirs (which
  // another batch held the lock for) is never given an earlier time, and ids count up within a
  // millisecond (src/ids.ts), so the thread shows a customer's texts in the order they were stored.
  const now = ctx.clock.now();
  const time = at ?? now;
  const thread = await threadConversation(tx, { organizationId, customerId: customer.id, senderId: sender.id, now: time });
  const message = inboundMessageRow(organizationId, thread.conversation.id, m, time, now);
  const preview = previewOf(m.body, m.media.length);
  await storeInboundWithActivity(tx, message, { preview, receivedAt: now });
  const optOutChanged = await applyOptOutKeyword(tx, { organizationId, customerId: customer.id, senderId: sender.id, body: m.body, optOutType: m.optOutType, now });
  const media = await addInboundMedia(tx, { organizationId, messageId: message.id, accountId: account.id, items: m.media, now });
  const activity = { lastMessageAt: Math.max(time, thread.conversation.lastMessageAt), lastInboundAt: now, preview: time >= thread.conversation.lastMessageAt ? preview : thread.conversation.preview };
  const awayReply = at === undefined ? await replyWhenAway(ctx, tx, { organizationId, conversation: thread.conversation, customer, senderId: sender.id, at: now }) : null;
  // A new conversation has no labels yet; an existing one's travel in its event (read ahead for a batch).
  const labels = thread.created ? [] : await conversationLabels(tx, organizationId, thread.conversation.id);
  if (holdsWrites(tx)) {
    rememberStored(tx, m.messageSid);
    // What the customer's next text in the batch would read, unless the away reply changed it meanwhile.
    if (!awayReply && time === now) rememberConversation(tx, { ...thread.conversation, status: 'open', lastMessageAt: now, lastInboundAt: now, preview });
  }
  return { organizationId, customer, thread, activity, message, media, optOutChanged, awayReply, labels };
}

type Checked = { account: ConnectedAccount; message: InboundMessage; sender: SenderRow };

function inboundMessageRow(organizationId: string, conversationId: string, m: InboundMessage, at: number, now: number) {
  const { segments, encoding } = countSegments(m.body);
  return {
    id: newId(at),
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
    createdAt: at,
    updatedAt: now,
    automatic: 0 as const,
    mentions: null,
  };
}


/** Built from what the transaction wrote, so publishing costs no extra reads (one, after an opt-out change). */
async function inboundEvents(ctx: Context, s: StoredInbound): Promise<(AppEvent | null)[]> {
  const { conversation } = s.thread;
  const organizationId = s.organizationId;
  const presented = presentConversation({ ...conversation, ...s.activity, customerName: s.customer.name, customerPhone: s.customer.phone }, s.labels);
  return [
    conversationEvent(s.thread.created ? 'conversation.created' : 'conversation.updated', organizationId, presented),
    messageEvent('message.created', organizationId, presentMessage(s.message, s.media)),
    s.optOutChanged ? customerUpdatedEvent(organizationId, await presentedCustomer(ctx.db, organizationId, s.customer.id)) : null,
    s.awayReply ? messageEvent('message.created', organizationId, presentMessage(s.awayReply, [])) : null,
  ];
}

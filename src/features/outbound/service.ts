import type { Context } from '../../context.js';
import type { Conn, Tx } from '../../db/database.js';
import type { SegmentCount } from '../../domain/segments.js';
import { AppError, conflict, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import { deleteJobsAbout, pullJobsForward } from '../../jobs/queue.js';
import type { AuthUser } from '../accounts/sessions.js';
import { previewOf } from '../../domain/preview.js';
import { threadConversation, touchConversation } from '../conversations/threading.js';
import { findCustomer, findCustomerByPhone, findOrCreateCustomerLocked, lockCustomer } from '../customers/service.js';
import { checkContent, checkMedia, checkNotOptedOut, checkPhone, checkRetryable, checkSender } from './checks.js';
import { findConversation, findMessage, presentedConversation, presentedMessage, resetForRetry, storeMessage } from '../conversations/service.js';
import { attachUpload, mediaIdsOfMessage } from '../media/service.js';
import { conversationEvent, messageEvent } from '../events/app-event.js';
import { publishCommitted } from '../events/publish.js';
import * as q from './queries.js';
import { enqueueSend, SEND_JOB } from './payload.js';

export interface OutboundInput {
  body: string;
  mediaIds?: string[];
}

/** An agent's reply in a conversation, from that conversation's sender to its customer (docs/rules.md#outbound-messages). */
export async function sendReply(ctx: Context, auth: AuthUser, conversationId: string, input: OutboundInput) {
  const mediaIds = input.mediaIds ?? [];
  const count = checkContent(input.body, mediaIds);
  const conversation = await findConversation(ctx.db, auth.organizationId, conversationId);
  if (!conversation) throw notFound('Conversation');
  await checkSender(ctx.db, auth.organizationId, conversation.senderId, { hasMedia: mediaIds.length > 0 });
  const customer = await findCustomer(ctx.db, auth.organizationId, conversation.customerId);
  if (!customer) throw notFound('Customer');
  checkPhone(customer.phone, 'customerId');
  await checkNotOptedOut(ctx.db, customer.id, conversation.senderId, 'customerId');
  await checkMedia(ctx.db, auth.organizationId, mediaIds);

  const messageId = await ctx.db.transaction().execute((tx) =>
    storeOutbound(ctx, tx, { organizationId: auth.organizationId, conversationId, authorId: auth.id, body: input.body, mediaIds, count }),
  );
  const message = await presentedMessage(ctx.db, auth.organizationId, messageId);
  await publishCommitted(ctx, [
    messageEvent('message.created', auth.organizationId, message),
    conversationEvent('conversation.updated', auth.organizationId, await presentedConversation(ctx.db, auth.organizationId, conversationId)),
  ]);
  // Woken only now, so the job's own events (queued, sent…) cannot overtake message.created.
  ctx.wakeWorker();
  return readBack(message);
}

export interface StartInput extends OutboundInput {
  senderId: string;
  customerId?: string;
  phone?: string;
}

/**
 * An agent texts a customer first, by customer or by phone number, from a chosen sender. The
 * threading rule of docs/rules.md#inbound-messages picks the conversation, under the customer's lock, so this and a
 * message arriving from the customer at the same moment never open two conversations.
 */
export async function startConversation(ctx: Context, auth: AuthUser, input: StartInput) {
  const org = auth.organizationId;
  const mediaIds = input.mediaIds ?? [];
  const count = checkContent(input.body, mediaIds);
  await checkSender(ctx.db, org, input.senderId, { hasMedia: mediaIds.length > 0 });
  const field = input.customerId !== undefined ? 'customerId' : 'phone';
  const target = await resolveCustomer(ctx, org, input);
  if (target.existingId) await checkNotOptedOut(ctx.db, target.existingId, input.senderId, field);
  await checkMedia(ctx.db, org, mediaIds);

  const now = ctx.clock.now();
  const stored = await ctx.db.transaction().execute(async (tx) => {
    const customer = target.existingId ? await lockCustomer(tx, org, target.existingId) : await findOrCreateCustomerLocked(tx, org, target.phone, now);
    if (!customer) throw notFound('Customer');
    const threaded = await threadConversation(tx, { organizationId: org, customerId: customer.id, senderId: input.senderId, now });
    const conversationId = threaded.conversation.id;
    const messageId = await storeOutbound(ctx, tx, { organizationId: org, conversationId, authorId: auth.id, body: input.body, mediaIds, count });
    return { conversationId, messageId, created: threaded.created };
  });

  const conversation = await presentedConversation(ctx.db, org, stored.conversationId);
  const message = await presentedMessage(ctx.db, org, stored.messageId);
  await publishCommitted(ctx, [
    conversationEvent(stored.created ? 'conversation.created' : 'conversation.updated', org, conversation),
    messageEvent('message.created', org, message),
  ]);
  ctx.wakeWorker(); // after the events, as in sendReply
  return { conversation: readBack(conversation), message: readBack(message) };
}

/** The customer to text: an existing one by id, or by phone (found, or created in the transaction). */
async function resolveCustomer(ctx: Context, org: string, input: StartInput): Promise<{ existingId: string | null; phone: string }> {
  if ((input.customerId === undefined) === (input.phone === undefined)) {
    throw new AppError('validation_failed', 'customerId: give either customerId or phone, not both and not neither', 'customerId');
  }
  if (input.customerId !== undefined) {
    const customer = await findCustomer(ctx.db, org, input.customerId);
    if (!customer) throw notFound('Customer');
    return { existingId: customer.id, phone: checkPhone(customer.phone, 'customerId') };
  }
  const phone = checkPhone(input.phone!, 'phone');
  const existing = await findCustomerByPhone(ctx.db, org, phone);
  return { existingId: existing?.id ?? null, phone };
}

/**
 * Sends a failed or undelivered message again, as a new attempt on the same message, after the
 * same checks as a new send. Its older attempts are superseded (their late callbacks change
 * nothing) and an old send job still waiting to recheck one is replaced.
 */
export async function retryMessage(ctx: Context, auth: AuthUser, messageId: string) {
  const org = auth.organizationId;
  const message = await findMessage(ctx.db, org, messageId);
  if (!message) throw notFound('Message');
  checkRetryable(message);
  const conversation = await findConversation(ctx.db, org, message.conversationId);
  if (!conversation) throw notFound('Conversation');
  const mediaIds = await mediaIdsOfMessage(ctx.db, message.id);
  checkContent(message.body, mediaIds);
  await checkSender(ctx.db, org, conversation.senderId, { hasMedia: mediaIds.length > 0 });
  const customer = await findCustomer(ctx.db, org, conversation.customerId);
  if (!customer) throw notFound('Customer');
  checkPhone(customer.phone, 'customerId');
  await checkNotOptedOut(ctx.db, customer.id, conversation.senderId, 'customerId');

  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await resetForRetry(tx, message.id, now))) throw conflict('This message is no longer failed; it may have been sent again already');
    await q.supersedeAcceptedAttempts(tx, message.id, now);
    await deleteJobsAbout(tx, SEND_JOB, message.id);
    await enqueueSend(tx, message.id, org, now);
  });
  const retried = await presentedMessage(ctx.db, org, message.id);
  await publishCommitted(ctx, [messageEvent('message.updated', org, retried)]);
  ctx.wakeWorker(); // after the event, as in sendReply
  return readBack(retried);
}

/**
 * The message (pending, with its segment count), its attachments and its send job, in the
 * caller's transaction: the job exists exactly when the message does.
 */
export async function storeOutbound(
  ctx: Context,
  tx: Tx,
  input: { organizationId: string; conversationId: string; authorId: string | null; body: string; mediaIds: string[]; count: SegmentCount; automatic?: boolean },
  now = ctx.clock.now(),
): Promise<string> {
  const id = newId(now);
  await storeMessage(tx, {
    id,
    organizationId: input.organizationId,
    conversationId: input.conversationId,
    direction: 'outbound',
    body: input.body,
    status: 'pending',
    errorCode: null,
    errorMessage: null,
    segments: input.count.segments,
    encoding: input.count.encoding,
    twilioSid: null,
    authorId: input.authorId,
    createdAt: now,
    updatedAt: now,
    automatic: input.automatic ? 1 : 0,
  });
  for (const [position, mediaId] of input.mediaIds.entries()) {
    if (!(await attachUpload(tx, { organizationId: input.organizationId, mediaId, messageId: id, position }))) {
      throw conflict(`Picture ${mediaId} was attached to another message a moment ago; upload it again`);
    }
  }
  // An automatic reply leaves the inbox showing what the customer wrote.
  if (!input.automatic) await touchConversation(tx, input.conversationId, { direction: 'outbound', at: now, preview: previewOf(input.body, input.mediaIds.length) });
  await enqueueSend(tx, id, input.organizationId, now);
  return id;
}

/**
 * What was just committed, read back for the answer. Missing (deleted meanwhile, or a failed
 * read) it is a clear 500, never an empty 202: the send itself is committed and goes ahead.
 */
function readBack<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) {
    throw new AppError('internal', 'The message was saved and will be sent, but it could not be read back; reload the conversation to see it');
  }
  return value;
}

/**
 * After an admin replaces the Auth Token of a paused account (docs/rules.md#pause-on-20003), its waiting sends become
 * due at once instead of at their next check. Call it in the transaction that clears paused_at,
 * then ctx.wakeWorker() after the commit.
 */
export async function resumePausedSends(conn: Conn, organizationId: string, now: number): Promise<void> {
  await pullJobsForward(conn, SEND_JOB, organizationId, now);
}

import { isPostgres, type Tx } from '../../db/database.js';
import type { NewRow } from '../../db/schema.js';
import { holdInsert, holdUpdate, holdsWrites, sendHeldWrites } from '../../db/held-writes.js';
import { putReadAhead, takeReadAhead } from '../../db/tx-memo.js';
import { chooseConversation } from '../../domain/threading.js';
import { newId } from '../../ids.js';
import { threadingWindowHours } from '../accounts/service.js';
import * as q from './queries.js';

export interface ThreadedConversation {
  conversation: q.ConversationRow;
  created: boolean;
  reopened: boolean;
}

/**
 * Picks or opens the conversation for a new message between a customer and a sender, by the
 * threading rule (src/domain/threading.ts), at the message's own time `now`. Call it with the
 * customer row locked (see findOrCreateCustomerLocked) so racing messages never open two
 * conversations. Inbound webhooks, caught-up messages and agents who text first all come through here.
 */
export async function threadConversation(
  tx: Tx,
  input: { organizationId: string; customerId: string; senderId: string; now: number },
): Promise<ThreadedConversation> {
  const windowHours = await threadingWindowHours(tx, input.organizationId);
  const latest = await takeReadAhead(tx, latestKey(input.customerId, input.senderId), () => q.latestConversation(tx, input.customerId, input.senderId));
  // Activity after the message's own time: it arrives late (docs/twilio.md#7-nothing-lost-while-parley-is-down).
  const joined = latest && latest.lastMessageAt > input.now ? await lateConversation(tx, input, windowHours) : joinable(latest, input.now, windowHours);
  if (joined) {
    const reopen = joined.status === 'closed';
    if (reopen) await q.setConversationFields(tx, joined.id, { status: 'open' });
    return { conversation: { ...joined, status: 'open' }, created: false, reopened: reopen };
  }
  const conversation: q.ConversationRow = {
    id: newId(input.now),
    organizationId: input.organizationId,
    customerId: input.customerId,
    senderId: input.senderId,
    status: 'open',
    assigneeId: null,
    lastMessageAt: input.now,
    lastInboundAt: null,
    preview: '',
    createdAt: input.now,
    awaySentAt: null,
  };
  if (!holdInsert(tx, 'conversations', conversation)) await q.insertConversation(tx, conversation);
  return { conversation, created: true, reopened: false };
}

const latestKey = (customerId: string, senderId: string) => `latest-conversation ${customerId} ${senderId}`;

/**
 * PostgreSQL, for a batch of webhooks: the customer's latest conversation on the sender (undefined:
 * none), read ahead for threadConversation to answer from (once; a second message of the customer
 * in the batch reads what the first one wrote). Read it with the customer already locked, in a
 * statement after the lock's: only then does it see what the lock's last holder committed.
 */
export const putLatestConversation = (tx: Tx, customerId: string, senderId: string, row: q.ConversationRow | undefined) => putReadAhead(tx, latestKey(customerId, senderId), row);

/** The conversation as this transaction left it, for the customer's next text on the sender in the batch (a batch holding writes). */
export const rememberConversation = (tx: Tx, row: q.ConversationRow) => putReadAhead(tx, latestKey(row.customerId, row.senderId), row);

/** A customer created in this transaction has no conversation yet: threadConversation need not look. */
export const noConversationYet = (tx: Tx, customerId: string, senderId: string) => putReadAhead(tx, latestKey(customerId, senderId), undefined);

const joinable = (c: q.ConversationRow | undefined, at: number, windowHours: number, lastAt = c?.lastMessageAt) =>
  c && lastAt !== undefined && 'join' in chooseConversation({ ...c, lastMessageAt: lastAt }, at, windowHours) ? c : undefined;

/**
 * The conversation a late message would have joined had it arrived on time: the one holding the
 * customer's newest earlier message on this sender (judged by that message's time); failing that,
 * one opened within the window after it, which the message would have opened itself.
 */
async function lateConversation(tx: Tx, input: { customerId: string; senderId: string; now: number }, windowHours: number) {
  await sendHeldWrites(tx);
  const before = await q.conversationWithMessageBefore(tx, input.customerId, input.senderId, input.now);
  const joined = before && joinable(before.conversation, input.now, windowHours, before.messageAt);
  return joined ?? (await q.conversationOpenedAfter(tx, input.customerId, input.senderId, input.now, input.now + windowHours * 3_600_000));
}

/**
 * Moves the conversation's activity to this message: its time, the inbox preview, the unread
 * marker. A message stored after its own time (`receivedAt` later than `at`, a caught-up one)
 * never moves the activity back, and marks the conversation unread from when it arrived.
 */
export async function touchConversation(tx: Tx, conversationId: string, message: { direction: 'inbound' | 'outbound'; at: number; preview: string; receivedAt?: number }) {
  if (message.receivedAt !== undefined && message.receivedAt !== message.at) {
    await q.setLateInboundActivity(tx, conversationId, message.at, message.preview, message.receivedAt);
    return;
  }
  await q.setConversationActivity(tx, conversationId, message.at, message.preview, message.direction === 'inbound');
}

/**
 * Stores an inbound message and moves its conversation's activity to it (touchConversation).
 * On PostgreSQL, where each statement is a round trip to another process, a message arriving on
 * time does both in one statement, or, in a batch holding writes (src/db/held-writes.ts), in the
 * batch's one statement; SQLite runs statements in-process, where two plain ones cost no more and
 * keep the insert shared with every other message.
 */
export async function storeInboundWithActivity(tx: Tx, row: NewRow<'messages'> & { conversationId: string; createdAt: number }, activity: { preview: string; receivedAt: number }): Promise<void> {
  const onTime = activity.receivedAt === row.createdAt;
  if (onTime && holdsWrites(tx)) {
    holdInsert(tx, 'messages', row);
    holdUpdate(tx, 'conversations', row.conversationId, { lastMessageAt: row.createdAt, lastInboundAt: row.createdAt, preview: activity.preview });
    return;
  }
  await sendHeldWrites(tx);
  if (isPostgres(tx) && onTime) {
    await q.insertInboundMessageTouching(tx, row, activity.preview);
    return;
  }
  await q.insertMessage(tx, row);
  await touchConversation(tx, row.conversationId, { direction: 'inbound', at: row.createdAt, preview: activity.preview, receivedAt: activity.receivedAt });
}

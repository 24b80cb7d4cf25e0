import type { Tx } from '../../db/database.js';
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
 * threading rule (src/domain/threading.ts). Call it with the customer row locked (see
 * findOrCreateCustomerLocked) so racing messages never open two conversations. Inbound
 * webhooks and agents who text first both come through here.
 */
export async function threadConversation(
  tx: Tx,
  input: { organizationId: string; customerId: string; senderId: string; now: number },
): Promise<ThreadedConversation> {
  const windowHours = await threadingWindowHours(tx, input.organizationId);
  const latest = await q.latestConversation(tx, input.customerId, input.senderId);
  const decision = chooseConversation(latest, input.now, windowHours);
  if ('join' in decision && latest) {
    if (decision.reopen) await q.setConversationFields(tx, latest.id, { status: 'open' });
    return { conversation: { ...latest, status: 'open' }, created: false, reopened: decision.reopen };
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
  };
  await q.insertConversation(tx, conversation);
  return { conversation, created: true, reopened: false };
}

/** Moves the conversation's activity to this message: its time, the inbox preview, the unread marker. */
export async function touchConversation(tx: Tx, conversationId: string, message: { direction: 'inbound' | 'outbound'; at: number; preview: string }) {
  await q.setConversationActivity(tx, conversationId, message.at, message.preview, message.direction === 'inbound');
}

import type { Context } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { sendHeldWrites } from '../../db/held-writes.js';
import { isOpen } from '../../domain/business-hours.js';
import { toE164 } from '../../domain/phone.js';
import { countSegments, MAX_BODY_CHARACTERS } from '../../domain/segments.js';
import { awaySettings } from '../accounts/service.js';
import { findMessage, markAwaySent, type MessageRow } from '../conversations/service.js';
import { isOptedOut } from '../customers/service.js';
import { storeOutbound } from './service.js';

export interface AwayTrigger {
  organizationId: string;
  conversation: { id: string; awaySentAt: number | null };
  customer: { id: string; phone: string };
  senderId: string;
  /** When the customer's message arrived. */
  at: number;
}

/**
 * The away reply of docs/rules.md#business-hours-and-away-message, in the inbound message's own
 * transaction: the reply and its send job commit with the message that triggered it, so a crash
 * neither loses nor doubles it, and the conversation is marked so it goes once. The send checks
 * an agent's reply meets are met here (opt-out after this message's keyword, a textable number,
 * the length limit; the sender was found active and connected); the send job checks again.
 * Returns the stored reply, or null when none is due.
 */
export async function replyWhenAway(ctx: Context, tx: Tx, t: AwayTrigger): Promise<MessageRow | null> {
  if (t.conversation.awaySentAt !== null) return null;
  const away = await awaySettings(tx, t.organizationId);
  if (!away || isOpen(away.businessHours, t.at)) return null;
  const count = countSegments(away.awayMessage);
  if (count.characters > MAX_BODY_CHARACTERS || toE164(t.customer.phone) === null) return null;
  if (await isOptedOut(tx, t.customer.id, t.senderId)) return null;
  await sendHeldWrites(tx); // the conversation may be one the batch holds
  await markAwaySent(tx, t.conversation.id, t.at);
  // A millisecond after the message it answers, so the thread shows them in that order.
  const id = await storeOutbound(
    ctx,
    tx,
    { organizationId: t.organizationId, conversationId: t.conversation.id, authorId: null, body: away.awayMessage, mediaIds: [], count, automatic: true },
    t.at + 1,
  );
  return (await findMessage(tx, t.organizationId, id)) ?? null;
}

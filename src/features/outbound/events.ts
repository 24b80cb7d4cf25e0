import type { Context } from '../../context.js';
import type { AppEvent } from '../events/bus.js';
import { publishCommitted } from '../events/publish.js';
import { presentConversation, presentMessage } from '../conversations/presenters.js';
import { conversationWithCustomer, mediaOfMessages, type MessageRow } from '../conversations/queries.js';
import { presentedMessage } from '../conversations/service.js';
import { presentCustomer } from '../customers/presenters.js';
import { customerWithOptOuts } from '../customers/service.js';

/* Events are built from committed rows, after the commit, so listeners never see a rolled-back change. */

export async function presentedConversation(ctx: Context, organizationId: string, conversationId: string) {
  const conversation = await conversationWithCustomer(ctx.db, organizationId, conversationId);
  return conversation ? presentConversation(conversation) : null;
}

export async function messageEvent(ctx: Context, type: 'message.created' | 'message.updated', organizationId: string, messageId: string): Promise<AppEvent | null> {
  const data = await presentedMessage(ctx.db, organizationId, messageId);
  return data ? { type, organizationId, data } : null;
}

/** The event for a row a statement just changed (UPDATE … RETURNING), without reading it again. */
export async function messageRowEvent(ctx: Context, type: 'message.created' | 'message.updated', row: MessageRow, mediaCount: number | null): Promise<AppEvent> {
  // Counts arrive as numbers or, from some drivers, numeric strings.
  const media = Number(mediaCount) > 0 ? await mediaOfMessages(ctx.db, [row.id]) : [];
  return { type, organizationId: row.organizationId, data: presentMessage(row, media) };
}

export async function customerUpdatedEvent(ctx: Context, organizationId: string, customerId: string): Promise<AppEvent | null> {
  const found = await customerWithOptOuts(ctx.db, organizationId, customerId);
  return found ? { type: 'customer.updated', organizationId, data: presentCustomer(found.customer, found.optOuts) } : null;
}

/** Publishes what could be built; a failed publish is logged and never undoes the committed change. */
export async function publish(ctx: Context, events: (AppEvent | null)[]): Promise<void> {
  await publishCommitted(ctx, events.filter((e): e is AppEvent => e !== null));
}

/** message.updated for a row just changed, if it changed. */
export async function publishMessageRow(ctx: Context, row: MessageRow | undefined, mediaCount: number | null): Promise<void> {
  if (row) await publish(ctx, [await messageRowEvent(ctx, 'message.updated', row, mediaCount)]);
}

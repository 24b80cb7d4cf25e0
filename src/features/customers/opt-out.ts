import type { Context } from '../../context.js';
import { invalid, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import type { AuthUser } from '../accounts/sessions.js';
import { recordAudit } from '../audit/service.js';
import { customerUpdatedEvent } from '../events/app-event.js';
import { publishCommitted } from '../events/publish.js';
import { organizationSenderIds } from '../twilio/messaging.js';
import { presentedCustomer } from './service.js';
import * as q from './queries.js';

export interface OptOutRequest {
  /** Absent: every sender of the organization. */
  senderId?: string;
  reason?: string;
}

/**
 * An agent opts a customer out, or back in, on their behalf (docs/rules.md#unsubscribe-on-a-customers-behalf):
 * Parley's opt-out changes as a keyword would change it, with who and why kept for the timeline
 * and the audit log. Twilio's own block after a STOP is not the agent's to lift: it stays.
 */
export async function changeOptOut(ctx: Context, auth: AuthUser, customerId: string, action: 'opt_out' | 'opt_in', input: OptOutRequest) {
  const senderIds = await organizationSenderIds(ctx.db, auth.organizationId);
  if (input.senderId !== undefined && !senderIds.includes(input.senderId)) {
    throw invalid('senderId', 'is not a sender of your organization (see GET /api/senders); leave it out for every sender');
  }
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await q.lockCustomer(tx, auth.organizationId, customerId))) throw notFound('Customer');
    const now = ctx.clock.now();
    const targets = input.senderId !== undefined ? [input.senderId] : senderIds;
    if (action === 'opt_out') {
      for (const senderId of targets) await q.insertOptOut(tx, { customerId, senderId, organizationId: auth.organizationId, at: now });
    } else {
      await q.deleteOptOuts(tx, customerId, targets);
    }
    const change = { id: newId(now), organizationId: auth.organizationId, customerId, senderId: input.senderId ?? null, action, reason: input.reason ?? null, actorId: auth.id, createdAt: now };
    await q.insertOptOutChange(tx, change);
    const target = `customer ${customerId}${input.senderId ? ` on sender ${input.senderId}` : ' on every sender'}${input.reason ? `: ${input.reason}` : ''}`;
    await recordAudit(tx, { organizationId: auth.organizationId, actorId: auth.id, action: action === 'opt_out' ? 'customer.opted_out' : 'customer.opted_in', target, now });
  });
  const presented = await presentedCustomer(ctx.db, auth.organizationId, customerId);
  await publishCommitted(ctx, [customerUpdatedEvent(auth.organizationId, presented)]);
  return presented;
}

import type { Context } from '../../context.js';
import { fromTwilioStatus, type MessageStatus } from '../../domain/message-status.js';
import { failureOf } from '../../domain/twilio-errors.js';
import { advanceMessage, presentedMessageRow } from '../conversations/service.js';
import { messageEvent } from '../events/app-event.js';
import { publishCommitted } from '../events/publish.js';
import type { ConnectedAccount } from '../twilio/accounts.js';
import { authenticateTwilioWebhook, withoutControls, type TwilioParams, type TwilioWebhook } from '../twilio/webhook.js';
import { errorCodeLabel } from '../../metrics.js';
import * as q from './queries.js';

type CallbackAttempt = NonNullable<Awaited<ReturnType<typeof q.attemptForCallback>>>;

/** POST /webhooks/twilio/status: authenticated like every Twilio webhook (docs/rules.md#the-webhooks-steps, steps 1–3), then applied. */
export async function receiveStatusCallback(ctx: Context, webhook: TwilioWebhook, attemptId: string | undefined): Promise<void> {
  const account = await authenticateTwilioWebhook(ctx, webhook);
  await applyStatusCallback(ctx, account, attemptId, withoutControls(webhook.params));
}

/**
 * A delivery status callback (docs/rules.md#outbound-messages), already authenticated (docs/rules.md#the-webhooks-steps, steps 1–3). It applies
 * only to the attempt it names and only forward; an unknown SID or a callback for an older,
 * superseded attempt changes nothing.
 */
export async function applyStatusCallback(ctx: Context, account: ConnectedAccount, attemptId: string | undefined, params: TwilioParams): Promise<void> {
  const callback: Callback = {
    sid: params.MessageSid || params.SmsSid || '',
    next: fromTwilioStatus(params.MessageStatus || params.SmsStatus || ''),
    errorCode: params.ErrorCode && /^\d+$/.test(params.ErrorCode) ? Number(params.ErrorCode) : null,
  };
  // Most callbacks name an accepted attempt and move its message on: one statement does it.
  if (attemptId && callback.sid && callback.next) {
    const named = { attemptId, sid: callback.sid, organizationId: account.organizationId };
    const moved = await q.advanceByCallback(ctx.db, named, callback.next, { now: ctx.clock.now(), ...failureOf(callback.next, callback.errorCode, null) });
    if (moved) countDeliveryFailure(ctx, callback.next, callback.errorCode);
    if (moved) return publishCommitted(ctx, [messageEvent('message.updated', moved.organizationId, await presentedMessageRow(ctx.db, moved, moved.mediaCount))]);
  }
  await applyToAttempt(ctx, account, attemptId, callback);
}

interface Callback {
  sid: string;
  next: MessageStatus | null;
  errorCode: number | null;
}

/** Everything but the usual case: an attempt to settle, or a callback to ignore (and log). */
async function applyToAttempt(ctx: Context, account: ConnectedAccount, attemptId: string | undefined, { sid, next, errorCode }: Callback): Promise<void> {
  const attempt = attemptId ? await q.attemptForCallback(ctx.db, { id: attemptId }) : sid ? await q.attemptForCallback(ctx.db, { sid }) : undefined;
  if (!attempt || attempt.organizationId !== account.organizationId || !sid) {
    ctx.log.info({ sid, attemptId }, 'status callback for an unknown message; ignored');
    return;
  }
  if (attempt.twilioSid !== null && attempt.twilioSid !== sid) {
    ctx.log.warn({ sid, attemptId: attempt.id }, 'status callback names another SID than its attempt; ignored');
    return;
  }
  if (attempt.state === 'superseded' || attempt.state === 'failed') {
    ctx.log.info({ sid, attemptId: attempt.id, state: attempt.state }, 'status callback for an older attempt; ignored');
    return;
  }
  const row = attempt.twilioSid === null ? await adoptSid(ctx, attempt, sid, next ?? 'queued', errorCode) : next ? await advance(ctx, attempt, next, errorCode) : undefined;
  if (row && next) countDeliveryFailure(ctx, next, errorCode);
  await publishCommitted(ctx, [messageEvent('message.updated', attempt.organizationId, await presentedMessageRow(ctx.db, row, attempt.mediaCount))]);
}

/** A message Twilio accepted but could not deliver counts as failed, under the carrier's code. */
function countDeliveryFailure(ctx: Context, next: MessageStatus, errorCode: number | null) {
  if (next === 'failed' || next === 'undelivered') ctx.metrics.messagesFailed.inc({ error_code: errorCodeLabel(errorCode) });
}

function advance(ctx: Context, attempt: CallbackAttempt, next: MessageStatus, errorCode: number | null) {
  return advanceMessage(ctx.db, attempt.messageId, next, { now: ctx.clock.now(), ...failureOf(next, errorCode, null) });
}

/**
 * The attempt was still waiting for Twilio's answer (started, or unknown after a timeout): the
 * callback proves Twilio has the message, so the attempt and the message take its SID.
 */
async function adoptSid(ctx: Context, attempt: CallbackAttempt, sid: string, next: MessageStatus, errorCode: number | null) {
  const now = ctx.clock.now();
  let adopted = false;
  const row = await ctx.db.transaction().execute(async (tx) => {
    adopted = await q.settleAttempt(tx, attempt.id, ['started', 'unknown'], 'accepted', { twilioSid: sid, now });
    if (!adopted) {
      // Settled since it was read. By Twilio's answer to the send (same SID): the status still applies.
      // Superseded by a recheck or a retry: not ours to change any more.
      const fresh = await q.findAttempt(tx, attempt.id);
      if (fresh?.state !== 'accepted' || fresh.twilioSid !== sid) return undefined;
    }
    return advanceMessage(tx, attempt.messageId, next, { twilioSid: sid, now, ...failureOf(next, errorCode, null) });
  });
  // The send's own answer never came (or not yet): this callback is what tells us it was sent.
  if (adopted) ctx.metrics.messagesSent.inc();
  return row;
}

import type { Context } from '../../context.js';
import { isPostgres, type Tx } from '../../db/database.js';
import { putReadAhead, takeAhead } from '../../db/tx-memo.js';
import { groupCommit } from '../../db/group-commit.js';
import { fromTwilioStatus, type MessageStatus } from '../../domain/message-status.js';
import { failureOf } from '../../domain/twilio-errors.js';
import { AppError } from '../../errors.js';
import { advanceMessage, presentedMessageRow, type MessageRow } from '../conversations/service.js';
import { messageEvent } from '../events/app-event.js';
import { publishCommitted } from '../events/publish.js';
import type { ConnectedAccount } from '../twilio/accounts.js';
import { authenticateTwilioRequest, reportSignatureMismatch, withoutControls, type TwilioParams, type TwilioWebhook } from '../twilio/webhook.js';
import { errorCodeLabel } from '../../metrics.js';
import * as q from './queries.js';

type CallbackAttempt = NonNullable<Awaited<ReturnType<typeof q.attemptForCallback>>>;

/** What a callback changed, told (counted, published) only once its transaction has committed. */
interface Applied {
  moved?: { row: MessageRow | undefined; organizationId: string; mediaCount: number | null };
  /** The callback, not the send's answer, proved Twilio took the message. */
  adopted?: boolean;
  failure?: number | null;
}

/**
 * POST /webhooks/twilio/status: authenticated like every Twilio webhook (docs/rules.md#the-webhooks-steps, steps 1–3), then applied.
 * Callbacks arriving together share one transaction and its commit (src/db/group-commit.ts), as
 * inbound webhooks do: two or three come back for every message sent.
 */
export async function receiveStatusCallback(ctx: Context, webhook: TwilioWebhook, attemptId: string | undefined): Promise<void> {
  const order = attemptId ? q.attemptKey(attemptId) : `sid ${webhook.params.MessageSid ?? ''}`;
  const hint: CallbackHint = { ctx, webhook, attemptId };
  const together = isPostgres(ctx.db) && attemptId ? { step: advanceTogether, hint, firstOfOrder: true } : undefined;
  const applied = await groupCommit(ctx.db, ctx.log).run(order, async (tx) => takeAhead<Applied>(tx, calledBackKey(hint))?.value ?? authenticateAndApply(tx, hint), together);
  if ('refused' in applied) {
    await reportSignatureMismatch(ctx, applied.refused);
    throw applied.refused;
  }
  if (applied.adopted) ctx.metrics.messagesSent.inc();
  if (applied.failure !== undefined) ctx.metrics.messagesFailed.inc({ error_code: errorCodeLabel(applied.failure) });
  const { moved } = applied;
  if (moved) await publishCommitted(ctx, [messageEvent('message.updated', moved.organizationId, await presentedMessageRow(ctx.db, moved.row, moved.mediaCount))]);
}

interface CallbackHint {
  ctx: Context;
  webhook: TwilioWebhook;
  attemptId: string | undefined;
}

const calledBackKey = ({ webhook }: CallbackHint) => `called back ${webhook.path} ${webhook.params.MessageSid ?? ''} ${webhook.params.MessageStatus ?? ''}`;

async function authenticateAndApply(tx: Tx, { ctx, webhook, attemptId }: CallbackHint): Promise<Applied | { refused: AppError }> {
  let account: ConnectedAccount;
  try {
    account = await authenticateTwilioRequest(ctx, tx, webhook);
  } catch (err) {
    if (err instanceof AppError) return { refused: err };
    throw err;
  }
  return applyStatusCallback(ctx, tx, account, attemptId, withoutControls(webhook.params));
}

/**
 * PostgreSQL, a batch's usual callbacks in one statement per status they report: those first of
 * their attempt in the batch, authenticated, naming an accepted attempt's SID and moving its
 * message forward without a failure. What each one changed is put for its own turn; the rest
 * (refused, failures, anything unusual) take theirs as if alone.
 */
async function advanceTogether(tx: Tx, hints: CallbackHint[]): Promise<void> {
  const byStatus = new Map<MessageStatus, { hint: CallbackHint; named: q.NamedCallback }[]>();
  for (const hint of hints) {
    const account = await authenticateTwilioRequest(hint.ctx, tx, hint.webhook).catch((err: unknown) => {
      if (err instanceof AppError) return undefined;
      throw err;
    });
    const callback = account && hint.attemptId ? callbackOf(withoutControls(hint.webhook.params)) : undefined;
    if (!account || !callback?.sid || !callback.next || Object.keys(failureOf(callback.next, callback.errorCode, null)).length > 0) continue;
    const named = { attemptId: hint.attemptId!, sid: callback.sid, organizationId: account.organizationId, now: hint.ctx.clock.now() };
    const group = byStatus.get(callback.next);
    if (group) group.push({ hint, named });
    else byStatus.set(callback.next, [{ hint, named }]);
  }
  for (const [next, callbacks] of byStatus) {
    const moved = await q.advanceAllByCallbacks(
      tx,
      next,
      callbacks.map((c) => c.named),
    );
    for (const { hint, named } of callbacks) {
      const row = moved.get(named.attemptId);
      if (row) putReadAhead(tx, calledBackKey(hint), { moved: { row, organizationId: row.organizationId, mediaCount: row.mediaCount } } satisfies Applied);
    }
  }
}

const callbackOf = (params: TwilioParams): Callback => ({
  sid: params.MessageSid || params.SmsSid || '',
  next: fromTwilioStatus(params.MessageStatus || params.SmsStatus || ''),
  errorCode: params.ErrorCode && /^\d+$/.test(params.ErrorCode) ? Number(params.ErrorCode) : null,
});

/**
 * A delivery status callback (docs/rules.md#outbound-messages), already authenticated (docs/rules.md#the-webhooks-steps, steps 1–3). It applies
 * only to the attempt it names and only forward; an unknown SID or a callback for an older,
 * superseded attempt changes nothing.
 */
async function applyStatusCallback(ctx: Context, tx: Tx, account: ConnectedAccount, attemptId: string | undefined, params: TwilioParams): Promise<Applied> {
  const callback = callbackOf(params);
  // Most callbacks name an accepted attempt and move its message on: one statement does it.
  if (attemptId && callback.sid && callback.next) {
    const named = { attemptId, sid: callback.sid, organizationId: account.organizationId };
    const moved = await q.advanceByCallback(tx, named, callback.next, { now: ctx.clock.now(), ...failureOf(callback.next, callback.errorCode, null) });
    if (moved) return { moved: { row: moved, organizationId: moved.organizationId, mediaCount: moved.mediaCount }, ...deliveryFailure(callback.next, callback.errorCode) };
  }
  return applyToAttempt(ctx, tx, account, attemptId, callback);
}

interface Callback {
  sid: string;
  next: MessageStatus | null;
  errorCode: number | null;
}

/** Everything but the usual case: an attempt to settle, or a callback to ignore (and log). */
async function applyToAttempt(ctx: Context, tx: Tx, account: ConnectedAccount, attemptId: string | undefined, { sid, next, errorCode }: Callback): Promise<Applied> {
  const attempt = attemptId ? await q.attemptForCallback(tx, { id: attemptId }) : sid ? await q.attemptForCallback(tx, { sid }) : undefined;
  if (!attempt || attempt.organizationId !== account.organizationId || !sid) {
    ctx.log.info({ sid, attemptId }, 'status callback for an unknown message; ignored');
    return {};
  }
  if (attempt.twilioSid !== null && attempt.twilioSid !== sid) {
    ctx.log.warn({ sid, attemptId: attempt.id }, 'status callback names another SID than its attempt; ignored');
    return {};
  }
  if (attempt.state === 'superseded' || attempt.state === 'failed') {
    ctx.log.info({ sid, attemptId: attempt.id, state: attempt.state }, 'status callback for an older attempt; ignored');
    return {};
  }
  const moved = { organizationId: attempt.organizationId, mediaCount: attempt.mediaCount };
  if (attempt.twilioSid === null) {
    const { row, adopted } = await adoptSid(ctx, tx, attempt, sid, next ?? 'queued', errorCode);
    return { moved: { ...moved, row }, adopted, ...(row && next ? deliveryFailure(next, errorCode) : {}) };
  }
  const row = next ? await advanceMessage(tx, attempt.messageId, next, { now: ctx.clock.now(), ...failureOf(next, errorCode, null) }) : undefined;
  return { moved: { ...moved, row }, ...(row && next ? deliveryFailure(next, errorCode) : {}) };
}

/** A message Twilio accepted but could not deliver counts as failed, under the carrier's code. */
function deliveryFailure(next: MessageStatus, errorCode: number | null): Pick<Applied, 'failure'> {
  return next === 'failed' || next === 'undelivered' ? { failure: errorCode } : {};
}

/**
 * The attempt was still waiting for Twilio's answer (started, or unknown after a timeout): the
 * callback proves Twilio has the message, so the attempt and the message take its SID.
 */
async function adoptSid(ctx: Context, tx: Tx, attempt: CallbackAttempt, sid: string, next: MessageStatus, errorCode: number | null) {
  const now = ctx.clock.now();
  const adopted = await q.settleAttempt(tx, attempt.id, ['started', 'unknown'], 'accepted', { twilioSid: sid, now });
  if (!adopted) {
    // Settled since it was read. By Twilio's answer to the send (same SID): the status still applies.
    // Superseded by a recheck or a retry: not ours to change any more.
    const fresh = await q.findAttempt(tx, attempt.id);
    if (fresh?.state !== 'accepted' || fresh.twilioSid !== sid) return { row: undefined, adopted };
  }
  // The send's own answer never came (or not yet): this callback is what tells us it was sent.
  return { row: await advanceMessage(tx, attempt.messageId, next, { twilioSid: sid, now, ...failureOf(next, errorCode, null) }), adopted };
}

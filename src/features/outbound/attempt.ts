import type { Context } from '../../context.js';
import { groupCommit } from '../../db/group-commit.js';
import { fromTwilioStatus } from '../../domain/message-status.js';
import { failureOf, twilioErrorReason, withoutAccountSids } from '../../domain/twilio-errors.js';
import { errorCodeLabel } from '../../metrics.js';
import { replacePayload, type Job } from '../../jobs/queue.js';
import { JOB_FINISHED, RunLater } from '../../jobs/runner.js';
import { advanceMessage, presentedMessageRow } from '../conversations/service.js';
import { markOptedOut, presentedCustomer } from '../customers/service.js';
import { customerUpdatedEvent, messageEvent } from '../events/app-event.js';
import { publishCommitted } from '../events/publish.js';
import { clientFor, type ConnectedAccount } from '../twilio/accounts.js';
import { pauseAccount } from '../twilio/messaging.js';
import * as q from './queries.js';
import { findSentMessage, type Recheck, type SentMessage } from './recheck.js';
import { sendPayload, type SendPayload } from './payload.js';
import { classifyTwilioError, senderParams, type CallOutcome } from './twilio-call.js';

/** How often a send for a paused account (20003) looks again; replacing the token wakes it at once. */
export const PAUSED_WAIT_MS = 30_000;

/** The pending message as the send job read it. */
type Send = q.SendContextRow;

/** What the job knows of the message's latest attempt. */
export interface LastAttempt {
  id: string;
  state: q.AttemptState;
  startedAt: number;
  finishedAt: number | null;
}

/** Records what Twilio's answer to an attempt means for the attempt and its message (docs/rules.md#outbound-messages). */
export async function settle(ctx: Context, sc: Send, attemptId: string, outcome: CallOutcome, job: Job): Promise<void | RunLater | typeof JOB_FINISHED> {
  const now = ctx.clock.now();
  switch (outcome.kind) {
    case 'accepted':
      return adopt(ctx, sc, attemptId, { sid: outcome.sid, status: outcome.status, errorCode: null, errorMessage: null }, job);
    case 'rejected':
      return reject(ctx, sc, attemptId, outcome.code, outcome.message);
    case 'paused':
      await q.settleAttempt(ctx.db, attemptId, ['started'], 'failed', { now });
      return pause(ctx, sc);
    case 'retry':
      await q.settleAttempt(ctx.db, attemptId, ['started'], 'failed', { now });
      throw new Error(`Twilio did not take the message: ${withoutAccountSids(outcome.message)}`);
    case 'unknown':
      // A status callback may already have settled it; then there is nothing left to check.
      if (!(await q.settleAttempt(ctx.db, attemptId, ['started'], 'unknown', { now }))) return;
      ctx.log.warn({ messageId: sc.id, attemptId, reason: outcome.message }, 'send outcome unknown; will check with Twilio before sending again');
      return new RunLater(now + ctx.config.sendRecheckSeconds * 1000);
  }
}

/**
 * Twilio has the attempt's message: the attempt and the message take its SID, and the message
 * moves forward to Twilio's status (at least queued). Callbacks may have got there first. The
 * send job ends in the same commit: there is nothing left for it to do.
 */
async function adopt(ctx: Context, sc: Send, attemptId: string, found: SentMessage, job: Job): Promise<typeof JOB_FINISHED> {
  const now = ctx.clock.now();
  const next = fromTwilioStatus(found.status) ?? 'queued';
  // Answers arriving together share a transaction and its commit, with the status callbacks of
  // the same moment: all of them keyed by the attempt, so batches take its rows in one order.
  const acceptance: q.Acceptance = { attemptId, messageId: sc.id, next, changes: { twilioSid: found.sid, now, ...failureOf(next, found.errorCode, found.errorMessage) }, job };
  const row = await groupCommit(ctx.db, ctx.log).run(q.attemptKey(attemptId), (tx) => q.acceptInBatch(tx, acceptance), q.acceptTogether(ctx.db, acceptance));
  if (row) ctx.metrics.messagesSent.inc();
  await publishCommitted(ctx, [messageEvent('message.updated', sc.organizationId, await presentedMessageRow(ctx.db, row, sc.mediaCount))]);
  return JOB_FINISHED;
}

/** A Twilio 4xx: the message fails at once with a plain reason; 21610 also opts the customer out. */
async function reject(ctx: Context, sc: Send, attemptId: string, code: number | null, twilioMessage: string): Promise<void> {
  const now = ctx.clock.now();
  const optOut = code === 21610;
  const row = await ctx.db.transaction().execute(async (tx) => {
    await q.settleAttempt(tx, attemptId, ['started'], 'failed', { now });
    if (optOut) await markOptedOut(tx, { organizationId: sc.organizationId, customerId: sc.customerId, senderId: sc.senderId, now });
    return advanceMessage(tx, sc.id, 'failed', { now, errorCode: code, errorMessage: twilioErrorReason(code, twilioMessage) });
  });
  ctx.metrics.messagesFailed.inc({ error_code: errorCodeLabel(code) });
  await publishCommitted(ctx, [
    messageEvent('message.updated', sc.organizationId, await presentedMessageRow(ctx.db, row, sc.mediaCount)),
    optOut ? customerUpdatedEvent(sc.organizationId, await presentedCustomer(ctx.db, sc.organizationId, sc.customerId)) : null,
  ]);
}

/** Fails a pending message without asking Twilio (sender removed, account gone, opted out, gave up). */
export async function failMessage(ctx: Context, sc: Send, failure: { code: number | null; reason: string }): Promise<void> {
  const row = await advanceMessage(ctx.db, sc.id, 'failed', { now: ctx.clock.now(), errorCode: failure.code, errorMessage: failure.reason });
  ctx.metrics.messagesFailed.inc({ error_code: errorCodeLabel(failure.code) });
  await publishCommitted(ctx, [messageEvent('message.updated', sc.organizationId, await presentedMessageRow(ctx.db, row, sc.mediaCount))]);
}

/** 20003: the account is paused; the message stays pending and nothing counts as failed. */
async function pause(ctx: Context, sc: Send): Promise<RunLater> {
  const now = ctx.clock.now();
  await pauseAccount(ctx.db, sc.accountId!, now);
  ctx.log.warn({ accountId: sc.accountId }, 'Twilio refused the Auth Token (20003); sending is paused until an admin replaces it');
  return new RunLater(now + PAUSED_WAIT_MS);
}

/** The account is paused: wait, giving back any slot held, so sends resume at the sender's rate. */
export async function waitForToken(ctx: Context, job: Job, payload: SendPayload): Promise<RunLater> {
  if (payload.slotAt !== undefined) await replacePayload(ctx.db, job, sendPayload(payload.messageId, payload.organizationId));
  return new RunLater(ctx.clock.now() + PAUSED_WAIT_MS);
}

/**
 * docs/rules.md#failures-and-unknown-outcomes: an attempt whose outcome is unknown is never sent again before it is checked. A
 * status callback naming it settles it; failing that, once SEND_RECHECK_SECONDS have passed,
 * Twilio's list of messages to that number is searched. Found: the attempt adopts its SID.
 * Several that could be it (docs/twilio.md): the message fails for an agent to check. Not found: the
 * attempt is superseded and the caller sends again ('absent').
 */
export async function recheck(ctx: Context, sc: Send, account: ConnectedAccount, last: LastAttempt, job: Job): Promise<void | RunLater | typeof JOB_FINISHED | 'absent'> {
  const due = (last.finishedAt ?? last.startedAt) + ctx.config.sendRecheckSeconds * 1000;
  if (ctx.clock.now() < due) return new RunLater(due);
  let checked: Recheck;
  try {
    checked = await findSentMessage(ctx.db, clientFor(ctx, account), { to: sc.customerPhone, body: sc.body, sender: senderParams(sc), startedAt: last.startedAt });
  } catch (err) {
    const outcome = classifyTwilioError(err);
    if (outcome.kind === 'paused') return pause(ctx, sc);
    throw new Error(`Could not check with Twilio whether an unconfirmed send went out: ${withoutAccountSids('message' in outcome ? outcome.message : String(err))}`);
  }
  if (checked.kind === 'found') {
    ctx.log.info({ messageId: sc.id, attemptId: last.id, sid: checked.message.sid }, 'unconfirmed send found at Twilio; adopting its SID');
    return adopt(ctx, sc, last.id, checked.message, job);
  }
  if (checked.kind === 'ambiguous') {
    ctx.log.warn({ messageId: sc.id, attemptId: last.id, candidates: checked.candidates }, 'unconfirmed send matches several messages at Twilio; not sending again');
    return failUnconfirmed(ctx, sc, last.id);
  }
  const superseded = await q.settleAttempt(ctx.db, last.id, ['started', 'unknown'], 'superseded', { now: ctx.clock.now() });
  if (superseded) ctx.log.info({ messageId: sc.id, attemptId: last.id }, 'unconfirmed send not at Twilio; sending again');
  return superseded ? 'absent' : undefined;
}

/**
 * Twilio may have sent it, and only a person can tell which message it was: the message fails
 * with nothing sent again, and the attempt is closed so an agent's retry sends afresh.
 */
async function failUnconfirmed(ctx: Context, sc: Send, attemptId: string): Promise<void> {
  const now = ctx.clock.now();
  const row = await ctx.db.transaction().execute(async (tx) => {
    if (!(await q.settleAttempt(tx, attemptId, ['started', 'unknown'], 'failed', { now }))) return undefined;
    return advanceMessage(tx, sc.id, 'failed', { now, errorCode: null, errorMessage: 'Twilio may have sent this: check before retrying' });
  });
  if (row) ctx.metrics.messagesFailed.inc({ error_code: 'none' });
  await publishCommitted(ctx, [messageEvent('message.updated', sc.organizationId, await presentedMessageRow(ctx.db, row, sc.mediaCount))]);
}

/** The job ran out of tries: the message shows failed, with what went wrong, so an agent can retry it. */
export async function failAfterLastTry(ctx: Context, messageId: string, error: Error): Promise<void> {
  const sc = await q.sendContext(ctx.db, messageId);
  if (!sc || sc.status !== 'pending') return;
  const unsure = sc.lastAttemptState === 'started' || sc.lastAttemptState === 'unknown';
  const detail = withoutAccountSids(error.message);
  const reason = unsure
    ? `Parley could not confirm with Twilio whether this message went out (${detail}); check with the customer before sending it again.`
    : `Twilio could not be reached after several tries (${detail}); send it again when Twilio is back.`;
  await failMessage(ctx, sc, { code: null, reason });
}

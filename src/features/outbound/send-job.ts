import { setTimeout as delay } from 'node:timers/promises';
import type { Context } from '../../context.js';
import { groupCommit } from '../../db/group-commit.js';
import { newId } from '../../ids.js';
import { replacePayload, type Job } from '../../jobs/queue.js';
import { RunLater, type JOB_FINISHED, type JobHandler } from '../../jobs/runner.js';
import { clientFor, unseal, type ConnectedAccount } from '../twilio/accounts.js';
import { mediaIdsOfMessage } from '../media/service.js';
import { signedMediaUrl } from '../media/signed.js';
import * as attempt from './attempt.js';
import * as q from './queries.js';
import { claimSlotAndStart } from './rate.js';
import { createMessage, senderParams, type SendParams } from './twilio-call.js';
import { SEND_JOB, sendPayload, type SendPayload } from './payload.js';

export { SEND_JOB };

/** A slot this close is waited for in the worker; a later one is held in the job while it sleeps. */
const NEAR_SLOT_MS = 1_000;

/**
 * The send job of docs/rules.md#durable-sending. Each run looks at where the message stands and takes the next step:
 * an attempt whose outcome is unknown (a timeout, a 5xx, a worker that died mid-call) is checked
 * with Twilio before anything is sent again; otherwise a rate slot is claimed, an attempt row is
 * committed (`started`), and Twilio is called.
 */
export function sendJobHandler(ctx: Context): JobHandler<SendPayload> {
  return {
    kind: SEND_JOB,
    // Refused connections and 20429 are retried for about 20 minutes before the message shows failed.
    maxAttempts: 12,
    baseBackoffMs: 2_000,
    maxBackoffMs: 300_000,
    run: (payload, job) => runSend(ctx, payload, job),
    onFinalFailure: (payload, error) => attempt.failAfterLastTry(ctx, payload.messageId, error),
  };
}

async function runSend(ctx: Context, payload: SendPayload, job: Job): Promise<void | RunLater | typeof JOB_FINISHED> {
  const sc = await q.sendContextOfJob(ctx.db, payload.messageId);
  if (!sc || sc.direction !== 'outbound' || sc.status !== 'pending') return;
  const last = lastAttemptOf(sc);
  const blocked = blockedReason(sc, last);
  if (blocked) return attempt.failMessage(ctx, sc, { code: null, reason: blocked });
  const account = accountOf(ctx, sc);
  if (account.paused) return attempt.waitForToken(ctx, job, payload);

  if (last?.state === 'accepted') return;
  if (last && (last.state === 'started' || last.state === 'unknown')) {
    const checked = await attempt.recheck(ctx, sc, account, last, job);
    if (checked !== 'absent') return checked;
  }
  if (sc.optedOut) {
    return attempt.failMessage(ctx, sc, { code: null, reason: 'The customer unsubscribed from this support number (replied STOP) before the message went out.' });
  }
  return sendNow(ctx, sc, account, payload, job);
}

function lastAttemptOf(sc: q.SendContextRow): attempt.LastAttempt | null {
  if (sc.lastAttemptId === null || sc.lastAttemptState === null || sc.lastAttemptStartedAt === null) return null;
  return { id: sc.lastAttemptId, state: sc.lastAttemptState, startedAt: sc.lastAttemptStartedAt, finishedAt: sc.lastAttemptFinishedAt };
}

/** A sender removed or an account disconnected since the message was queued: it cannot go out (or be checked) any more. */
function blockedReason(sc: q.SendContextRow, last: attempt.LastAttempt | null): string | null {
  const what =
    sc.accountId === null ? "The support number's Twilio account was disconnected" : sc.senderActive !== 1 ? 'The support number was removed' : null;
  if (!what) return null;
  if (last?.state === 'started' || last?.state === 'unknown') return `${what} before Parley could confirm whether this message went out; check with the customer before sending it again.`;
  return `${what} before this message went out; send it again from a connected number.`;
}

/** The account of the message's sender, its token unsealed (cached: this runs on every send). */
function accountOf(ctx: Context, sc: q.SendContextRow): ConnectedAccount {
  return unseal(ctx, { id: sc.accountId!, organizationId: sc.organizationId, accountSid: sc.accountSid!, authTokenSealed: sc.authTokenSealed!, pausedAt: sc.pausedAt });
}

/**
 * Claims the sender's slot and commits the attempt as `started` in one short transaction, so a
 * crash during the call leaves evidence that the next run checks. Then calls Twilio.
 */
async function sendNow(ctx: Context, sc: q.SendContextRow, account: ConnectedAccount, payload: SendPayload, job: Job): Promise<void | RunLater | typeof JOB_FINISHED> {
  const now = ctx.clock.now();
  // Sends starting together share a transaction and its commit (src/db/group-commit.ts), taking
  // their senders' rows in the order of the senders' ids.
  const start = await groupCommit(ctx.db, ctx.log).run(`sender ${sc.senderId}`, async (tx): Promise<{ later: number } | { attemptId: string; slot: number }> => {
    const attempt = { id: newId(now), messageId: sc.id, organizationId: sc.organizationId, startedAt: now };
    // A fresh slot comes with its attempt already started, if the slot is near.
    const slot = payload.slotAt ?? (await claimSlotAndStart(tx, { id: sc.senderId, ratePerSecond: sc.ratePerSecond }, sc.segments, attempt, NEAR_SLOT_MS));
    if (slot - now > NEAR_SLOT_MS) {
      if (payload.slotAt === undefined) await replacePayload(tx, job, sendPayload(sc.id, sc.organizationId, slot));
      return { later: slot };
    }
    if (payload.slotAt !== undefined) {
      // The slot is used now: a later run (a retry after a refusal) claims a fresh one.
      await replacePayload(tx, job, sendPayload(sc.id, sc.organizationId));
      await q.insertStartedAttempt(tx, attempt);
    }
    return { attemptId: attempt.id, slot };
  });
  if ('later' in start) return new RunLater(start.later);
  if (start.slot > now) await delay(start.slot - now);

  const params = await sendParams(ctx, sc, start.attemptId);
  const outcome = await createMessage(clientFor(ctx, account), params);
  return attempt.settle(ctx, sc, start.attemptId, outcome, job);
}

/** To, From or MessagingServiceSid (never both), Body, freshly signed MediaUrls and a StatusCallback naming the attempt. */
async function sendParams(ctx: Context, sc: q.SendContextRow, attemptId: string): Promise<SendParams> {
  const mediaIds = Number(sc.mediaCount) > 0 ? await mediaIdsOfMessage(ctx.db, sc.id) : [];
  const now = ctx.clock.now();
  return {
    to: sc.customerPhone,
    ...senderParams(sc),
    ...(sc.body ? { body: sc.body } : {}),
    ...(mediaIds.length > 0 ? { mediaUrl: mediaIds.map((id) => signedMediaUrl(ctx, id, now)) } : {}),
    statusCallback: `${ctx.config.publicUrl}/webhooks/twilio/status?attempt=${attemptId}`,
  };
}

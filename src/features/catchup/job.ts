import type { Context } from '../../context.js';
import { extendLease, scheduleSingleton } from '../../jobs/queue.js';
import { RunLater, type JobHandler } from '../../jobs/runner.js';
import { runCatchup } from './service.js';

export const CATCHUP_JOB = 'twilio.catchup';

/**
 * One catch-up job for the whole deployment, under a fixed id, so however many worker processes
 * run, one of them at a time holds it (the job queue's claim) and the schedule is one row.
 */
const CATCHUP_JOB_ID = '00000000-0000-7000-8000-0000000ca7c4';

/** As long as the runner's own lease; renewed between senders and pages. */
const LEASE_MS = 60_000;

/** docs/twilio.md#7-nothing-lost-while-parley-is-down: runs, then comes back every CATCHUP_SECONDS. */
export function catchupJobHandler(ctx: Context): JobHandler {
  const periodMs = ctx.config.catchupSeconds * 1000;
  return {
    kind: CATCHUP_JOB,
    // Never given up: a run that fails as a whole (the database away) is tried again, backing off up to a period.
    maxAttempts: Number.MAX_SAFE_INTEGER,
    baseBackoffMs: 5_000,
    maxBackoffMs: periodMs,
    async run(_payload, job, stopping) {
      await runCatchup(ctx, () => extendLease(ctx.db, job, ctx.clock.now() + LEASE_MS), stopping);
      return new RunLater(ctx.clock.now() + periodMs);
    },
  };
}

/** On a worker's start: the catch-up is due now, unless another worker is running it at this moment. */
export const scheduleCatchupNow = (ctx: Context) => scheduleSingleton(ctx.db, CATCHUP_JOB, CATCHUP_JOB_ID, ctx.clock.now());

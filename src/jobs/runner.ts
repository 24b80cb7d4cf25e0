import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { claimDue, completeJobs, failJob, releaseJobs, rescheduleJob, type Job } from './queue.js';

/** A job may ask to run again later without it counting as a failed attempt (rate limits, waits). */
export class RunLater {
  constructor(readonly runAt: number) {}
}

/** A job that deleted its own row in its last transaction (finishJobStatement): the runner has nothing left to do. */
export const JOB_FINISHED = Symbol('job finished');

export interface JobHandler<P = any> {
  kind: string;
  maxAttempts: number;
  /** First retry delay; doubled each attempt, capped at maxBackoffMs, with jitter. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** `stopping` is aborted when the runner stops, so a long job can end early at a safe point. */
  run(payload: P, job: Job, stopping: AbortSignal): Promise<void | RunLater | typeof JOB_FINISHED>;
  /** Called once after the last attempt failed, so the record the job was about can show it. */
  onFinalFailure?(payload: P, error: Error, job: Job): Promise<void>;
}

export interface RunnerOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  /** Every kind that may be in the outbox; each must have a handler or the runner refuses to start. */
  kinds: readonly string[];
  handlers: JobHandler[];
  concurrency?: number;
  leaseMs?: number;
  pollMs?: number;
}

/** Exponential backoff with jitter: delays spread so retries from many jobs do not stampede. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly workerId = randomUUID();
  /** Each running job by its promise, so a stop can hand back the ones still running. */
  private readonly inFlight = new Map<Promise<void>, Job>();
  private running = false;
  private readonly stopping = new AbortController();
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  /** Finished jobs waiting to be deleted together, and whether a delete is under way. */
  private finished: { id: string; done: () => void; failed: (err: unknown) => void }[] = [];
  private deleting = false;

  constructor(private readonly opts: RunnerOptions) {
    for (const h of opts.handlers) this.handlers.set(h.kind, h);
    const missing = opts.kinds.filter((k) => !this.handlers.has(k));
    if (missing.length > 0) throw new Error(`No handler for job kind(s): ${missing.join(', ')}`);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ask the loop to look for work now, e.g. right after a commit that enqueued a job. */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Claims nothing more and waits for the running jobs until `deadline` (epoch ms; none: for
   * ever). Jobs still running then are handed back, so another worker takes them at once
   * instead of after their lease; each job kind already copes with a run cut short, as after
   * a crash (a send checks Twilio before sending again).
   */
  async stop(deadline?: number): Promise<void> {
    this.running = false;
    this.stopping.abort();
    this.wake();
    await this.loop;
    const settled = Promise.allSettled([...this.inFlight.keys()]);
    if (deadline === undefined) return void (await settled);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()))));
    const outcome = await Promise.race([settled, timedOut]);
    clearTimeout(timer);
    if (outcome !== 'timeout' || this.inFlight.size === 0) return;
    const unfinished = [...this.inFlight.values()];
    this.opts.log.warn({ jobs: unfinished.map((j) => ({ id: j.id, kind: j.kind })) }, 'jobs still running at shutdown; handing them back to other workers');
    await releaseJobs(this.opts.db, unfinished).catch((err) => this.opts.log.error({ err }, 'could not hand back the running jobs; they wait for their lease'));
  }

  /** Claims and runs what is due once, waiting for it; for tests and scripts. */
  async drain(): Promise<number> {
    const jobs = await this.claim(this.opts.concurrency ?? 16);
    await Promise.all(jobs.map((j) => this.execute(j)));
    return jobs.length;
  }

  private async run(): Promise<void> {
    const concurrency = this.opts.concurrency ?? 16;
    // Claiming is a write: under load, claim in batches (a quarter of the slots at a time)
    // rather than one job as each one finishes. At most 4, though: a free slot waiting for the
    // rest of its batch is a send not in flight, and with 64 slots a quarter left up to 15 idle
    // (a seventh fewer messages a second at Twilio's answer time).
    const batch = Math.max(1, Math.min(4, Math.floor(concurrency / 4)));
    while (this.running) {
      const free = concurrency - this.inFlight.size;
      if (free < batch) {
        await this.sleep(1000);
        continue;
      }
      let claimed = 0;
      try {
        const jobs = await this.claim(free);
        claimed = jobs.length;
        for (const job of jobs) {
          const p = this.execute(job).finally(() => {
            this.inFlight.delete(p);
            this.wake();
          });
          this.inFlight.set(p, job);
        }
      } catch (err) {
        this.opts.log.error({ err }, 'claiming jobs failed');
      }
      if (claimed === 0 || claimed === free) await this.sleep(claimed === 0 ? (this.opts.pollMs ?? 250) : 1000);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  private claim(limit: number): Promise<Job[]> {
    const now = this.opts.clock.now();
    return claimDue(this.opts.db, { now, limit, leaseUntil: now + (this.opts.leaseMs ?? 60_000), workerId: this.workerId });
  }

  private async execute(job: Job): Promise<void> {
    const handler = this.handlers.get(job.kind);
    const { db, clock, log } = this.opts;
    try {
      if (!handler) throw new Error(`No handler for job kind ${job.kind}`);
      const result = await handler.run(JSON.parse(job.payload), job, this.stopping.signal);
      if (result instanceof RunLater) await rescheduleJob(db, job, result.runAt, { countAttempt: false });
      else if (result !== JOB_FINISHED) await this.complete(job);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      const maxAttempts = handler?.maxAttempts ?? 1;
      if (job.attempts < maxAttempts) {
        const delay = backoffDelay(job.attempts, handler?.baseBackoffMs ?? 1000, handler?.maxBackoffMs ?? 300_000);
        log.warn({ jobId: job.id, kind: job.kind, attempt: job.attempts, err: error.message }, 'job failed; will retry');
        await rescheduleJob(db, job, clock.now() + delay, { error: error.message, countAttempt: true }).catch((err) =>
          log.error({ err, jobId: job.id }, 'could not reschedule job'),
        );
        return;
      }
      log.error({ jobId: job.id, kind: job.kind, attempts: job.attempts, err: error.message }, 'job failed for good');
      await this.finalFailure(handler, job, error);
    }
  }

  /**
   * A finished job is deleted with the others that finish while a delete is under way: one
   * statement (and on PostgreSQL one commit) for a bunch instead of one each. Its run resolves
   * once its row is gone, as before; a crash first leaves the row to be claimed again after its
   * lease, as any crash does, and each job kind copes (a send finds its message already sent).
   */
  private complete(job: Job): Promise<void> {
    return new Promise((done, failed) => {
      this.finished.push({ id: job.id, done, failed });
      if (!this.deleting) void this.deleteFinished();
    });
  }

  private async deleteFinished(): Promise<void> {
    this.deleting = true;
    while (this.finished.length > 0) {
      const bunch = this.finished.splice(0);
      try {
        await completeJobs(this.opts.db, this.workerId, bunch.map((f) => f.id));
        for (const f of bunch) f.done();
      } catch (err) {
        for (const f of bunch) f.failed(err);
      }
    }
    this.deleting = false;
  }

  /** The job ends failed whatever the hook does: a throwing hook must not leave it to be claimed again for ever. */
  private async finalFailure(handler: JobHandler | undefined, job: Job, error: Error): Promise<void> {
    const { db, log } = this.opts;
    try {
      await handler?.onFinalFailure?.(JSON.parse(job.payload), error, job);
    } catch (err) {
      log.error({ err, jobId: job.id }, 'final-failure hook failed');
    }
    await failJob(db, job, error.message).catch((err) => log.error({ err, jobId: job.id }, 'could not mark job failed'));
  }
}

import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { claimDue, completeJobs, deleteJobsAbout, enqueue, finishJobStatement, pullJobsForward } from '../../src/jobs/queue.js';
import { backoffDelay, JOB_FINISHED, JobRunner, RunLater, type JobHandler } from '../../src/jobs/runner.js';
import { eventually } from '../helpers/api.js';
import { freshDatabase } from '../helpers/database.js';
import { ENGINES } from '../helpers/server.js';

const log = pino({ level: 'silent' });


describe('backoff', () => {
  it('doubles per attempt within jitter bounds and is capped', () => {
    expect(backoffDelay(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelay(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 1000, 60_000, () => 1)).toBe(4000);
    expect(backoffDelay(3, 1000, 60_000, () => 0)).toBe(2000);
    expect(backoffDelay(20, 1000, 60_000, () => 1)).toBe(60_000);
  });
});

for (const engine of ENGINES) {
  describe(`job runner (${engine})`, () => {
    let cleanup: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const c of cleanup.reverse()) await c();
      cleanup = [];
    });

    async function setup(handlers: JobHandler[], opts: { clock?: Clock; leaseMs?: number } = {}) {
      const { database, drop } = await freshDatabase(engine);
      const clock = opts.clock ?? { now: () => Date.now() };
      const runner = new JobRunner({ db: database.db, clock, log, kinds: handlers.map((h) => h.kind), handlers, leaseMs: opts.leaseMs, pollMs: 10 });
      cleanup.push(drop, () => runner.stop());
      const jobRow = (id: string) => database.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return { database, runner, clock, jobRow };
    }

    it('refuses to start when a job kind has no handler', async () => {
      const { database, drop } = await freshDatabase(engine);
      cleanup.push(drop);
      expect(() => new JobRunner({ db: database.db, clock: { now: Date.now }, log, kinds: ['a', 'b'], handlers: [{ kind: 'a', maxAttempts: 1, run: async () => {} }] })).toThrow(/b/);
    });

    it('runs a job committed with its change, and none from a rolled-back transaction', async () => {
      const seen: unknown[] = [];
      const { database, runner, jobRow } = await setup([{ kind: 'note', maxAttempts: 3, run: async (p) => void seen.push(p) }]);
      const now = Date.now();
      const id = await database.db.transaction().execute((tx) => enqueue(tx, 'note', { n: 1 }, { now }));
      await database.db
        .transaction()
        .execute(async (tx) => {
          await enqueue(tx, 'note', { n: 2 }, { now });
          throw new Error('roll back');
        })
        .catch(() => {});
      expect(await runner.drain()).toBe(1);
      expect(seen).toEqual([{ n: 1 }]);
      expect(await jobRow(id)).toBeUndefined();
    });

    it('ends a job in the transaction of the change that finished it, and only while its worker holds it', async () => {
      const runs: string[] = [];
      const { database, runner, jobRow } = await setup([
        {
          kind: 'finish-own',
          maxAttempts: 3,
          run: async (p: { fail: boolean }, job) => {
            runs.push(job.id);
            await database.db.transaction().execute(async (tx) => {
              // Another worker's id deletes nothing: the lease is what lets a worker end a job.
              expect(Number((await finishJobStatement(tx, { id: job.id, lockedBy: 'another-worker' }).executeTakeFirst()).numDeletedRows)).toBe(0);
              await finishJobStatement(tx, job).execute();
              if (p.fail) throw new Error('the change failed');
            });
            return JOB_FINISHED;
          },
        },
      ]);
      const now = Date.now();
      const done = await database.db.transaction().execute((tx) => enqueue(tx, 'finish-own', { fail: false }, { now }));
      const failing = await database.db.transaction().execute((tx) => enqueue(tx, 'finish-own', { fail: true }, { now }));
      expect(await runner.drain()).toBe(2);
      expect(await jobRow(done)).toBeUndefined();
      // The change rolled back, so did the job's end: it waits for its retry.
      expect(await jobRow(failing)).toMatchObject({ status: 'pending', lockedBy: null, lastError: 'the change failed' });
      expect(runs.sort()).toEqual([done, failing].sort());
    });

    it('retries with backoff, then calls the final-failure hook once', async () => {
      let now = 1_000_000;
      const finals: string[] = [];
      let runs = 0;
      const { database, runner, jobRow } = await setup(
        [
          {
            kind: 'flaky',
            maxAttempts: 3,
            baseBackoffMs: 1000,
            maxBackoffMs: 100_000,
            run: async () => {
              runs++;
              throw new Error(`boom ${runs}`);
            },
            onFinalFailure: async (_p, err) => void finals.push(err.message),
          },
        ],
        { clock: { now: () => now } },
      );
      const id = await enqueue(database.db, 'flaky', {}, { now });
      expect(await runner.drain()).toBe(1);
      const first = (await jobRow(id))!;
      expect(first).toMatchObject({ attempts: 1, lastError: 'boom 1', status: 'pending', lockedBy: null });
      expect(first.runAt - now).toBeGreaterThanOrEqual(500);
      expect(first.runAt - now).toBeLessThanOrEqual(1000);
      expect(await runner.drain()).toBe(0); // not due yet

      now = first.runAt;
      await runner.drain();
      const second = (await jobRow(id))!;
      expect(second.runAt - now).toBeGreaterThanOrEqual(1000);
      expect(second.runAt - now).toBeLessThanOrEqual(2000);

      now = second.runAt;
      await runner.drain();
      expect(finals).toEqual(['boom 3']);
      expect(await jobRow(id)).toMatchObject({ status: 'failed', attempts: 3 });
      now += 10_000_000;
      expect(await runner.drain()).toBe(0);
      expect(runs).toBe(3);
    });

    it('ends a job failed, and logs why, even when its final-failure hook throws', async () => {
      const lines: Array<{ msg?: string; err?: { message?: string } }> = [];
      const capture = pino({ level: 'error' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
      const { database, drop } = await freshDatabase(engine);
      cleanup.push(drop);
      let now = 2_000_000;
      const handler: JobHandler = {
        kind: 'doomed',
        maxAttempts: 1,
        run: async () => {
          throw new Error('run failed');
        },
        onFinalFailure: async () => {
          throw new Error('hook failed too');
        },
      };
      const runner = new JobRunner({ db: database.db, clock: { now: () => now }, log: capture, kinds: ['doomed'], handlers: [handler], leaseMs: 1000 });
      const id = await enqueue(database.db, 'doomed', {}, { now });
      expect(await runner.drain()).toBe(1);
      expect(await database.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst()).toMatchObject({ status: 'failed', lastError: 'run failed' });
      expect(lines.some((l) => l.msg === 'final-failure hook failed' && l.err?.message === 'hook failed too')).toBe(true);
      now += 60_000; // long past the lease: a failed job is never claimed again
      expect(await runner.drain()).toBe(0);
    });

    it('finds jobs by their subject and organization, not by the text of their payload', async () => {
      const { database, jobRow } = await setup([{ kind: 'send', maxAttempts: 1, run: async () => {} }]);
      const now = 3_000_000;
      const about = (subject: string, organizationId: string) => ({ now, runAt: now + 60_000, subject, organizationId });
      // Key orders that a LIKE on the payload text would miss.
      const m1 = await enqueue(database.db, 'send', { organizationId: 'o1', messageId: 'm1' }, about('m1', 'o1'));
      const m2 = await enqueue(database.db, 'send', { slotAt: 1, messageId: 'm2', organizationId: 'o1' }, about('m2', 'o1'));
      const other = await enqueue(database.db, 'send', { messageId: 'm3', organizationId: 'o2' }, about('m3', 'o2'));

      await deleteJobsAbout(database.db, 'send', 'm1');
      expect(await jobRow(m1)).toBeUndefined();

      await pullJobsForward(database.db, 'send', 'o1', now);
      expect(await jobRow(m2)).toMatchObject({ runAt: now });
      expect(await jobRow(other)).toMatchObject({ runAt: now + 60_000 });
    });

    it('lets a job run later without counting an attempt', async () => {
      let now = 5_000_000;
      let calls = 0;
      const { database, runner, jobRow } = await setup(
        [{ kind: 'wait', maxAttempts: 1, run: async () => (++calls === 1 ? new RunLater(now + 5000) : undefined) }],
        { clock: { now: () => now } },
      );
      const id = await enqueue(database.db, 'wait', {}, { now });
      await runner.drain();
      expect(await jobRow(id)).toMatchObject({ attempts: 0, runAt: now + 5000 });
      now += 5000;
      await runner.drain();
      expect(await jobRow(id)).toBeUndefined();
    });

    it('runs again a job whose worker died, once its lease has ended', async () => {
      let now = 9_000_000;
      const ran: string[] = [];
      const { database, jobRow } = await setup([], { clock: { now: () => now } });
      const handler: JobHandler = { kind: 'work', maxAttempts: 3, run: async () => void ran.push('second worker') };
      const id = await enqueue(database.db, 'work', {}, { now });
      // A worker claims the job and dies without settling it.
      const dead = new JobRunner({ db: database.db, clock: { now: () => now }, log, kinds: ['work'], handlers: [{ ...handler, run: () => new Promise(() => {}) }], leaseMs: 30_000 });
      void dead.drain();
      await eventually(async () => (await jobRow(id))?.lockedBy, { what: 'the claim' });
      const alive = new JobRunner({ db: database.db, clock: { now: () => now }, log, kinds: ['work'], handlers: [handler], leaseMs: 30_000 });
      expect(await alive.drain()).toBe(0);
      now += 30_001;
      expect(await alive.drain()).toBe(1);
      expect(ran).toEqual(['second worker']);
      expect(await jobRow(id)).toBeUndefined();
    });

    it('deletes finished jobs together, only those the worker still holds', async () => {
      const { database, jobRow } = await setup([]);
      const now = Date.now();
      const early = await enqueue(database.db, 'work', {}, { now: now - 1 });
      const late = await enqueue(database.db, 'work', {}, { now });
      await claimDue(database.db, { now, limit: 1, leaseUntil: now + 60_000, workerId: 'first' });
      await claimDue(database.db, { now, limit: 1, leaseUntil: now + 10, workerId: 'first' });
      // The second job's lease ran out and another worker took it over.
      expect(await claimDue(database.db, { now: now + 11, limit: 5, leaseUntil: now + 60_000, workerId: 'second' })).toMatchObject([{ id: late }]);
      await completeJobs(database.db, 'first', [early, late]);
      expect(await jobRow(early)).toBeUndefined();
      expect(await jobRow(late)).toMatchObject({ lockedBy: 'second' });
    });

    it('processes a backlog in the background loop', async () => {
      const done = new Set<number>();
      const { database, runner } = await setup([{ kind: 'n', maxAttempts: 1, run: async (p: { i: number }) => void done.add(p.i) }]);
      const now = Date.now();
      await database.db.transaction().execute(async (tx) => {
        for (let i = 0; i < 50; i++) await enqueue(tx, 'n', { i }, { now });
      });
      runner.start();
      await eventually(() => done.size === 50, { what: 'all 50 jobs' });
    });

    if (engine === 'postgres') {
      it('never gives one job to two workers at once', async () => {
        const { database, drop } = await freshDatabase(engine);
        cleanup.push(drop);
        const runsPerJob = new Map<number, number>();
        const handler: JobHandler = {
          kind: 'count',
          maxAttempts: 1,
          run: async (p: { i: number }) => {
            runsPerJob.set(p.i, (runsPerJob.get(p.i) ?? 0) + 1);
            await new Promise((r) => setTimeout(r, 2));
          },
        };
        const now = Date.now();
        await database.db.transaction().execute(async (tx) => {
          for (let i = 0; i < 200; i++) await enqueue(tx, 'count', { i }, { now });
        });
        const workers = Array.from({ length: 4 }, () => new JobRunner({ db: database.db, clock: { now: Date.now }, log, kinds: ['count'], handlers: [handler], concurrency: 8, pollMs: 5 }));
        workers.forEach((w) => w.start());
        cleanup.push(async () => void (await Promise.all(workers.map((w) => w.stop()))));
        await eventually(() => runsPerJob.size === 200, { what: 'all jobs', timeoutMs: 20_000 });
        expect([...runsPerJob.values()].every((n) => n === 1)).toBe(true);
      });
    }
  });
}

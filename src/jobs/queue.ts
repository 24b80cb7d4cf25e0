import { isPostgres, type Conn } from '../db/database.js';
import { holdInsert } from '../db/held-writes.js';
import type { ExpressionBuilder, QueryCreator } from 'kysely';
import type { DB, Row } from '../db/schema.js';
import { newId } from '../ids.js';
import { idList, inIdList, prepared, preparedInsert } from '../db/prepared.js';

export type Job = Row<'jobs'>;

export interface EnqueueOptions {
  now: number;
  runAt?: number;
  /** What the job is about (a message id, a media id), so it can be found again without reading its payload. */
  subject?: string;
  organizationId?: string;
}

/**
 * Adds a job in the caller's transaction, so it exists exactly when the change it is about
 * was committed (the transactional outbox). A batch holding writes (src/db/held-writes.ts) sends it with them.
 */
export async function enqueue(conn: Conn, kind: string, payload: unknown, opts: EnqueueOptions): Promise<string> {
  const row = {
    id: newId(opts.now),
    kind,
    payload: JSON.stringify(payload),
    subject: opts.subject ?? null,
    organizationId: opts.organizationId ?? null,
    status: 'pending' as const,
    runAt: opts.runAt ?? opts.now,
    attempts: 0,
    createdAt: opts.now,
  };
  if (!holdInsert(conn, 'jobs', row)) await insertJob(conn, row);
  return row.id;
}

const insertJob = preparedInsert('jobs');

/** Removes the jobs of a kind about one subject, e.g. the old send job of a message sent again. */
export const deleteJobsAbout = (conn: Conn, kind: string, subject: string) => conn.deleteFrom('jobs').where('kind', '=', kind).where('subject', '=', subject).execute();

/** An organization's waiting jobs of a kind become due now, e.g. sends that waited for a new Auth Token. */
export const pullJobsForward = (conn: Conn, kind: string, organizationId: string, now: number) =>
  conn
    .updateTable('jobs')
    .set({ runAt: now })
    .where('kind', '=', kind)
    .where('organizationId', '=', organizationId)
    .where('status', '=', 'pending')
    .where('runAt', '>', now)
    .where('lockedBy', 'is', null)
    .execute();

/**
 * Claims up to `limit` due jobs for one worker until `leaseUntil`. A job whose worker died is
 * due again once its lease has passed. On PostgreSQL, SKIP LOCKED lets many workers claim at
 * once without ever taking the same job; SQLite's single writer gives the same guarantee.
 */
export async function claimDue(conn: Conn, opts: { now: number; limit: number; leaseUntil: number; workerId: string }): Promise<Job[]> {
  return (await claimDueQuery(conn, opts.now, opts.limit, opts.leaseUntil, opts.workerId)).rows;
}

const claimDueQuery = prepared((conn: Conn, now: number, limit: number, leaseUntil: number, workerId: string) => {
  const due = conn
    .selectFrom('jobs')
    .select('id')
    .where('status', '=', 'pending')
    .where('runAt', '<=', now)
    .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<', now)]))
    .orderBy('runAt')
    .limit(limit)
    .$if(isPostgres(conn), (q) => q.forUpdate().skipLocked());
  return conn
    .updateTable('jobs')
    .set((eb) => ({ lockedUntil: leaseUntil, lockedBy: workerId, attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', due)
    .returningAll();
});

/** Only the worker that holds the lease may settle a job: a late worker whose lease ran out changes nothing. */
const held = (job: Pick<Job, 'id' | 'lockedBy'>) => (eb: ExpressionBuilder<DB, 'jobs'>) => eb.and([eb('id', '=', job.id), eb('lockedBy', '=', job.lockedBy ?? '')]);

/**
 * The DELETE of a finished job, for a handler to run in the transaction of the change that
 * finishes it (on PostgreSQL as a WITH of that change's statement), so the two commit together
 * and the runner has no delete of its own left to make (the handler returns JOB_FINISHED). Only
 * while its worker holds it, as every settling of a job.
 */
export const finishJobStatement = (conn: QueryCreator<DB>, job: Pick<Job, 'id' | 'lockedBy'>) => conn.deleteFrom('jobs').where(held(job));

/** Deletes finished jobs that `workerId` still holds, in one statement (a worker's jobs finish in bunches). */
export async function completeJobs(conn: Conn, workerId: string, ids: string[]): Promise<void> {
  if (ids.length > 0) await completeJobsQuery(conn, idList(conn, ids), workerId);
}

const completeJobsQuery = prepared((conn: Conn, ids: unknown, workerId: string) => conn.deleteFrom('jobs').where(inIdList(conn, 'id', ids)).where('lockedBy', '=', workerId));

export async function rescheduleJob(conn: Conn, job: Job, runAt: number, opts: { error?: string; countAttempt: boolean }): Promise<void> {
  await conn
    .updateTable('jobs')
    .set((eb) => ({
      runAt,
      lockedUntil: null,
      lockedBy: null,
      lastError: opts.error ?? null,
      attempts: opts.countAttempt ? eb.ref('attempts') : eb('attempts', '-', 1),
    }))
    .where(held(job))
    .execute();
}

/** A running job keeps what it learned for its next run (e.g. the rate slot it claimed); only its own worker may. */
export async function replacePayload(conn: Conn, job: Job, payload: unknown): Promise<void> {
  await conn.updateTable('jobs').set({ payload: JSON.stringify(payload) }).where(held(job)).execute();
}

/** A stopping worker hands back jobs it could not finish: due again now, the cut-short run not counted. */
export async function releaseJobs(conn: Conn, jobs: Job[]): Promise<void> {
  for (const job of jobs) {
    await conn
      .updateTable('jobs')
      .set((eb) => ({ lockedUntil: null, lockedBy: null, attempts: eb('attempts', '-', 1) }))
      .where(held(job))
      .execute();
  }
}

export async function failJob(conn: Conn, job: Job, error: string): Promise<void> {
  await conn.updateTable('jobs').set({ status: 'failed', lockedUntil: null, lastError: error }).where(held(job)).execute();
}

/** Rewrites a secret-ish string out of job error texts (e.g. an Account SID quoted in a Twilio error). */
export async function scrubJobErrors(conn: Conn, needle: string, replacement: string): Promise<void> {
  await conn
    .updateTable('jobs')
    .set((eb) => ({ lastError: eb.fn<string>('replace', ['lastError', eb.val(needle), eb.val(replacement)]) }))
    .where('lastError', 'like', `%${needle}%`)
    .execute();
}

/**
 * A job of which one row exists for the whole deployment, under a fixed id: inserted if missing,
 * else made due at `runAt` unless a worker holds it now. The primary key settles racing processes.
 */
export async function scheduleSingleton(conn: Conn, kind: string, id: string, runAt: number): Promise<void> {
  await conn
    .insertInto('jobs')
    .values({ id, kind, payload: '{}', subject: null, organizationId: null, status: 'pending', runAt, attempts: 0, createdAt: runAt })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({ runAt, status: 'pending', attempts: 0 })
        .where((eb) => eb.or([eb('jobs.lockedUntil', 'is', null), eb('jobs.lockedUntil', '<', runAt)])),
    )
    .execute();
}

/** A long job keeps its lease while it works, so no other worker takes it over meanwhile. */
export async function extendLease(conn: Conn, job: Job, until: number): Promise<void> {
  await conn.updateTable('jobs').set({ lockedUntil: until }).where(held(job)).execute();
}

export type JobState = 'due' | 'waiting' | 'running' | 'failed';

export interface JobStats {
  counts: { kind: string; state: JobState; count: number }[];
  /** How long the longest-waiting due job has waited (0 when none is due). */
  oldestDueAgeMs: number;
}

/** For /metrics: the outbox at a glance. One grouped read; jobs are few (done ones are deleted). */
export async function jobStats(conn: Conn, now: number): Promise<JobStats> {
  const rows = await conn
    .selectFrom('jobs')
    .select((eb) => [
      'kind',
      eb
        .case()
        .when('status', '=', 'failed')
        .then('failed')
        .when(eb.and([eb('lockedUntil', 'is not', null), eb('lockedUntil', '>=', now)]))
        .then('running')
        .when('runAt', '<=', now)
        .then('due')
        .else('waiting')
        .end()
        .as('state'),
      eb.fn.countAll<number>().as('count'),
      eb.fn.min('runAt').as('firstRunAt'),
    ])
    .groupBy(['kind', 'state'])
    .execute();
  const due = rows.filter((r) => r.state === 'due').map((r) => Number(r.firstRunAt));
  return {
    counts: rows.map((r) => ({ kind: r.kind, state: r.state as JobState, count: Number(r.count) })),
    oldestDueAgeMs: due.length > 0 ? Math.max(0, now - Math.min(...due)) : 0,
  };
}

import path from 'node:path';
import pino, { type Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { migrate, openDatabase, type Database } from './db/database.js';
import { CATCHUP_JOB, catchupJobHandler, scheduleCatchupNow } from './features/catchup/job.js';
import { createLocalBus, createPgBus } from './features/events/bus.js';
import { mediaDownloadJobHandler } from './features/media/download.js';
import { MEDIA_THUMBNAIL, thumbnailJobHandler } from './features/media/thumbnail.js';
import { MEDIA_DOWNLOAD } from './features/media/service.js';
import { SEND_JOB, sendJobHandler } from './features/outbound/send-job.js';
import { buildApp, REDACT } from './http/app.js';
import { Readiness } from './http/ops.js';
import { jobStats } from './jobs/queue.js';
import { JobRunner, type JobHandler } from './jobs/runner.js';
import { createMetrics } from './metrics.js';
import { createKeyring, resolveAppSecret } from './secrets.js';

/** Every job kind the product enqueues; start-up fails if one has no handler. */
export const JOB_KINDS: readonly string[] = [SEND_JOB, MEDIA_DOWNLOAD, MEDIA_THUMBNAIL, CATCHUP_JOB];

export interface ServerOptions {
  clock?: Clock;
  log?: Logger;
  /** Tests give each run its own PostgreSQL schema. */
  pgSchema?: string;
  /** Tests pass their own job kinds and handlers. */
  jobs?: { kinds: readonly string[]; handlers: (ctx: Context) => JobHandler[] };
}

/** How long a stopping process waits for its requests and jobs (docs/operations.md#stopping-and-restarting). */
export const SHUTDOWN_GRACE_MS = 15_000;

export interface Server {
  ctx: Context;
  app: Awaited<ReturnType<typeof buildApp>>;
  runner: JobRunner | null;
  readiness: Readiness;
  /**
   * Drains, then closes: /readyz turns 503, no new connections, SSE clients told to reconnect,
   * requests and jobs in flight finish for up to `graceMs` (then connections are cut and the
   * jobs handed back), and the database is closed last.
   */
  close(graceMs?: number): Promise<void>;
}

export function createLogger(config: Config): Logger {
  return pino({ level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' } });
}

export async function openConfiguredDatabase(config: Config, pgSchema?: string, log?: Logger): Promise<Database> {
  const database = openDatabase({
    url: config.databaseUrl,
    sqliteFile: path.join(config.dataDir, 'parley.db'),
    sqliteSynchronous: config.sqliteSynchronous,
    pgSchema,
    onPoolError: (err) => log?.warn({ err }, 'a pooled database connection was lost; the next query opens a new one'),
    onCheckpointerError: (err) => log?.error({ err }, 'SQLite checkpointer stopped; only commits past its fallback threshold checkpoint the WAL now'),
  });
  await migrate(database);
  return database;
}

/** config -> db -> app -> worker, shared by main.ts, the demo and the tests. */
export async function createServer(config: Config, options: ServerOptions = {}): Promise<Server> {
  const log = options.log ?? createLogger(config);
  const secret = resolveAppSecret(config);
  const database = await openConfiguredDatabase(config, options.pgSchema, log);
  const events = database.pgPool ? await createPgBus(database.pgPool, log) : createLocalBus();
  let runner: JobRunner | null = null;
  const ctx: Context = {
    config,
    database,
    db: database.db,
    keyring: createKeyring(secret, config.appSecretPrevious),
    clock: options.clock ?? systemClock,
    events,
    log,
    metrics: createMetrics(() => jobStats(database.db, ctx.clock.now())),
    wakeWorker: () => runner?.wake(),
  };
  const jobs = options.jobs ?? { kinds: JOB_KINDS, handlers: (c: Context) => [sendJobHandler(c), mediaDownloadJobHandler(c), thumbnailJobHandler(c), catchupJobHandler(c)] };
  if (config.role !== 'web') {
    runner = new JobRunner({
      db: ctx.db,
      clock: ctx.clock,
      log,
      kinds: jobs.kinds,
      handlers: jobs.handlers(ctx),
      concurrency: config.workerConcurrency,
    });
    // docs/twilio.md#7-nothing-lost-while-parley-is-down: what Twilio kept while no worker ran is caught up at once.
    if (!options.jobs) await scheduleCatchupNow(ctx);
  }
  const readiness = new Readiness();
  const app = await buildApp(ctx, readiness);
  readiness.state = 'ready';
  return {
    ctx,
    app,
    runner,
    readiness,
    async close(graceMs = SHUTDOWN_GRACE_MS) {
      readiness.state = 'draining';
      const deadline = Date.now() + graceMs;
      const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
      try {
        await Promise.all([app.close(), runner?.stop(deadline)]);
      } finally {
        clearTimeout(cut);
      }
      await events.close();
      await database.destroy();
    },
  };
}

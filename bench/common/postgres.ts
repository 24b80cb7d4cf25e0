import { existsSync, readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

/**
 * The PostgreSQL a benchmark runs against: BENCH_DATABASE_URL, else TEST_DATABASE_URL. Each run
 * gets a schema of its own, dropped afterwards, so runs never see each other's rows. Without
 * either variable the benchmark measures SQLite alone and says why.
 */
export const benchDatabaseUrl = (): string | undefined => process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;

/** The engines named on the command line (`sqlite`, `postgres`), else both when PostgreSQL is configured. */
export function requestedEngines(args: string[], pgUrl: string | undefined): ('sqlite' | 'postgres')[] {
  const named = args.filter((a): a is 'sqlite' | 'postgres' => a === 'sqlite' || a === 'postgres');
  const engines = named.length > 0 ? named : (['sqlite', 'postgres'] as const).filter((e) => e === 'sqlite' || pgUrl);
  if (engines.includes('postgres') && !pgUrl) throw new Error('postgres: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server');
  return [...engines];
}

export interface BenchSchema {
  /** The schema's name, also the application_name of every connection the run opens. */
  name: string;
  /** The server's URL with application_name set, so the run's backends can be told from others'. */
  url: string;
  /** Lock waits and wait events of this run's backends, sampled while a phase runs. */
  sampleWaits(): () => Promise<WaitSamples>;
  /**
   * Gathers the statistics of the schema's tables. PostgreSQL plans from them, and a connection
   * keeps a prepared statement's plan until they change. On a desk in use autovacuum gathers them
   * within a minute of a tenth of a table changing; a run's tables grow from nothing in seconds,
   * before autovacuum looks, so without this the run measures plans made for empty tables (reading
   * a whole table where an index finds a row). SQLite plans alike without statistics.
   */
  analyze(): Promise<void>;
  drop(): Promise<void>;
}

export interface WaitSamples {
  samples: number;
  /** Share of samples with at least one of the run's backends waiting for a lock. */
  lockWaitShare: number;
  /**
   * The run's busy backends by what they were doing, summed over samples: a wait event
   * (Lock:transactionid, LWLock:WALWrite, IO:WALSync…), CPU, or `idle in transaction` (waiting
   * for the server's next statement: round trips).
   */
  waitEvents: Record<string, number>;
}

export async function createBenchSchema(url: string, label: string): Promise<BenchSchema> {
  const name = `bench_${label}_${Date.now().toString(36)}_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${name}`);
  const withName = new URL(url);
  withName.searchParams.set('application_name', name);
  return {
    name,
    url: withName.toString(),
    sampleWaits: () => sampleWaits(admin, name),
    async analyze() {
      const { rows } = await admin.query<{ statement: string }>(`select format('analyze %I.%I', schemaname, tablename) as statement from pg_tables where schemaname = $1`, [name]);
      for (const { statement } of rows) await admin.query(statement);
    },
    async drop() {
      await admin.query(`drop schema if exists ${name} cascade`);
      await admin.end();
    },
  };
}

function sampleWaits(admin: pg.Client, applicationName: string): () => Promise<WaitSamples> {
  let samples = 0;
  let withLockWait = 0;
  const waitEvents: Record<string, number> = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await admin.query<{ event: string; n: number }>(
        `select case when state = 'active' then coalesce(wait_event_type || ':' || wait_event, 'CPU') else state end as event, count(*)::int as n
           from pg_stat_activity where application_name = $1 and state <> 'idle' group by 1`,
        [applicationName],
      );
      samples++;
      if (rows.some((r) => r.event.startsWith('Lock:'))) withLockWait++;
      for (const r of rows) waitEvents[r.event] = (waitEvents[r.event] ?? 0) + r.n;
      // Ten a second: each sample costs PostgreSQL a fraction of a millisecond, on the cores the
      // measurement shares, and fifty a second took a few percent of one.
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return { samples, lockWaitShare: samples ? Math.round((withLockWait / samples) * 1000) / 1000 : 0, waitEvents };
  };
}

/**
 * The CPU every PostgreSQL process on this machine has used (Linux /proc), or undefined where that
 * cannot be read (a server on another machine, another system). `since` gives what they used
 * after an earlier snapshot: per message, what the database cost beside the server's own CPU. On
 * a 2-core machine running both, the two together bound the throughput. Only processes alive at
 * the end count, new ones whole: the CPU of a backend that exits meanwhile (a pool closing an idle
 * connection) is missed, never subtracted. SQLite has no such figure: it runs inside the server's
 * process, whose own CPU figure holds it.
 */
export function databaseCpu(url: string): { since(): number } | undefined {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname) || !existsSync('/proc/self/stat')) return undefined;
  const before = postgresTicks();
  return {
    since() {
      let ticks = 0;
      for (const [pid, now] of postgresTicks()) ticks += now - (before.get(pid) ?? 0);
      // Clock ticks are USER_HZ, 100 a second on Linux.
      return ticks * 10;
    },
  };
}

/** Each PostgreSQL process's user and system CPU so far, in clock ticks. */
function postgresTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited since the listing
    }
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    // After the name: state is field 3, utime 14 and stime 15.
    const fields = stat.slice(close + 2).split(' ');
    ticks.set(pid, Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { sql } from 'kysely';
import { migrate, openDatabase, type Database } from '../src/db/database.js';
import { openLoop, percentile, summarize, webhookFactory } from './inbound/load.js';
import type { FromServer, ServerStats } from './inbound/protocol.js';
import { freePort } from '../test/helpers/twilio-world.js';
import { ADMIN_EMAIL, createDesk, fill, fillerName, fillerPhone, LONG_CUSTOMER_PHONE, PASSWORD, type Desk } from './scale/fill.js';
import { forkServer } from './common/fork.js';

/**
 * Issue 17: every agent read stays flat as the desk grows. For each engine (PostgreSQL when
 * BENCH_DATABASE_URL or TEST_DATABASE_URL is set), the desk is filled straight through the
 * query layer to SMALL messages, the real server (its own process) is measured through HTTP,
 * then filled on to LARGE and measured again. Each read is asked SAMPLES times in a row (after
 * WARMUP) and reported as median and p99. Then the server takes 500 inbound webhooks a second
 * while the reads go on, and its peak RSS is reported. Prints one JSON line.
 * `npm run bench -- scale [small] [large]` (defaults 100000 1000000).
 */
const WARMUP = 20;
const SAMPLES = 200;
const LOAD_RATE = 500;
const LOAD_SECONDS = 10;
const APP_SECRET = 'scale-bench-secret-'.padEnd(40, 'x');

type Engine = 'sqlite' | 'postgres';

export interface Storage {
  engine: Engine;
  dataDir: string;
  url?: string;
  schema?: string;
  open(): Database;
  size(): Promise<number>;
  drop(): Promise<void>;
}

export async function storage(engine: Engine, url: string | undefined): Promise<Storage> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-scale-'));
  if (engine === 'sqlite') {
    return {
      engine,
      dataDir,
      open: () => openDatabase({ sqliteFile: path.join(dataDir, 'parley.db') }),
      size: async () => readdirSync(dataDir).filter((f) => f.startsWith('parley.db')).reduce((sum, f) => sum + statSync(path.join(dataDir, f)).size, 0),
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const schema = `bench_scale_${Date.now().toString(36)}`;
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await client.query(query);
    } finally {
      await client.end();
    }
  };
  await admin(`create schema ${schema}`);
  return {
    engine,
    dataDir,
    url,
    schema,
    open: () => openDatabase({ url, pgSchema: schema }),
    size: async () =>
      Number((await admin(`select sum(pg_total_relation_size(c.oid))::bigint as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = '${schema}' and c.relkind in ('r', 'm')`)).rows[0].n),
    async drop() {
      await admin(`drop schema if exists ${schema} cascade`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Child {
  port: number;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

export async function startServer(s: Storage, port: number): Promise<Child> {
  const child = forkServer('scale/server', {
    env: { BENCH_PORT: String(port), BENCH_DATA_DIR: s.dataDir, BENCH_APP_SECRET: APP_SECRET, BENCH_DATABASE_URL: s.url ?? '', BENCH_PG_SCHEMA: s.schema ?? '' },
  });
  const next = <T extends FromServer['type']>(type: T) =>
    new Promise<Extract<FromServer, { type: T }>>((resolve, reject) => {
      const onMessage = (m: FromServer) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        resolve(m as Extract<FromServer, { type: T }>);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`scale server exited with ${code}`)));
    });
  await next('ready');
  return {
    port,
    async stats() {
      const reply = next('stats');
      child.send({ type: 'stats' });
      return reply;
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

export function client(port: number, token: string) {
  return async (pathAndQuery: string): Promise<{ status: number; body: any }> => {
    const res = await fetch(`http://127.0.0.1:${port}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json() };
  };
}

export async function login(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADMIN_EMAIL, password: PASSWORD }) });
  const body = (await res.json()) as { token: string };
  return body.token;
}

/** The reads of issue 17, as paths; the ones that need an id or a cursor look it up first. */
async function readsOf(get: ReturnType<typeof client>): Promise<Record<string, string | null>> {
  const q = (text: string) => `/api/conversations?status=open&q=${encodeURIComponent(text)}`;
  const long = (await get(`/api/customers?phone=${encodeURIComponent(LONG_CUSTOMER_PHONE)}`)).body.items[0];
  const longThread = (await get(q('marguerite'))).body.items[0];
  let cursor: string | null = null;
  for (let page = 0; page < 40; page++) {
    const res: { body: { nextCursor: string | null } } = await get(`/api/conversations?status=open${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    cursor = res.body.nextCursor;
  }
  const phone = fillerPhone(4_320).slice(2);
  const surname = fillerName(4_320).split(' ')[1]!;
  const search = await get('/api/search?q=arrived');
  return {
    inboxFirstPage: '/api/conversations?status=open',
    inboxPage40: cursor ? `/api/conversations?status=open&cursor=${encodeURIComponent(cursor)}` : null,
    searchNameFragment: q(surname.slice(1, 6)),
    searchPhone4Digits: q(phone.slice(5, 9)),
    searchPhone7Digits: q(`${phone.slice(3, 6)}-${phone.slice(6, 10)}`),
    customerByPhone: `/api/customers?phone=${encodeURIComponent(`(${fillerPhone(777).slice(2, 5)}) ${fillerPhone(777).slice(5, 8)}-${fillerPhone(777).slice(8)}`)}`,
    longThreadNewestPage: longThread ? `/api/conversations/${longThread.id}/messages` : null,
    longCustomerTimeline: long ? `/api/customers/${long.id}/timeline` : null,
    messageSearch: search.status === 200 ? '/api/search?q=arrived' : null,
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

async function timeReads(get: ReturnType<typeof client>, reads: Record<string, string | null>) {
  const figures: Record<string, { p50Ms: number; p99Ms: number; items: number; bytes: number } | null> = {};
  for (const [name, url] of Object.entries(reads)) {
    if (!url) {
      figures[name] = null;
      continue;
    }
    const { p50Ms, p99Ms, body } = await timeRead(get, name, url);
    const items = body.items ?? body.conversations ?? [];
    figures[name] = { p50Ms, p99Ms, items: items.length, bytes: JSON.stringify(body).length };
  }
  return figures;
}

/** One read asked `samples` times in a row after `warmup`: its median and p99, and the last answer (which must be a 200). */
export async function timeRead(get: ReturnType<typeof client>, name: string, url: string, { warmup = WARMUP, samples = SAMPLES } = {}) {
  for (let i = 0; i < warmup; i++) await get(url);
  const ms: number[] = [];
  let last = { status: 0, body: null as any };
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    last = await get(url);
    ms.push(performance.now() - t);
  }
  if (last.status !== 200) throw new Error(`${name}: ${url} answered ${last.status} ${JSON.stringify(last.body)}`);
  ms.sort((a, b) => a - b);
  return { p50Ms: round(percentile(ms, 50)), p99Ms: round(percentile(ms, 99)), body: last.body };
}

/** The reads again, round after round, while 500 webhooks a second arrive; the server's peak RSS. */
async function underLoad(port: number, get: ReturnType<typeof client>, reads: Record<string, string | null>, desk: Desk, server: Child) {
  const traffic = { accountSid: desk.accountSid, authToken: desk.authToken, supportNumber: desk.supportNumber, mediaUrls: [], newCustomerShare: 0.3, mmsShare: 0, returningCustomers: 2_000 };
  const next = webhookFactory(traffic);
  const url = `http://127.0.0.1:${port}/webhooks/twilio/messages`;
  let reading = true;
  const readMs: number[] = [];
  const reader = (async () => {
    while (reading) {
      for (const path of Object.values(reads)) {
        if (!path || !reading) continue;
        const t = performance.now();
        await get(path);
        readMs.push(performance.now() - t);
      }
    }
  })();
  const inbound = summarize(await openLoop([port], () => next(url), LOAD_RATE, LOAD_SECONDS));
  reading = false;
  await reader;
  readMs.sort((a, b) => a - b);
  const stats = await server.stats();
  return { inbound, reads: { count: readMs.length, p50Ms: round(percentile(readMs, 50)), p99Ms: round(percentile(readMs, 99)) }, peakRssMb: Math.round(stats.peakRss / 1024 / 1024) };
}

async function measureAt(s: Storage, desk: Desk, withLoad: boolean) {
  console.error(`scale: ${s.engine}: measuring`);
  const port = await freePort();
  const server = await startServer(s, port);
  try {
    const get = client(port, await login(port));
    const reads = await readsOf(get);
    const figures = await timeReads(get, reads);
    const idleRssMb = Math.round((await server.stats()).peakRss / 1024 / 1024);
    const load = withLoad ? await underLoad(port, get, reads, desk, server) : null;
    return { reads: figures, peakRssMbAfterReads: idleRssMb, load };
  } finally {
    await server.stop();
  }
}

async function fillTo(s: Storage, state: { desk?: Desk; next: number; clock: number; stored: number }, messages: number) {
  console.error(`scale: ${s.engine}: filling to ${messages} messages`);
  const database = s.open();
  const started = performance.now();
  try {
    await migrate(database);
    state.desk ??= await createDesk(database.db, APP_SECRET, state.clock);
    const done = await fill(database.db, state.desk, state.next, messages, state.clock, state.stored);
    Object.assign(state, done, { stored: messages });
    // What autovacuum would have gathered by then; SQLite plans without statistics, as the product runs.
    if (s.engine === 'postgres') await sql`analyze customers, conversations, messages, conversation_reads`.execute(database.db);
  } finally {
    await database.destroy();
  }
  return Math.round((performance.now() - started) / 1000);
}

async function runEngine(engine: Engine, url: string | undefined, small: number, large: number) {
  const s = await storage(engine, url);
  try {
    const state: { desk?: Desk; next: number; clock: number; stored: number } = { next: 0, clock: Date.now() - 2 * 365 * 24 * 3_600_000, stored: 0 };
    const fillSmallSeconds = await fillTo(s, state, small);
    const smallFigures = { messages: small, fillSeconds: fillSmallSeconds, databaseMb: Math.round((await s.size()) / 1024 / 1024), ...(await measureAt(s, state.desk!, false)) };
    const fillLargeSeconds = await fillTo(s, state, large);
    const largeFigures = { messages: large, fillSeconds: fillLargeSeconds, databaseMb: Math.round((await s.size()) / 1024 / 1024), ...(await measureAt(s, state.desk!, true)) };
    const growth = Object.fromEntries(
      Object.entries(largeFigures.reads).map(([name, f]) => {
        const before = smallFigures.reads[name];
        return [name, f && before ? round(f.p50Ms / before.p50Ms) : null];
      }),
    );
    return { small: smallFigures, large: largeFigures, medianGrowth: growth };
  } finally {
    await s.drop();
  }
}

export default async function scaleBench(args: string[]): Promise<void> {
  const small = Number(args[0] ?? 100_000);
  const large = Number(args[1] ?? 1_000_000);
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const engines: Engine[] = url ? ['sqlite', 'postgres'] : ['sqlite'];
  const only = process.env.BENCH_ENGINE as Engine | undefined;
  const results: Record<string, unknown> = {};
  for (const engine of engines.filter((e) => !only || e === only)) results[engine] = await runEngine(engine, url, small, large);
  console.log(
    JSON.stringify({
      bench: 'scale',
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
      method: { small, large, warmup: WARMUP, samples: SAMPLES, loadRate: LOAD_RATE, loadSeconds: LOAD_SECONDS },
      targets: { p50Ms: 50, p99Ms: 150, medianGrowth: 2, rssMb: 200 },
      ...results,
    }),
  );
}

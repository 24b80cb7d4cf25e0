import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { migrate } from '../src/db/database.js';
import { freePort } from '../test/helpers/twilio-world.js';
import { benchDatabaseUrl, requestedEngines } from './common/postgres.js';
import { client, login, startServer, storage, timeRead, type Storage } from './scale.js';
import { createDesk, fill, type BodyOf } from './scale/fill.js';

/**
 * Message search at size: BENCH_MESSAGES messages (default 1,000,000) over a quarter as many
 * customers, written straight through the query layer (bench/scale/fill.ts) with varied text,
 * then GET /api/search asked through HTTP of the real server for common words, rare words,
 * prefixes and a word no message holds, SAMPLES times each after WARMUP. SQLite, and PostgreSQL
 * when BENCH_DATABASE_URL or TEST_DATABASE_URL is set (`npm run bench -- search [sqlite|postgres]`).
 * Prints one JSON line: median and p99 per query, matches on the first page, database size.
 */
const WARMUP = 10;
const SAMPLES = 100;
const APP_SECRET = 'search-bench-secret-'.padEnd(40, 'x');

const STOP = ['the', 'my', 'is', 'a', 'to', 'you', 'we', 'it', 'for', 'and'];
const COMMON = ['order', 'refund', 'delivery', 'package', 'thanks', 'please', 'arrived', 'tracking', 'address', 'payment', 'help', 'today', 'tomorrow', 'week', 'store', 'shipping', 'return', 'exchange', 'size', 'colour', 'invoice', 'account', 'password', 'card', 'discount', 'code', 'cancel', 'change', 'update', 'question', 'problem', 'broken', 'missing', 'late', 'soon', 'number', 'email', 'phone', 'receipt', 'Müller'];
const SYLLABLES = ['ka', 'ro', 'mi', 'lé', 'an', 'tor', 'vel', 'is', 'bur', 'nó', 'da', 'gri', 'sen', 'ul', 'fa', 'wen', 'pa', 'tri', 'ço', 'ham'];
/** 8,000 made-up words, drawn with a long tail: the first few are common, most are rare. */
const MEDIUM = Array.from({ length: 8_000 }, (_, i) => SYLLABLES[i % 20]! + SYLLABLES[Math.floor(i / 20) % 20]! + SYLLABLES[Math.floor(i / 400) % 20]!);
/** Each message holds one code word of 200,000: about five messages per code at a million. */
const CODES = 200_000;
const code = (n: number) => `zq${((n * 7_919) % CODES).toString(36)}`;

/** A deterministic random number in [0, 1) for message n and draw k. */
function random(n: number, k: number): number {
  let h = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return (h >>> 0) / 2 ** 32;
}

/** 6 to 15 words: stop words, common words, made-up words with a long tail, and one code. */
const bodyOf: BodyOf = (n) => {
  const count = 6 + Math.floor(random(n, 0) * 10);
  const words: string[] = [];
  for (let k = 1; k <= count; k++) {
    const r = random(n, k);
    const pick = random(n, k + 100);
    if (r < 0.3) words.push(STOP[Math.floor(pick * STOP.length)]!);
    else if (r < 0.6) words.push(COMMON[Math.floor(pick * COMMON.length)]!);
    else words.push(MEDIUM[Math.floor(pick ** 3 * MEDIUM.length)]!);
  }
  words.splice(Math.floor(random(n, 99) * words.length), 0, code(n));
  const text = words.join(' ');
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
};

/** What is asked, by kind; each a query string (the codes of messages the fill wrote). */
const queriesFor = (messages: number) => ({
  commonWord: 'order',
  stopWord: 'the',
  twoCommonWords: 'refund tracking',
  accentFolded: 'muller',
  mediumWord: MEDIUM[4_000]!,
  rareWord: code(Math.floor(messages * 0.37)),
  absentWord: 'xylophone',
  rareAndCommon: `${code(Math.floor(messages * 0.81))} order`,
  prefixOfCommon: 'refun',
  shortPrefix: 'de',
  oneLetterPrefix: 'p',
  prefixOfRare: 'zq1a',
});

const round = (n: number) => Math.round(n * 100) / 100;

async function measure(s: Storage, queries: Record<string, string>) {
  const port = await freePort();
  const server = await startServer(s, port);
  try {
    const get = client(port, await login(port));
    const figures: Record<string, { p50Ms: number; p99Ms: number; items: number; more: boolean }> = {};
    for (const [name, q] of Object.entries(queries)) {
      const url = `/api/search?q=${encodeURIComponent(q)}`;
      const { p50Ms, p99Ms, body } = await timeRead(get, name, url, { warmup: WARMUP, samples: SAMPLES });
      figures[name] = { p50Ms, p99Ms, items: body.items.length, more: body.nextCursor !== null };
      console.error(`search: ${s.engine}: ${name} (${q}): p50 ${figures[name].p50Ms} ms, p99 ${figures[name].p99Ms} ms, ${figures[name].items} items`);
    }
    const all = Object.values(figures).flatMap((f) => [f.p50Ms]);
    return { queries: figures, worstP50Ms: Math.max(...all), worstP99Ms: Math.max(...Object.values(figures).map((f) => f.p99Ms)) };
  } finally {
    await server.stop();
  }
}

async function runEngine(engine: 'sqlite' | 'postgres', url: string | undefined, messages: number) {
  const s = await storage(engine, url);
  try {
    console.error(`search: ${engine}: filling to ${messages} messages`);
    const started = performance.now();
    const database = s.open();
    // The fill's own connection only (the measured server runs as shipped): with SQLite's default
    // 2 MB page cache, a million messages' indexes are read back from the OS page after page and
    // the fill slows to a crawl on a busy machine.
    database.sqlite?.pragma('cache_size = -262144');
    try {
      await migrate(database);
      const clock = Date.now() - 2 * 365 * 24 * 3_600_000;
      const desk = await createDesk(database.db, APP_SECRET, clock);
      await fill(database.db, desk, 0, messages, clock, 0, bodyOf);
      if (engine === 'postgres') await sql`analyze customers, conversations, messages, message_search`.execute(database.db);
    } finally {
      await database.destroy();
    }
    const fillSeconds = Math.round((performance.now() - started) / 1000);
    return { messages, fillSeconds, databaseMb: Math.round((await s.size()) / 1024 / 1024), loadAverage: os.loadavg().map(round), ...(await measure(s, queriesFor(messages))) };
  } finally {
    await s.drop();
  }
}

export default async function searchBench(args: string[]): Promise<void> {
  const messages = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
  const url = benchDatabaseUrl();
  const results: Record<string, unknown> = {};
  for (const engine of requestedEngines(args, url)) results[engine] = await runEngine(engine, url, messages);
  console.log(
    JSON.stringify({
      bench: 'search',
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
      method: { messages, warmup: WARMUP, samples: SAMPLES, queries: queriesFor(messages) },
      targets: { p50Ms: 100, p99Ms: 300 },
      ...results,
    }),
  );
}

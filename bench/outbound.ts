import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { benchDatabaseUrl, createBenchSchema, databaseCpu, requestedEngines, type BenchSchema } from './common/postgres.js';
import type { Figures, FloorFromServer, FloorToServer, FromServer, Progress, Ready, ToServer } from './outbound/protocol.js';
import { forkServer } from './common/fork.js';
import { benchInFlight } from './common/server-config.js';

/**
 * Outbound dispatch (issues 6 and 18), on SQLite and on PostgreSQL side by side (`-- outbound
 * sqlite` or `postgres` for one). The real server in its own process, with SENDERS
 * support numbers whose rates are lifted (RATE_PER_SECOND each); the simulator (Twilio) in this
 * process. Texts go to CUSTOMERS customers through POST /api/conversations, CONCURRENCY at a
 * time. First an unmeasured warm-up of MESSAGES sends with callbacks on each server (phases.warmUp);
 * then four phases, one JSON line:
 *  - burst: enqueued with the worker stopped; then the worker starts and sends them while
 *    Twilio's status callbacks (sent, delivered) come back, as in production. Dispatch
 *    throughput: messages Twilio accepted per second, from the worker's start to the last one.
 *  - burstWithoutCallbacks: the same with Twilio sending no callbacks: the send path alone.
 *  - live: enqueued while the worker runs; enqueue-to-accepted latency is each message's time
 *    from being stored (its 202) to Twilio's acceptance.
 *  - atTwilioResponseTime: a burst of a third as many, with callbacks, while the simulator takes
 *    TWILIO_RESPONSE_MS to answer each call, as Twilio does from across a network. A send waits
 *    for that answer, so here the sends a worker keeps in flight (WORKER_CONCURRENCY), not the
 *    CPU, set the pace: at most `ceilingPerSecond`.
 * CPU milliseconds per message are the server's and the simulator's during a burst's dispatch:
 * on two cores, the larger of the two bounds the throughput. On PostgreSQL a burst also reports
 * the statements sent per message and what the server's backends were doing, and its tables'
 * statistics are gathered before each burst's dispatch, as autovacuum does on a desk in use
 * (bench/common/postgres.ts).
 * Then the floor (bench/outbound/floor-server.ts), the least a send must do, on the same engine
 * and simulator, as many sends in flight: each burst beside Parley's as a ratio.
 * WORKER_CONCURRENCY, if set, applies to Parley and the floor alike.
 * BENCH_MESSAGES changes the phase size; BENCH_PROFILE=<file> writes a CPU profile of the
 * server during the first burst's dispatch (<file>-sqlite.cpuprofile, <file>-postgres.cpuprofile).
 */
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 3000);
const SENDERS = 4;
const CUSTOMERS = 1000;
const CONCURRENCY = 32;
const RATE_PER_SECOND = 1000;
/** A model of Twilio's answer time from a server in the same region; real answers vary, tens to hundreds of ms. */
const TWILIO_RESPONSE_MS = 200;
const IN_FLIGHT = benchInFlight();
const PORT = 4820;
const FLOOR_PORT = 4821;

/** A forked process spoken to over IPC: wait for a message of one type, ask and wait, stop. */
function talkTo<From extends { type: string }, To extends { type: string }>(child: ChildProcess, name: string) {
  const next = <T extends From['type']>(type: T) =>
    new Promise<Extract<From, { type: T }>>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${name} exited with ${code}`));
      const onMessage = (m: From) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as Extract<From, { type: T }>);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ask = <T extends From['type']>(msg: To, reply: T) => {
    const answer = next(reply);
    child.send(msg);
    return answer;
  };
  const stop = async (msg: To) => {
    const exited = new Promise((r) => child.once('exit', r));
    child.send(msg);
    await exited;
  };
  return { next, ask, stop };
}

function startServer(env: Record<string, string>) {
  const { next, ask, stop } = talkTo<FromServer, ToServer>(forkServer('outbound/server', { env }), 'server');
  return {
    ready: next('ready') as Promise<Ready>,
    progress: (countPending = false) => ask({ type: 'progress', countPending }, 'progress') as Promise<Progress>,
    figures: (since: number) => ask({ type: 'figures', since }, 'figures') as Promise<Figures>,
    worker: (run: boolean, warmUp = false) => ask({ type: 'worker', run, warmUp }, 'worker'),
    stop: () => stop({ type: 'stop' }),
  };
}

type Server = ReturnType<typeof startServer>;

/** POST /api/conversations `count` times, CONCURRENCY at a time; returns refusals and seconds taken. */
async function enqueue(ready: Ready, count: number, offset: number): Promise<{ errors: number; seconds: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let sent = 0;
  let errors = 0;
  const post = (i: number) =>
    new Promise<void>((resolve) => {
      const body = JSON.stringify({
        senderId: ready.senderIds[i % SENDERS],
        phone: `+1212${String(2_000_000 + (i % CUSTOMERS)).padStart(7, '0')}`,
        body: `Your order #${offset + i} has shipped and should arrive on Thursday. Reply here if anything is wrong.`,
      });
      const headers = { authorization: `Bearer ${ready.token}`, 'content-type': 'application/json' };
      const req = http.request({ agent, host: '127.0.0.1', port: PORT, method: 'POST', path: '/api/conversations', headers }, (res) => {
        if (res.statusCode !== 202) errors++;
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < count) await post(offset + sent++);
    }),
  );
  agent.destroy();
  return { errors, seconds: (Date.now() - started) / 1000 };
}

/**
 * Waits until no message is pending; returns the server's CPU time and clock by then. The server's
 * counters say when the `count` sends queued after `from` have settled; the database confirms it
 * then, and once a second besides, so a send the counters count twice (accepted, then failed) or
 * not at all can neither end the phase early nor keep it waiting.
 */
async function drained(server: Server, from: Progress, count: number): Promise<Progress> {
  const deadline = Date.now() + 600_000;
  for (let poll = 1; ; poll++) {
    const p = await server.progress();
    if (p.settled - from.settled >= count || poll % 20 === 0) {
      const confirmed = await server.progress(true);
      if (confirmed.pending === 0) return confirmed;
    }
    if (Date.now() > deadline) return p;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;

function latency(f: Figures) {
  const sorted = [...f.enqueueToAcceptedMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** Texts `offset` to `offset + count`, sent with or without status callbacks, Twilio answering each call in `responseMs`. */
interface Phase {
  offset: number;
  count: number;
  callbacks: boolean;
  responseMs: number;
}

const phases = {
  /**
   * Unmeasured, first on each server: V8 compiles a process's hot code in the background over
   * its first seconds of load, on the cores the measurement shares, and Parley has far more code
   * to compile than the floor. A desk measured warm is the desk that runs for days.
   */
  warmUp: { offset: 4 * MESSAGES, count: MESSAGES, callbacks: true, responseMs: 0 },
  burst: { offset: 0, count: MESSAGES, callbacks: true, responseMs: 0 },
  burstWithoutCallbacks: { offset: MESSAGES, count: MESSAGES, callbacks: false, responseMs: 0 },
  atTwilioResponseTime: { offset: 3 * MESSAGES, count: Math.ceil(MESSAGES / 3), callbacks: true, responseMs: TWILIO_RESPONSE_MS },
} satisfies Record<string, Phase>;

/** Enqueue with the worker stopped, then measure the worker sending them all. */
async function burst(server: Server, sim: Simulator, ready: Ready, phase: Phase, schema?: BenchSchema, sampleWaits = true) {
  const { offset, count, callbacks, responseMs } = phase;
  sim.setFaults({ dropStatusCallbacks: !callbacks, responseMs });
  const start = await server.progress();
  const since = start.now;
  const queued = await enqueue(ready, count, offset);
  await schema?.analyze();
  const before = await server.progress();
  const simCpu = process.cpuUsage();
  const databaseUsed = schema ? databaseCpu(schema.url) : undefined;
  const sampled = sampleWaits ? schema?.sampleWaits() : undefined;
  await server.worker(true);
  const after = await drained(server, start, count);
  const simUsed = process.cpuUsage(simCpu);
  const database = databaseUsed?.since();
  const backends = await sampled?.();
  await server.worker(false);
  const f = await server.figures(since);
  return {
    perSecond: round((f.accepted / (f.lastAcceptedAt - before.now)) * 1000),
    accepted: f.accepted,
    enqueueToAcceptedMs: latency(f),
    cpuMsPerMessage: {
      server: round((after.cpuMs - before.cpuMs) / f.accepted, 2),
      simulator: round((simUsed.user + simUsed.system) / 1000 / f.accepted, 2),
      ...(database === undefined ? {} : { database: round(database / f.accepted, 2) }),
    },
    enqueuePerSecond: round(count / queued.seconds),
    errors: queued.errors + (count - f.accepted),
    ...(after.statements === undefined ? {} : { statementsPerMessage: round((after.statements - before.statements!) / f.accepted, 2), backends }),
  };
}

/** Enqueue the warm-up's texts, and send them all with nothing measured. */
async function warmUp(server: Server, sim: Simulator, ready: Ready) {
  const { offset, count, callbacks, responseMs } = phases.warmUp;
  sim.setFaults({ dropStatusCallbacks: !callbacks, responseMs });
  const start = await server.progress();
  await enqueue(ready, count, offset);
  await server.worker(true, true);
  await drained(server, start, count);
  await server.worker(false);
}

/** Enqueue while the worker sends. */
async function live(server: Server, sim: Simulator, ready: Ready, offset: number) {
  sim.setFaults({ dropStatusCallbacks: false, responseMs: 0 });
  const start = await server.progress();
  const since = start.now;
  await server.worker(true);
  const queued = await enqueue(ready, MESSAGES, offset);
  await drained(server, start, MESSAGES);
  await server.worker(false);
  const f = await server.figures(since);
  return {
    perSecond: round((f.accepted / (f.lastAcceptedAt - f.firstStoredAt)) * 1000),
    accepted: f.accepted,
    enqueueToAcceptedMs: latency(f),
    enqueuePerSecond: round(MESSAGES / queued.seconds),
    errors: queued.errors + (MESSAGES - f.accepted),
    peakRssMb: round(f.peakRss / 1024 / 1024),
  };
}

/** The floor process: queue texts, then dispatch them all. */
function startFloor(env: Record<string, string>) {
  const child = forkServer('outbound/floor-server', { env: { ...env, BENCH_PORT: String(FLOOR_PORT) } });
  const { next, ask, stop } = talkTo<FloorFromServer, FloorToServer>(child, 'floor');
  return {
    ready: next('floor-ready'),
    fill: (rows: Extract<FloorToServer, { type: 'fill' }>['rows']) => ask({ type: 'fill', rows }, 'filled'),
    run: () => ask({ type: 'run' }, 'ran'),
    stop: () => stop({ type: 'stop' }),
  };
}

/** The floor's burst: the same texts as Parley's, queued untimed, then sent as the phase says. */
async function floorBurst(floor: ReturnType<typeof startFloor>, sim: Simulator, numbers: string[], phase: Phase, pgUrl?: string) {
  const { offset, count, callbacks, responseMs } = phase;
  sim.setFaults({ dropStatusCallbacks: !callbacks, responseMs });
  await floor.fill(
    Array.from({ length: count }, (_, n) => ({
      id: offset + n,
      sender: numbers[n % SENDERS]!,
      recipient: `+1212${String(2_000_000 + (n % CUSTOMERS)).padStart(7, '0')}`,
      body: `Your order #${offset + n} has shipped and should arrive on Thursday. Reply here if anything is wrong.`,
    })),
  );
  const simCpu = process.cpuUsage();
  const databaseUsed = pgUrl ? databaseCpu(pgUrl) : undefined;
  const ran = await floor.run();
  const simUsed = process.cpuUsage(simCpu);
  const database = databaseUsed?.since();
  return {
    perSecond: round((ran.accepted / ran.ms) * 1000),
    accepted: ran.accepted,
    cpuMsPerMessage: {
      server: round(ran.cpuMs / ran.accepted, 2),
      simulator: round((simUsed.user + simUsed.system) / 1000 / ran.accepted, 2),
      ...(database === undefined ? {} : { database: round(database / ran.accepted, 2) }),
    },
    errors: ran.errors + (count - ran.accepted),
    ...(ran.statements === undefined ? {} : { statementsPerMessage: round(ran.statements / ran.accepted, 2) }),
  };
}

/** The four phases on one engine, against a server of its own (PostgreSQL: in a schema of the run's own). */
async function measureEngine(engine: 'sqlite' | 'postgres', sim: Simulator, pgUrl: string | undefined) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-outbound-'));
  const schema = engine === 'postgres' ? await createBenchSchema(pgUrl!, 'outbound') : undefined;
  // Numbers of each engine's own: the simulator, shared by the run, refuses a number twice.
  const numbers = Array.from({ length: SENDERS }, (_, i) => `+141555501${engine === 'sqlite' ? 0 : 1}${i}`);
  const { sid, authToken } = sim.createAccount();
  for (const n of numbers) sim.addIncomingNumber(sid, n);
  const engineEnv = {
    BENCH_DATA_DIR: dataDir,
    BENCH_TWILIO_API_URL: sim.url,
    BENCH_ACCOUNT_SID: sid,
    BENCH_AUTH_TOKEN: authToken,
    ...(schema ? { BENCH_DATABASE_URL: schema.url, BENCH_PG_SCHEMA: schema.name } : {}),
  };
  const server = startServer({
    ...engineEnv,
    BENCH_PORT: String(PORT),
    BENCH_SENDERS: numbers.join(','),
    BENCH_RATE_PER_SECOND: String(RATE_PER_SECOND),
    ...(process.env.BENCH_PROFILE ? { BENCH_PROFILE: process.env.BENCH_PROFILE.replace(/(\.cpuprofile)?$/, `-${engine}.cpuprofile`) } : {}),
  });
  let stopped = false;
  try {
    const ready = await server.ready;
    await warmUp(server, sim, ready);
    const withCallbacks = await burst(server, sim, ready, phases.burst, schema);
    const withoutCallbacks = await burst(server, sim, ready, phases.burstWithoutCallbacks, schema, false);
    const concurrent = await live(server, sim, ready, 2 * MESSAGES);
    const atResponseTime = await burst(server, sim, ready, phases.atTwilioResponseTime, schema, false);
    await server.stop();
    stopped = true;
    const floor = startFloor(engineEnv);
    try {
      await floor.ready;
      await floorBurst(floor, sim, numbers, phases.warmUp);
      const floorWith = await floorBurst(floor, sim, numbers, phases.burst, schema?.url);
      const floorWithout = await floorBurst(floor, sim, numbers, phases.burstWithoutCallbacks, schema?.url);
      const floorAtResponseTime = await floorBurst(floor, sim, numbers, phases.atTwilioResponseTime, schema?.url);
      return {
        dispatchPerSecond: withCallbacks.perSecond,
        burst: withCallbacks,
        burstWithoutCallbacks: withoutCallbacks,
        live: concurrent,
        atTwilioResponseTime: { ...atResponseTime, responseMs: TWILIO_RESPONSE_MS, inFlight: IN_FLIGHT, ceilingPerSecond: round((IN_FLIGHT * 1000) / TWILIO_RESPONSE_MS) },
        peakRssMb: concurrent.peakRssMb,
        floor: { burst: floorWith, burstWithoutCallbacks: floorWithout, atTwilioResponseTime: floorAtResponseTime },
        ratio: {
          burst: round(withCallbacks.perSecond / floorWith.perSecond, 3),
          burstWithoutCallbacks: round(withoutCallbacks.perSecond / floorWithout.perSecond, 3),
          atTwilioResponseTime: round(atResponseTime.perSecond / floorAtResponseTime.perSecond, 3),
        },
        simulatorMessages: sim.messages(sid).length,
      };
    } finally {
      await floor.stop();
    }
  } finally {
    if (!stopped) await server.stop();
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export default async function outboundBench(args: string[]): Promise<void> {
  const pgUrl = benchDatabaseUrl();
  const engines = requestedEngines(args, pgUrl);
  const sim = await startSimulator();
  try {
    const results: Record<string, Awaited<ReturnType<typeof measureEngine>>> = {};
    for (const engine of engines) results[engine] = await measureEngine(engine, sim, pgUrl);
    console.log(
      JSON.stringify({
        bench: 'outbound',
        machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((l) => round(l, 2)) },
        method: { messagesPerPhase: MESSAGES, warmUpMessages: phases.warmUp.count, senders: SENDERS, customers: CUSTOMERS, concurrency: CONCURRENCY, ratePerSecond: RATE_PER_SECOND, inFlight: IN_FLIGHT, twilioResponseMs: TWILIO_RESPONSE_MS },
        ...results,
        ...(pgUrl ? {} : { postgres: 'not measured: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server' }),
      }),
    );
  } finally {
    await sim.stop();
  }
}

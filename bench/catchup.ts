import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator } from '../src/simulator/index.js';
import type { FromServer, ServerEnv, ToServer } from './catchup/protocol.js';
import { forkServer } from './common/fork.js';
import { benchDatabaseUrl, createBenchSchema, requestedEngines } from './common/postgres.js';

/**
 * The catch-up after an outage (issue 13): MESSAGES texts wait at the simulator (Twilio) for
 * SENDERS support numbers, none of them delivered to Parley (the numbers keep Twilio's demo URL),
 * from CUSTOMERS customers, one in twenty a picture message. The real server, in its own process,
 * then runs one catch-up into an empty database: the figure is how long that run takes to list and
 * store them all, as messages per second, with the server's RSS after the run and at its peak. On
 * SQLite, and on PostgreSQL when BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set; both engines
 * catch up the same texts. BENCH_MESSAGES changes the number of texts.
 */
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const SENDERS = 50;
const CUSTOMERS = 2_000;
const PORT = 4830;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

export default async function catchupBench(args: string[]): Promise<void> {
  const pgUrl = benchDatabaseUrl();
  const engines = requestedEngines(args, pgUrl);
  const sim = await startSimulator();
  try {
    const { sid, authToken } = sim.createAccount();
    const numbers = Array.from({ length: SENDERS }, (_, i) => `+1415555${String(2000 + i).padStart(4, '0')}`);
    for (const n of numbers) sim.addIncomingNumber(sid, n);
    const customers = Array.from({ length: CUSTOMERS }, (_, i) => `+1212555${String(1000 + i).padStart(4, '0')}`);
    for (let i = 0; i < MESSAGES; i++) {
      const media = i % 20 === 0 ? [{ contentType: 'image/png', data: PNG }] : undefined;
      await sim.phoneSend({ from: customers[i % CUSTOMERS]!, to: numbers[i % SENDERS]!, body: `Where is my order ${i}?`, media });
    }
    for (const engine of engines) {
      const env = { BENCH_TWILIO_API_URL: sim.url, BENCH_ACCOUNT_SID: sid, BENCH_AUTH_TOKEN: authToken, BENCH_SENDERS: numbers.join(',') };
      console.log(JSON.stringify({ benchmark: 'catchup', engine, senders: SENDERS, messagesWaiting: MESSAGES, ...(await runOnce(engine, pgUrl, env)) }));
    }
    if (!pgUrl) console.log(JSON.stringify({ benchmark: 'catchup', engine: 'postgres', skipped: 'set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server' }));
  } finally {
    await sim.stop();
  }
}

async function runOnce(engine: 'sqlite' | 'postgres', pgUrl: string | undefined, twilio: Omit<ServerEnv, 'BENCH_PORT' | 'BENCH_DATA_DIR'>) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-catchup-'));
  const schema = engine === 'postgres' ? await createBenchSchema(pgUrl!, 'catchup') : undefined;
  const env: ServerEnv = {
    ...twilio,
    BENCH_PORT: String(PORT),
    BENCH_DATA_DIR: dataDir,
    ...(schema ? { BENCH_DATABASE_URL: schema.url, BENCH_PG_SCHEMA: schema.name } : {}),
  };
  const child = forkServer('catchup/server', { env: { ...env } });
  const next = <T extends FromServer['type']>(type: T) =>
    new Promise<Extract<FromServer, { type: T }>>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      child.on('message', (m: FromServer) => m.type === type && resolve(m as Extract<FromServer, { type: T }>));
    });
  try {
    await next('ready');
    const ran = next('ran');
    child.send({ type: 'run' } satisfies ToServer);
    const r = await ran;
    return {
      listed: r.listed,
      stored: r.stored,
      messagesInDatabase: r.messagesInDatabase,
      failedSenders: r.failedSenders,
      seconds: Number((r.durationMs / 1000).toFixed(2)),
      messagesPerSecond: Math.round(r.stored / (r.durationMs / 1000)),
      serverCpuMsPerMessage: Number((r.cpuMs / Math.max(1, r.stored)).toFixed(3)),
      rssMb: Math.round(r.rss / 1048576),
      peakRssMb: Math.round(r.peakRss / 1048576),
    };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send({ type: 'stop' } satisfies ToServer);
    await exited;
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

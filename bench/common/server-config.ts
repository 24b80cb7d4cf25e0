import { loadConfig } from '../../src/config.js';

/** What a benchmark server is told about its database: a PostgreSQL URL and schema, or neither for SQLite in its data dir. */
export interface BenchDatabaseEnv {
  BENCH_DATABASE_URL?: string;
  BENCH_PG_SCHEMA?: string;
}

/** A fixed secret: PostgreSQL needs one shared by every process, and a benchmark's data is thrown away. */
const BENCH_APP_SECRET = 'bench-only-secret-bench-only-secret-0123456789';

/** The configuration every benchmark server starts with: its database, Twilio at the simulator, quiet logs. */
export function benchServerConfig(env: BenchDatabaseEnv & { BENCH_PORT: string; BENCH_DATA_DIR: string; BENCH_TWILIO_API_URL: string; BENCH_PUBLIC_URL?: string }) {
  return loadConfig({
    PORT: env.BENCH_PORT,
    PUBLIC_URL: env.BENCH_PUBLIC_URL ?? `http://127.0.0.1:${env.BENCH_PORT}`,
    DATA_DIR: env.BENCH_DATA_DIR,
    TWILIO_API_URL: env.BENCH_TWILIO_API_URL,
    TWILIO_MESSAGING_API_URL: env.BENCH_TWILIO_API_URL,
    LOG_LEVEL: 'error',
    WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY,
    ...(env.BENCH_DATABASE_URL ? { DATABASE_URL: env.BENCH_DATABASE_URL, APP_SECRET: BENCH_APP_SECRET } : {}),
  });
}

/** createServer's options for that database. */
export const benchServerOptions = (env: BenchDatabaseEnv) => ({ pgSchema: env.BENCH_PG_SCHEMA || undefined });

/** The sends a benchmark's server keeps in flight, and its floor with it: WORKER_CONCURRENCY as set for the run, else its default. */
export const benchInFlight = (): number => loadConfig({ WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY }).workerConcurrency;

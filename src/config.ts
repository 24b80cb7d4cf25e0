import { z } from 'zod';

/**
 * The environment of docs/operations.md#configuration, validated once at start. A wrong value stops the process
 * with a message naming the variable, instead of failing later in some request.
 */
const schema = z.object({
  // Where the HTTP server listens.
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  // The base URL Twilio and browsers reach: webhooks, media links, signatures, the Origin check.
  PUBLIC_URL: z.url().optional(),
  // The embedded database file and the generated secret live here.
  DATA_DIR: z.string().min(1).default('./data'),
  // postgres://… selects PostgreSQL; unset means SQLite in DATA_DIR.
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres://')
    .optional(),
  // Keys for tokens, sessions and media URLs are derived from it, one per purpose.
  APP_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  // The previous secret while a rotation is under way (npm run rotate-secret).
  APP_SECRET_PREVIOUS: z.string().min(32, 'must be at least 32 characters').optional(),
  // web, worker or all; splitting needs PostgreSQL because SQLite has one writer.
  ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  // WAL + NORMAL survives a process crash; FULL also survives power loss.
  SQLITE_SYNCHRONOUS: z.enum(['OFF', 'NORMAL', 'FULL', 'EXTRA']).default('NORMAL'),
  // How long a send with an unknown outcome waits for a status callback before checking Twilio.
  SEND_RECHECK_SECONDS: z.coerce.number().positive().default(120),
  // How often each sender's inbound messages and unfinished sends are checked against Twilio.
  CATCHUP_SECONDS: z.coerce.number().positive().default(300),
  // How long an outbound message may stay queued, sending or sent before the catch-up asks Twilio.
  STATUS_REFRESH_SECONDS: z.coerce.number().positive().default(600),
  // How long a call to Twilio may take before its outcome is taken as unknown (and settled later).
  TWILIO_TIMEOUT_SECONDS: z.coerce.number().positive().max(120).default(15),
  // Jobs a worker process runs at once. A send spends most of its time waiting for Twilio's answer,
  // so this, divided by Twilio's answer time, bounds the messages a second one worker sends.
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
  TWILIO_API_URL: z.url().default('https://api.twilio.com'),
  TWILIO_MESSAGING_API_URL: z.url().default('https://messaging.twilio.com'),
  // Serves /metrics to requests bearing it; unset, /metrics does not exist.
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Open signup for more organizations (the first one can always sign up).
  ALLOW_SIGNUP: z.enum(['true', 'false']).default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Role = 'all' | 'web' | 'worker';

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  appSecret: string | undefined;
  appSecretPrevious: string | undefined;
  role: Role;
  sqliteSynchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
  sendRecheckSeconds: number;
  catchupSeconds: number;
  statusRefreshSeconds: number;
  twilioTimeoutSeconds: number;
  workerConcurrency: number;
  twilioApiUrl: string;
  twilioMessagingApiUrl: string;
  allowSignup: boolean;
  metricsToken: string | undefined;
  logLevel: string;
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  if (e.ROLE !== 'all' && !e.DATABASE_URL) {
    throw new ConfigError(`ROLE: "${e.ROLE}" needs DATABASE_URL (SQLite has one writer, so web and worker share one process)`);
  }
  if (e.DATABASE_URL && !e.APP_SECRET) {
    throw new ConfigError('APP_SECRET: required with DATABASE_URL, so every process shares the same keys');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    appSecret: e.APP_SECRET,
    appSecretPrevious: e.APP_SECRET_PREVIOUS,
    role: e.ROLE,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    sendRecheckSeconds: e.SEND_RECHECK_SECONDS,
    catchupSeconds: e.CATCHUP_SECONDS,
    statusRefreshSeconds: e.STATUS_REFRESH_SECONDS,
    twilioTimeoutSeconds: e.TWILIO_TIMEOUT_SECONDS,
    workerConcurrency: e.WORKER_CONCURRENCY,
    twilioApiUrl: e.TWILIO_API_URL.replace(/\/+$/, ''),
    twilioMessagingApiUrl: e.TWILIO_MESSAGING_API_URL.replace(/\/+$/, ''),
    allowSignup: e.ALLOW_SIGNUP === 'true',
    metricsToken: e.METRICS_TOKEN,
    logLevel: e.LOG_LEVEL,
  };
}

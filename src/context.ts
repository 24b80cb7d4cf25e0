import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Database, Db } from './db/database.js';
import type { EventBus } from './features/events/bus.js';
import type { Metrics } from './metrics.js';
import type { Keyring } from './secrets.js';

/** What every service needs, built once by the composition root (main.ts) or a test's world. */
export interface Context {
  config: Config;
  database: Database;
  db: Db;
  keyring: Keyring;
  clock: Clock;
  events: EventBus;
  log: Logger;
  /** This process's counters and gauges, served at /metrics. */
  metrics: Metrics;
  /** Nudges this process's job runner after a commit that added a job; polling covers other processes. */
  wakeWorker(): void;
}

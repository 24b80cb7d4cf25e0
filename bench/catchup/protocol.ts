import type { BenchDatabaseEnv } from '../common/server-config.js';

/** What the catch-up benchmark and the server process it measures say to each other over IPC. */
export interface ServerEnv extends BenchDatabaseEnv {
  BENCH_PORT: string;
  BENCH_DATA_DIR: string;
  BENCH_TWILIO_API_URL: string;
  BENCH_ACCOUNT_SID: string;
  BENCH_AUTH_TOKEN: string;
  /** Comma-separated E.164 numbers, one sender each. */
  BENCH_SENDERS: string;
}

export type ToServer = { type: 'run' } | { type: 'stop' };

export type FromServer =
  | { type: 'ready' }
  | {
      type: 'ran';
      /** Wall time of the one catch-up run, in milliseconds. */
      durationMs: number;
      listed: number;
      stored: number;
      failedSenders: number;
      /** Messages in the database once the run returned. */
      messagesInDatabase: number;
      /** Resident set size after the run, and its peak, in bytes. */
      rss: number;
      peakRss: number;
      cpuMs: number;
    };

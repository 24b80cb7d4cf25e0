import type { BenchDatabaseEnv } from '../common/server-config.js';

/** What the benchmark and the server process it measures say to each other over IPC. */
export interface ServerEnv extends BenchDatabaseEnv {
  BENCH_PORT: string;
  BENCH_DATA_DIR: string;
  BENCH_TWILIO_API_URL: string;
  BENCH_ACCOUNT_SID: string;
  BENCH_AUTH_TOKEN: string;
  /** Comma-separated E.164 numbers, one sender each. */
  BENCH_SENDERS: string;
  BENCH_RATE_PER_SECOND: string;
  /** A file for a CPU profile of the first dispatch phase, when set. */
  BENCH_PROFILE?: string;
}

export interface Ready {
  type: 'ready';
  token: string;
  senderIds: string[];
}

export interface Progress {
  type: 'progress';
  /** Sends settled so far (Twilio accepted them, or they failed), from the server's own counters: a poll that reads no table. */
  settled: number;
  /** Messages still pending, counted in the database: only when asked (`countPending`). */
  pending?: number;
  /** CPU time the server process has used so far (user + system). */
  cpuMs: number;
  /** The server's clock. */
  now: number;
  /** PostgreSQL only: statements sent so far (see bench/common/round-trips.ts). */
  statements?: number;
}

export interface Figures {
  type: 'figures';
  /** Peak resident set size of the server process so far, in bytes. */
  peakRss: number;
  accepted: number;
  firstStoredAt: number;
  lastAcceptedAt: number;
  /** Each message's time from being stored (its 202) to Twilio's acceptance. */
  enqueueToAcceptedMs: number[];
}

export type FromServer = Ready | Progress | Figures | { type: 'worker'; running: boolean };
/** `figures` covers messages stored at or after `since` (server clock). */
export type ToServer = { type: 'progress'; countPending?: boolean } | { type: 'figures'; since: number } | { type: 'worker'; run: boolean; warmUp?: boolean } | { type: 'stop' };

/** The floor (floor-server.ts): the texts to queue, then one dispatch of all of them. */
export type FloorToServer = { type: 'fill'; rows: { id: number; sender: string; recipient: string; body: string }[] } | { type: 'run' } | { type: 'stop' };
export type FloorFromServer =
  | { type: 'floor-ready' }
  | { type: 'filled' }
  /** `ms` runs from the first send to the last acceptance stored; PostgreSQL also counts its statements. */
  | { type: 'ran'; accepted: number; errors: number; ms: number; cpuMs: number; statements?: number };

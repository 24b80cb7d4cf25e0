import type { BenchDatabaseEnv } from '../common/server-config.js';

/** What the parent and a benchmarked server process say to each other over IPC. */
export interface ServerReady {
  type: 'ready';
  port: number;
}

export interface ServerStats {
  type: 'stats';
  /** Peak resident set size of the server process so far, in bytes. */
  peakRss: number;
  /** Rows stored, to check that every 200 was a stored message. */
  rows: number;
  /** PostgreSQL only: statements sent so far (see bench/common/round-trips.ts). */
  statements?: number;
  /** CPU time (user and system) the server process has used so far, in ms. */
  cpuMs: number;
}

export type FromServer = ServerReady | ServerStats;
export type ToServer = { type: 'stats' } | { type: 'stop' };

export interface ServerEnv extends BenchDatabaseEnv {
  BENCH_PORT: string;
  BENCH_ACCOUNT_SID: string;
  BENCH_AUTH_TOKEN: string;
  BENCH_SUPPORT_NUMBER: string;
  BENCH_TWILIO_API_URL: string;
  BENCH_DATA_DIR: string;
  /** Set in the second and later processes of one site: the first stored the organization. */
  BENCH_SEEDED?: string;
  /** The site's address, the same for each of its processes (the signature covers it). */
  BENCH_PUBLIC_URL?: string;
}

export const WEBHOOK_PATH = '/webhooks/twilio/messages';

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Answers the parent's requests until told to stop. */
export function serveParent(stats: () => Promise<number>, stop: () => Promise<void>, statements?: () => number): void {
  process.on('message', (msg: ToServer) => {
    if (msg.type === 'stats') {
      void stats().then((rows) => process.send!({ type: 'stats', peakRss: process.resourceUsage().maxRSS * 1024, rows, statements: statements?.(), cpuMs: cpuMs() } satisfies ServerStats));
    }
    if (msg.type === 'stop') void stop().then(() => process.exit(0));
  });
}

import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import type { Conn } from './database.js';

/** Pages the WAL may hold before the main connection checkpoints by itself (the checkpointer fell behind or died). */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 20_000;
const INTERVAL_MS = 200;

/*
 * Runs in the worker thread: its own connection to the same file, copying committed WAL frames
 * into the database file. PASSIVE never waits for, nor blocks, the main connection.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next tick tries again */ }
}, workerData.intervalMs);
parentPort.once('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * SQLite checkpoints the WAL inside whichever COMMIT crosses its threshold: the commit then
 * copies a thousand pages and waits for two fsyncs, all on the event loop, and every webhook
 * behind it waits too. A worker thread checkpoints instead, off the event loop; the main
 * connection keeps a far higher threshold only as a fallback.
 */
export function startCheckpointer(file: string, onError: (err: Error) => void = () => undefined): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, driver, intervalMs: INTERVAL_MS },
    // It runs one pragma every 200 ms: no loader hooks (tsx) and a small heap, not the main thread's.
    execArgv: [],
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
  });
  worker.unref();
  // A checkpointer that fails leaves the fallback threshold to do its work; nothing else depends
  // on it, but an operator should hear that the WAL now grows to that threshold.
  worker.on('error', onError);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Held until it has closed its connection: unreferenced, the process could end first, silently with code 0.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}

/**
 * Copies the whole WAL into the database file and empties it, so rows just deleted leave no copy
 * in the WAL. It goes through Kysely like any statement, so it waits for a transaction open on
 * the connection (a group-committed batch between two statements) instead of failing inside it.
 * SQLite answers busy at once, without waiting in its busy handler, when another connection holds
 * the checkpoint lock, which the checkpointer thread does for a few milliseconds every pass: so
 * this tries again for about a second. (A reader in the way, such as a backup, is waited for by
 * the busy handler within one attempt, and no attempt starts after the second.) False if the WAL
 * could not be emptied.
 */
export async function truncateWal(db: Conn, forMs = 1_000, waitMs = 20): Promise<boolean> {
  const giveUpAt = Date.now() + forMs;
  for (;;) {
    const { rows } = await sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(db);
    if (Number(rows[0]?.busy ?? 0) === 0) return true;
    if (Date.now() + waitMs >= giveUpAt) return false;
    await sleep(waitMs);
  }
}

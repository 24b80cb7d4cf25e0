import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer, truncateWal } from '../../src/db/checkpointer.js';
import { migrate, openDatabase } from '../../src/db/database.js';
import { eventually } from '../helpers/api.js';

const job = (id: string) => ({ id, kind: 'k', payload: 'x'.repeat(2000), status: 'pending' as const, runAt: 1, attempts: 0, createdAt: 1 });

describe('SQLite checkpoints off the event loop', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A migrated database in a file of its own, as the server opens it. */
  const fileDatabase = async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-checkpoint-'));
    dirs.push(dir);
    const file = path.join(dir, 'parley.db');
    const database = openDatabase({ sqliteFile: file });
    await migrate(database);
    return { file, database };
  };

  it('copies committed pages into the database file while the main connection never checkpoints', async () => {
    const { file, database } = await fileDatabase();
    try {
      // The main connection's own threshold is far above what this writes.
      expect(database.sqlite!.pragma('wal_autocheckpoint', { simple: true })).toBeGreaterThanOrEqual(10_000);
      const before = statSync(file).size;
      for (let batch = 0; batch < 20; batch++) {
        await database.db
          .insertInto('jobs')
          .values(Array.from({ length: 50 }, (_, i) => job(`${batch}-${i}`)))
          .execute();
      }
      await eventually(() => statSync(file).size > before + 1_000_000, { what: 'the checkpointer to copy the WAL into the database file' });
    } finally {
      await database.destroy();
    }
  });

  it('tells its owner when it cannot run, so the operator hears of it', async () => {
    const errors: Error[] = [];
    const checkpointer = startCheckpointer(path.join(os.tmpdir(), 'parley-no-such-dir', 'nested', 'parley.db'), (err) => errors.push(err));
    await eventually(() => errors.length === 1, { what: 'the checkpointer to report its failure' });
    expect(errors[0]!.message).toMatch(/directory does not exist|unable to open/i);
    await checkpointer.stop();
  });

  it('empties the WAL even when another connection holds the checkpoint lock as it asks', async () => {
    const { file, database } = await fileDatabase();
    const writer = new BetterSqlite3(file);
    let other: Worker | undefined;
    try {
      await database.db.insertInto('jobs').values([job('a'), job('b')]).execute();
      // Another connection checkpoints in FULL mode while a writer is open: it holds the checkpoint
      // lock while it waits, as the checkpointer thread holds it during each pass.
      writer.exec('BEGIN IMMEDIATE');
      other = new Worker(
        `const { parentPort, workerData } = require('node:worker_threads');
         const db = new (require(workerData.driver))(workerData.file);
         db.pragma('busy_timeout = 10000');
         parentPort.postMessage('checkpointing');
         db.pragma('wal_checkpoint(FULL)');
         db.close();`,
        { eval: true, execArgv: [], workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3') } },
      );
      await new Promise((resolve) => other!.once('message', resolve));
      await sleep(100);
      // SQLite answers busy at once, without waiting.
      expect(database.sqlite!.pragma('wal_checkpoint(TRUNCATE)')).toEqual([expect.objectContaining({ busy: 1 })]);
      setTimeout(() => writer.exec('COMMIT'), 200);
      expect(await truncateWal(database.db)).toBe(true);
      expect(statSync(`${file}-wal`).size).toBe(0);
    } finally {
      writer.close();
      await other?.terminate();
      await database.destroy();
    }
  });

  it('answers false while a reader keeps the WAL in use, and empties it once the reader is done', async () => {
    const { file, database } = await fileDatabase();
    const reader = new BetterSqlite3(file);
    try {
      await database.db.insertInto('jobs').values(job('a')).execute();
      reader.exec('BEGIN');
      reader.prepare('select count(*) from jobs').get();
      await database.db.insertInto('jobs').values(job('b')).execute();
      // The busy handler's wait, shortened for the test: the reader never lets go meanwhile.
      database.sqlite!.pragma('busy_timeout = 10');
      expect(await truncateWal(database.db, 100)).toBe(false);
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
      reader.exec('COMMIT');
      expect(await truncateWal(database.db, 100)).toBe(true);
    } finally {
      reader.close();
      await database.destroy();
    }
  });

  it('waits for a transaction open on the connection rather than failing inside it', async () => {
    const { file, database } = await fileDatabase();
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      // A group-committed batch between two of its statements, as a disconnect may meet one.
      const batch = database.db.transaction().execute(async (tx) => {
        await tx.insertInto('jobs').values(job('a')).execute();
        await held;
      });
      await sleep(20);
      const emptied = truncateWal(database.db);
      setTimeout(release, 50);
      expect(await emptied).toBe(true);
      await batch;
      expect(statSync(`${file}-wal`).size).toBe(0);
      expect(await database.db.selectFrom('jobs').select('id').execute()).toEqual([{ id: 'a' }]);
    } finally {
      await database.destroy();
    }
  });
});

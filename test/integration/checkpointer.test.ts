import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../src/db/checkpointer.js';
import { migrate, openDatabase } from '../../src/db/database.js';
import { eventually } from '../helpers/api.js';

const job = (id: string) => ({ id, kind: 'k', payload: 'x'.repeat(2000), status: 'pending' as const, runAt: 1, attempts: 0, createdAt: 1 });

describe('SQLite checkpoints off the event loop', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('copies committed pages into the database file while the main connection never checkpoints', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-checkpoint-'));
    dirs.push(dir);
    const file = path.join(dir, 'parley.db');
    const database = openDatabase({ sqliteFile: file });
    try {
      await migrate(database);
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
});

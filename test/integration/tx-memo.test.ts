import { afterEach, describe, expect, it } from 'vitest';
import { oncePerTransaction } from '../../src/db/tx-memo.js';
import { freshDatabase } from '../helpers/database.js';
import { ENGINES } from '../helpers/server.js';

for (const engine of ENGINES) {
  describe(`a read once per transaction (${engine})`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanup.splice(0)) await c();
    });
    const open = async () => {
      const { database, drop } = await freshDatabase(engine);
      cleanup.push(drop);
      return database.db;
    };

    it('reads once per key within a transaction, again in the next transaction and every time outside one', async () => {
      const db = await open();
      let reads = 0;
      const read = async () => ++reads;
      const inside = await db.transaction().execute(async (tx) => [
        await oncePerTransaction(tx, 'a', read),
        await oncePerTransaction(tx, 'a', read),
        await oncePerTransaction(tx, 'b', read),
      ]);
      expect(inside).toEqual([1, 1, 2]);
      expect(await db.transaction().execute((tx) => oncePerTransaction(tx, 'a', read))).toBe(3);
      expect([await oncePerTransaction(db, 'a', read), await oncePerTransaction(db, 'a', read)]).toEqual([4, 5]);
    });

    it('keeps no failed read: the next call reads again', async () => {
      const db = await open();
      let reads = 0;
      const results = await db.transaction().execute(async (tx) => {
        const first = await oncePerTransaction(tx, 'a', async () => {
          reads++;
          throw new Error('read failed');
        }).catch((err: Error) => err.message);
        return [first, await oncePerTransaction(tx, 'a', async () => ++reads)];
      });
      expect(results).toEqual(['read failed', 2]);
    });
  });
}

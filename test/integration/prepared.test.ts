import { afterEach, describe, expect, it } from 'vitest';
import { affectedRows, prepared, preparedInsert } from '../../src/db/prepared.js';
import { freshDatabase } from '../helpers/database.js';
import { ENGINES } from '../helpers/server.js';
const job = (id: string, runAt: number) => ({ id, kind: 'k', payload: '{}', status: 'pending' as const, runAt, attempts: 0, createdAt: runAt });

for (const engine of ENGINES) {
  describe(`prepared queries (${engine})`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanup.splice(0)) await c();
    });

    it('runs the SQL compiled once with each call’s own values, rows mapped as usual', async () => {
      const { database, drop } = await freshDatabase(engine);
      cleanup.push(drop);
      await database.db.insertInto('jobs').values([job('a', 10), job('b', 20), job('c', 30)]).execute();
      const due = prepared((conn, now: number, limit: number) => conn.selectFrom('jobs').select(['id', 'runAt']).where('runAt', '<=', now).orderBy('runAt').limit(limit));
      expect((await due(database.db, 20, 5)).rows).toEqual([{ id: 'a', runAt: 10 }, { id: 'b', runAt: 20 }]);
      expect((await due(database.db, 30, 1)).rows).toEqual([{ id: 'a', runAt: 10 }]);
      const drop1 = prepared((conn, id: string) => conn.deleteFrom('jobs').where('id', '=', id));
      expect(affectedRows(await drop1(database.db, 'b'))).toBe(1);
      expect(affectedRows(await drop1(database.db, 'b'))).toBe(0);
    });

    it('inserts rows prepared once per set of columns, leaving out undefined values, with the clause it was given', async () => {
      const { database, drop } = await freshDatabase(engine);
      cleanup.push(drop);
      const insertJob = preparedInsert('jobs', (insert) => insert.onConflict((oc) => oc.column('id').doNothing()));
      expect(await insertJob(database.db, job('a', 10))).toBe(1);
      expect(await insertJob(database.db, { ...job('b', 20), lastError: 'boom', lockedBy: undefined })).toBe(1);
      expect(await insertJob(database.db, { ...job('a', 99), payload: '{"again":true}' })).toBe(0); // the conflict clause held
      const rows = await database.db.selectFrom('jobs').select(['id', 'runAt', 'payload', 'lastError', 'lockedBy']).orderBy('id').execute();
      expect(rows).toEqual([
        { id: 'a', runAt: 10, payload: '{}', lastError: null, lockedBy: null },
        { id: 'b', runAt: 20, payload: '{}', lastError: 'boom', lockedBy: null },
      ]);
    });

    it('refuses a builder that uses an argument inside another value', async () => {
      const { database, drop } = await freshDatabase(engine);
      cleanup.push(drop);
      const like = prepared((conn, prefix: string) => conn.selectFrom('jobs').select('id').where('payload', 'like', `${prefix}%`));
      await expect(like(database.db, '{')).rejects.toThrow(/inside another value/);
    });
  });
}

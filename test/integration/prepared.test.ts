import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, migrate, type Database } from '../../src/db/database.js';
import { affectedRows, prepared } from '../../src/db/prepared.js';
import { createPgSchema, ENGINES, type Engine } from '../helpers/server.js';

async function freshDatabase(engine: Engine): Promise<{ database: Database; drop(): Promise<void> }> {
  if (engine === 'sqlite') {
    const database = openDatabase({ sqliteFile: ':memory:' });
    await migrate(database);
    return { database, drop: () => database.destroy() };
  }
  const schema = await createPgSchema();
  const database = openDatabase({ url: process.env.TEST_DATABASE_URL, pgSchema: schema.name });
  await migrate(database);
  return { database, drop: async () => (await database.destroy(), await schema.drop()) };
}

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

    it('refuses a builder that uses an argument inside another value', async () => {
      const { database, drop } = await freshDatabase(engine);
      cleanup.push(drop);
      const like = prepared((conn, prefix: string) => conn.selectFrom('jobs').select('id').where('payload', 'like', `${prefix}%`));
      await expect(like(database.db, '{')).rejects.toThrow(/inside another value/);
    });
  });
}

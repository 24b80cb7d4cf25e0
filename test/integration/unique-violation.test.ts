import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { isUniqueViolation } from '../../src/db/errors.js';
import { freshDatabase } from '../helpers/database.js';
import { ENGINES } from '../helpers/server.js';

/** The error the database throws for `write`. */
async function errorOf(write: () => Promise<unknown>): Promise<unknown> {
  try {
    await write();
  } catch (err) {
    return err;
  }
  throw new Error('the write was expected to fail');
}

for (const engine of ENGINES) {
  describe(`isUniqueViolation (${engine})`, () => {
    let database: Database;
    let drop: (() => Promise<void>) | undefined;
    afterEach(async () => drop?.());

    const organization = (id: string, name = 'Acme') => database.db.insertInto('organizations').values({ id, name, threadingWindowHours: 24, createdAt: 1 }).execute();

    it('is true for a unique or primary-key constraint, false for any other refusal', async () => {
      ({ database, drop } = await freshDatabase(engine));
      await organization('o1');
      const user = (id: string, email: string, role = 'agent') =>
        database.db.insertInto('users').values({ id, organizationId: 'o1', email, name: 'A', role: role as 'agent', passwordHash: 'x', active: 1, createdAt: 1 }).execute();
      await user('u1', 'a@acme.test');

      expect(isUniqueViolation(await errorOf(() => organization('o1')))).toBe(true); // primary key
      expect(isUniqueViolation(await errorOf(() => user('u2', 'a@acme.test')))).toBe(true); // unique email

      expect(isUniqueViolation(await errorOf(() => user('u3', 'b@acme.test', 'owner')))).toBe(false); // check constraint
      expect(isUniqueViolation(await errorOf(() => database.db.insertInto('organizations').values({ id: 'o2' } as never).execute()))).toBe(false); // not null
      expect(isUniqueViolation(await errorOf(() => database.db.selectFrom('no_such_table' as never).selectAll().execute()))).toBe(false);
      expect(isUniqueViolation(new Error('the unique key of this file is missing'))).toBe(false);
      expect(isUniqueViolation(new Error('duplicate key value violates unique constraint'))).toBe(false); // words, not a database's code
    });
  });
}

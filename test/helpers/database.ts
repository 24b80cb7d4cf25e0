import { openDatabase, migrate, type Database } from '../../src/db/database.js';
import { createPgSchema, type Engine } from './server.js';

/** A migrated database of its own: SQLite in memory, or a fresh PostgreSQL schema. */
export async function freshDatabase(engine: Engine): Promise<{ database: Database; drop(): Promise<void> }> {
  if (engine === 'sqlite') {
    const database = openDatabase({ sqliteFile: ':memory:' });
    await migrate(database);
    return { database, drop: () => database.destroy() };
  }
  const schema = await createPgSchema();
  const database = openDatabase({ url: process.env.TEST_DATABASE_URL, pgSchema: schema.name });
  await migrate(database);
  return {
    database,
    async drop() {
      await database.destroy();
      await schema.drop();
    },
  };
}

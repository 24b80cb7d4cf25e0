import type { Kysely } from 'kysely';

/* Frozen in time: never edit a migration that has shipped; add a new one. */

/**
 * Password attempts keyed by a keyed hash of the email instead of the email itself, so a row
 * has a fixed size whatever was typed; the old failure rows held raw emails and are dropped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('login_failures').execute();
  await db.schema
    .createTable('login_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_attempts_by_key').on('login_attempts').columns(['key', 'at']).execute();
  await db.schema.createIndex('login_attempts_by_time').on('login_attempts').column('at').execute();
}

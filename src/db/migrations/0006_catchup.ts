import { sql, type Kysely } from 'kysely';

/* Frozen in time: never edit a migration that has shipped; add a new one. */

/**
 * The catch-up of messages and statuses Twilio holds but Parley missed (docs/twilio.md#7-nothing-lost-while-parley-is-down).
 * Each sender keeps where its last complete catch-up began (the next one lists from there, less
 * an overlap), when it ran, what it recovered, and the error of a failed run. Unfinished outbound
 * messages are few among all messages: a partial index finds them without reading the rest.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('senders').addColumn('catchup_from', 'bigint').execute();
  await db.schema.alterTable('senders').addColumn('catchup_at', 'bigint').execute();
  await db.schema.alterTable('senders').addColumn('catchup_messages', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('senders').addColumn('catchup_statuses', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('senders').addColumn('catchup_error', 'text').execute();
  await db.schema.alterTable('senders').addColumn('catchup_error_at', 'bigint').execute();
  await db.schema
    .createIndex('messages_unfinished')
    .on('messages')
    .column('updated_at')
    .where(sql<boolean>`status in ('queued', 'sending', 'sent')`)
    .execute();
}

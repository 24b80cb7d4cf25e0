import type { Kysely } from 'kysely';
import type { Engine } from '../database.js';

/* Frozen in time: never edit a migration that has shipped; add a new one. */

/**
 * Business hours and the away message (organization settings), the away reply's once-per-conversation
 * mark and the automatic flag on the message it sends; each user's notification preferences; and a
 * thumbnail per picture, kept beside its bytes so every server process can serve it.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const bytes = engine === 'postgres' ? 'bytea' : 'blob';
  await db.schema.alterTable('organizations').addColumn('business_hours', 'text').execute();
  await db.schema.alterTable('organizations').addColumn('away_message', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('away_sent_at', 'bigint').execute();
  await db.schema.alterTable('messages').addColumn('automatic', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('users').addColumn('notify', 'text', (c) => c.notNull().defaultTo('mine_and_unassigned')).execute();
  await db.schema.alterTable('users').addColumn('notify_sound', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema
    .createTable('media_thumbnails')
    .addColumn('media_id', 'text', (c) => c.primaryKey().references('media.id'))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('bytes', bytes, (c) => c.notNull())
    .execute();
}

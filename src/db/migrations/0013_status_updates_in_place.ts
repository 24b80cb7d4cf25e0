import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

/* Frozen in time: never edit a migration that has shipped; add a new one. */

/**
 * A status callback changes a message's status and updated_at, and nothing else. PostgreSQL can
 * then write the new row version on the same page and leave every index as it is (a HOT update),
 * but only if no index names those columns and the page has room. The catch-up's partial index
 * of unfinished sends (0006) named both, so every callback wrote a row version elsewhere and an
 * entry into each of the messages' four indexes. The catch-up now finds unfinished sends by
 * their accepted attempt, whose row a callback never touches, and messages' pages keep a fifth
 * free for the versions callbacks write (PostgreSQL only; pages already full fill up as before,
 * until the table is rewritten).
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  await db.schema.dropIndex('messages_unfinished').execute();
  await db.schema
    .createIndex('send_attempts_accepted')
    .on('send_attempts')
    .column('finished_at')
    .where(sql<boolean>`state = 'accepted'`)
    .execute();
  if (engine === 'postgres') await sql`alter table messages set (fillfactor = 80)`.execute(db);
}

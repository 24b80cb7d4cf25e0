import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

/* Frozen in time: never edit a migration that has shipped; add a new one. */

/**
 * PostgreSQL: new messages' words go straight into the GIN index of message search instead of
 * its pending list. Every search through the index reads the whole pending list, up to 4 MB by
 * default (a word no message holds took 15 ms with a full list at a million messages, under
 * 1 ms without), and whichever insert finds the list full merges it into the index while its
 * webhook waits. The list held now is merged here. SQLite: nothing.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine !== 'postgres') return;
  await sql`alter index message_search_words set (fastupdate = off)`.execute(db);
  await sql`select gin_clean_pending_list('message_search_words'::regclass)`.execute(db);
}

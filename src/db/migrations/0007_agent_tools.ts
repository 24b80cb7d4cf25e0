import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

/* Frozen in time: never edit a migration that has shipped; add a new one. */

const bigint = 'bigint';

/**
 * The agent's daily tools (docs/rules.md#the-agents-daily-tools): internal notes live in the
 * thread as messages with direction 'note' and the users they mention; a mention makes the
 * conversation unread for that user alone.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  await allowNoteDirection(db, engine);
  await db.schema.alterTable('messages').addColumn('mentions', 'text').execute();
  await db.schema.alterTable('conversation_reads').addColumn('mentioned_at', bigint).execute();
}

const OLD_CHECK = "check (direction in ('inbound', 'outbound'))";
const NEW_CHECK = "check (direction in ('inbound', 'outbound', 'note'))";

/**
 * SQLite cannot change a CHECK constraint in place: the table is rebuilt from its own current
 * definition (so columns and indexes later migrations added survive), with foreign keys off
 * for the swap (migrate() does that and checks them afterwards).
 */
async function allowNoteDirection(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine === 'postgres') {
    await sql`alter table messages drop constraint messages_direction_check`.execute(db);
    await sql.raw(`alter table messages add constraint messages_direction_check ${NEW_CHECK}`).execute(db);
    return;
  }
  const schema = await sql<{ type: string; sql: string | null }>`select type, sql from sqlite_master where tbl_name = 'messages'`.execute(db);
  const table = schema.rows.find((r) => r.type === 'table')?.sql ?? '';
  if (!table.includes(OLD_CHECK)) throw new Error('messages table has an unexpected direction check');
  const rebuilt = table.replace(OLD_CHECK, NEW_CHECK).replace(/^CREATE TABLE "?messages"?/, 'CREATE TABLE "messages_rebuilt"');
  await sql.raw(rebuilt).execute(db);
  await sql`insert into messages_rebuilt select * from messages`.execute(db);
  await sql`drop table messages`.execute(db);
  await sql`alter table messages_rebuilt rename to messages`.execute(db);
  for (const r of schema.rows) if (r.type !== 'table' && r.sql) await sql.raw(r.sql).execute(db);
}

import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

/* Frozen in time: never edit a migration that has shipped; add a new one. */

const bigint = 'bigint';

/**
 * The agent's daily tools (docs/rules.md#the-agents-daily-tools): internal notes live in the
 * thread as messages with direction 'note' and the users they mention; a mention makes the
 * conversation unread for that user alone. Opt-outs an agent changes on a customer's behalf keep
 * who and why; Twilio's own block after a STOP is kept apart, since an agent cannot lift it.
 * Labels tag conversations.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  await allowNoteDirection(db, engine);
  await db.schema.alterTable('messages').addColumn('mentions', 'text').execute();
  await db.schema.alterTable('conversation_reads').addColumn('mentioned_at', bigint).execute();
  await optOutRecords(db);
  await labels(db);
}

/** Names unique per organization whatever their case; a conversation holds each label once. */
async function labels(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('labels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('color', 'text', (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .execute();
  await sql`create unique index labels_name on labels (organization_id, lower(name))`.execute(db);
  await db.schema
    .createTable('conversation_labels')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    // Deleting a label takes it off every conversation in the same statement.
    .addColumn('label_id', 'text', (c) => c.notNull().references('labels.id').onDelete('cascade'))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_labels_pk', ['conversation_id', 'label_id'])
    .execute();
  await db.schema.createIndex('conversation_labels_by_label').on('conversation_labels').columns(['label_id', 'conversation_id']).execute();
}

async function optOutRecords(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('opt_out_changes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('sender_id', 'text', (c) => c.references('senders.id'))
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('opt_out', 'opt_in')`))
    .addColumn('reason', 'text')
    .addColumn('actor_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('opt_out_changes_by_customer').on('opt_out_changes').columns(['customer_id', 'created_at']).execute();

  await db.schema
    .createTable('twilio_opt_outs')
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('sender_id', 'text', (c) => c.notNull().references('senders.id'))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('twilio_opt_outs_pk', ['customer_id', 'sender_id'])
    .execute();
  // Until now every opt-out came from a STOP or a 21610: Twilio blocks each of them too.
  await sql`insert into twilio_opt_outs (customer_id, sender_id, organization_id, at) select customer_id, sender_id, organization_id, at from opt_outs`.execute(db);
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

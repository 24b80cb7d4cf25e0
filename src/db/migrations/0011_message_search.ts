import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

/* Frozen in time: never edit a migration that has shipped; add a new one. */

/**
 * Message search (docs/architecture.md#searching-messages): each engine's full-text index over
 * the words of every message and note, kept by the database itself in the transaction that
 * stores the message, so no insert path can forget it. Messages already stored are indexed here.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine === 'postgres') await postgres(db);
  else await sqlite(db);
}

/**
 * PostgreSQL: `message_search`, one row per message with its words as a tsvector (folded by
 * `parley_search_text`: unaccent, ASCII punctuation as spaces so "refund-policy" or
 * "bob@example.com" are words as on SQLite; the 'simple' configuration: no stemming, no language
 * assumed), its organization and time, written by a trigger in the message's transaction. The
 * words are stored, not recomputed from the body: a newest-first page of a common word walks
 * `message_search_newest` and checks each row's words until the page is full, and a rare word's
 * GIN matches are sorted; either way no message's text is parsed at search time. A table of its
 * own keeps the words out of every read of `messages`.
 */
async function postgres(db: Kysely<any>): Promise<void> {
  const schema = await unaccentSchema(db);
  const unaccent = `${quoteIdent(schema)}.unaccent`;
  // unaccent() is only STABLE (its dictionary could change): naming the dictionary makes the
  // result depend on the text alone.
  await sql
    .raw(
      `create function parley_search_text(body text) returns text language sql immutable parallel safe strict
       as $$ select regexp_replace(${unaccent}('${schema.replace(/'/g, "''")}.unaccent'::regdictionary, body), '[!-/:-@\\[-\`{-~]+', ' ', 'g') $$`,
    )
    .execute(db);
  await db.schema
    .createTable('message_search')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('words', sql`tsvector`, (c) => c.notNull())
    .execute();
  await sql`insert into message_search (message_id, organization_id, created_at, words)
    select id, organization_id, created_at, to_tsvector('simple'::regconfig, parley_search_text(body)) from messages`.execute(db);
  await sql`create index message_search_words on message_search using gin (words)`.execute(db);
  await db.schema.createIndex('message_search_newest').on('message_search').columns(['organization_id', 'created_at', 'message_id']).unique().execute();
  // Statistics now, not at autovacuum's next pass: without them the planner takes an
  // organization for a handful of rows and reads all of its matches.
  await sql`analyze message_search`.execute(db);
  await sql`
    create function parley_message_search() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' then
        delete from message_search where organization_id = old.organization_id and created_at = old.created_at and message_id = old.id;
      end if;
      if tg_op <> 'DELETE' then
        insert into message_search (message_id, organization_id, created_at, words)
        values (new.id, new.organization_id, new.created_at, to_tsvector('simple'::regconfig, parley_search_text(new.body)));
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger messages_search_insert after insert on messages for each row execute function parley_message_search()`.execute(db);
  // Bodies are never edited nor messages deleted today; these keep the index true if they ever are.
  await sql`create trigger messages_search_change after update of body, organization_id, created_at or delete on messages for each row execute function parley_message_search()`.execute(db);
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** unaccent is a trusted extension: installed in `public` when absent, else the copy found is used. */
async function unaccentSchema(db: Kysely<any>): Promise<string> {
  const installed = async () =>
    (await sql<{ schema: string }>`select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'unaccent'`.execute(db)).rows[0]?.schema;
  const schema = await installed();
  if (schema) return schema;
  await sql`create extension if not exists unaccent with schema public`.execute(db);
  return (await installed())!;
}

/**
 * SQLite: a contentless FTS5 table (the words only; the text stays in `messages`), folding case
 * and accents, with prefix indexes so a short prefix is one list rather than a merge of every
 * word it starts. Each row also holds the message's organization as a single word, so a search
 * never reads another organization's matches.
 *
 * Its rowid is the message's `search_key`, a number in time order (created_at × 1000 plus the
 * message's place among those of the same millisecond): FTS5 hands rows out in rowid order, so
 * the newest matches come first and a page stops reading as soon as it is full. The messages
 * table's own rowid could not serve: VACUUM may renumber it.
 */
async function sqlite(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('search_key', 'integer').execute();
  // Keys in (created_at, id) order: each is its time × 1000, or one more than the previous key
  // when a millisecond holds more messages than that (a running maximum keeps them unique).
  await sql`
    with ranked as (
      select rowid as r, row_number() over w as n, created_at * 1000 - row_number() over w as base
      from messages window w as (order by created_at, id)
    ),
    keyed as (select r, n + max(base) over (order by n rows unbounded preceding) as search_key from ranked)
    update messages set search_key = keyed.search_key from keyed where messages.rowid = keyed.r`.execute(db);
  // Not UNIQUE: the insert trigger gives every message a key of its own, and a row copied from
  // another (which carries that one's key until the trigger replaces it) must not be refused.
  await db.schema.createIndex('messages_search_key').on('messages').column('search_key').execute();
  await sql`create virtual table message_search using fts5(body, organization, content='', contentless_delete=1, tokenize="unicode61 remove_diacritics 2", prefix='1 2 3')`.execute(db);
  await sql`insert into message_search (rowid, body, organization) select search_key, body, replace(organization_id, '-', '') from messages`.execute(db);

  // A new message takes the next key of its millisecond; should a millisecond ever hold a
  // thousand, the overflow takes a key after every other (found, if a little out of order).
  await sql`
    create trigger messages_search_insert after insert on messages begin
      update messages set search_key = (
        select case when k < (new.created_at + 1) * 1000 then k else (select max(search_key) + 1 from messages) end
        from (select max(new.created_at * 1000, coalesce((select max(search_key) + 1 from messages where search_key < (new.created_at + 1) * 1000), 0)) as k)
      ) where rowid = new.rowid;
      insert into message_search (rowid, body, organization)
        select search_key, body, replace(organization_id, '-', '') from messages where rowid = new.rowid;
    end`.execute(db);
  // Bodies are never edited nor messages deleted today; these keep the index true if they ever are.
  await sql`
    create trigger messages_search_update after update of body, organization_id on messages begin
      delete from message_search where rowid = old.search_key;
      insert into message_search (rowid, body, organization) values (new.search_key, new.body, replace(new.organization_id, '-', ''));
    end`.execute(db);
  await sql`
    create trigger messages_search_delete after delete on messages begin
      delete from message_search where rowid = old.search_key;
    end`.execute(db);
}

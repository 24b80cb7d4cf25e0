import { sql, type Kysely } from 'kysely';

/* Frozen in time: never edit a migration that has shipped; add a new one. */

/**
 * Customer search that does not read every customer (docs/architecture.md#searching-customers).
 * Each customer keeps `search_text` (name, email and phone digits, folded), indexed by trigrams:
 * PostgreSQL's pg_trgm over the column; on SQLite an FTS5 `trigram` table keyed by
 * `search_key`, a number of the customer's own (a table's implicit rowid may change on VACUUM).
 * Shorter queries match the start of the text through an ordinary index. A customer's
 * conversations get an index in timeline order, and customers one in list order.
 */
export async function up(db: Kysely<any>, engine: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema.alterTable('customers').addColumn('search_text', 'text', (c) => c.notNull().defaultTo('')).execute();
  await backfill(db, engine);
  if (engine === 'postgres') {
    const schema = await trigramSchema(db);
    await sql`create index customers_search_trgm on customers using gin (search_text ${sql.id(schema)}.gin_trgm_ops)`.execute(db);
    await sql`create index customers_search_prefix on customers (organization_id, search_text collate "C")`.execute(db);
  } else {
    await db.schema.alterTable('customers').addColumn('search_key', 'integer').execute();
    await sql`update customers set search_key = rowid`.execute(db);
    await db.schema.createIndex('customers_search_key').on('customers').column('search_key').unique().execute();
    await sql`create virtual table customer_search using fts5(search_text, content='', contentless_delete=1, tokenize='trigram')`.execute(db);
    await sql`insert into customer_search (rowid, search_text) select search_key, search_text from customers`.execute(db);
    await db.schema.createIndex('customers_search_prefix').on('customers').columns(['organization_id', 'search_text']).execute();
  }
  await db.schema.createIndex('conversations_by_customer').on('conversations').columns(['customer_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('customers_newest').on('customers').columns(['organization_id', 'created_at', 'id']).execute();
}

/**
 * pg_trgm is a trusted extension. It goes to `public` when absent, so dropping some other schema
 * never drops it; if it is already installed anywhere, that copy is used.
 */
async function trigramSchema(db: Kysely<any>): Promise<string> {
  const installed = async () =>
    (await sql<{ schema: string }>`select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`.execute(db)).rows[0]?.schema;
  const schema = await installed();
  if (schema) return schema;
  await sql`create extension if not exists pg_trgm with schema public`.execute(db);
  return (await installed())!;
}

/** The fold of src/domain/search.ts as it was when this migration was written. */
const fold = (text: string | null) => (text ?? '').normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

async function backfill(db: Kysely<any>, engine: 'sqlite' | 'postgres'): Promise<void> {
  let after = '';
  for (;;) {
    const rows = await db.selectFrom('customers').select(['id', 'name', 'email', 'phone']).where('id', '>', after).orderBy('id').limit(1000).execute();
    if (rows.length === 0) return;
    const values = rows.map((r) => ({ id: r.id as string, text: [fold(r.name), fold(r.email), String(r.phone).replace(/\D/g, '')].join('\n') }));
    if (engine === 'postgres') {
      const list = sql.join(values.map((v) => sql`(${v.id}, ${v.text})`));
      await sql`update customers set search_text = v.text from (values ${list}) as v (id, text) where customers.id = v.id`.execute(db);
    } else {
      for (const v of values) await sql`update customers set search_text = ${v.text} where id = ${v.id}`.execute(db);
    }
    after = rows.at(-1)!.id;
  }
}

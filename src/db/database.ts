import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CamelCasePlugin, Kysely, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type SqliteDatabase, type Transaction } from 'kysely';
import pg from 'pg';
import { FALLBACK_AUTOCHECKPOINT_PAGES, startCheckpointer } from './checkpointer.js';
import { startsWords } from '../domain/message-search.js';
import { migrationsFor } from './migrations/index.js';
import { NamedStatementClient } from './pg-statements.js';
import type { DB } from './schema.js';

export type Engine = 'sqlite' | 'postgres';
export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
/** Queries take either the database or a transaction. */
export type Conn = Kysely<DB> | Transaction<DB>;

export interface Database {
  db: Db;
  engine: Engine;
  /** PostgreSQL only: a pool for LISTEN/NOTIFY and other raw needs. */
  pgPool?: pg.Pool;
  /** SQLite only: the raw handle, for checkpoints and pragmas. */
  sqlite?: BetterSqlite3.Database;
  /** PostgreSQL only: the schema in use, when not the default. */
  pgSchema?: string;
  destroy(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… or undefined for SQLite. */
  url?: string;
  /** SQLite file; ':memory:' is allowed in tests. */
  sqliteFile?: string;
  sqliteSynchronous?: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
  /** PostgreSQL schema to use (tests give each run its own). */
  pgSchema?: string;
  pgPoolSize?: number;
  /** PostgreSQL: told when an idle pooled connection is lost (the pool replaces it). */
  onPoolError?: (err: Error) => void;
  /** SQLite: told if the background checkpointer stops (see checkpointer.ts). */
  onCheckpointerError?: (err: Error) => void;
}

/** Connections per process on PostgreSQL unless told otherwise. */
export const DEFAULT_PG_POOL_SIZE = 10;

// int8 (bigint) columns hold epoch milliseconds and counts, all well inside 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export function openDatabase(options: DatabaseOptions): Database {
  const plugins = [new CamelCasePlugin()];
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.pgPoolSize ?? DEFAULT_PG_POOL_SIZE,
      Client: NamedStatementClient,
      options: options.pgSchema ? `-c search_path=${options.pgSchema}` : undefined,
    });
    // A connection ended by the server (a restart, a failover, an admin's pg_terminate_backend)
    // is an 'error' event: on the pool for an idle client, on the client itself for one checked
    // out. Unheard, either ends the process. The client's own query (if any) fails with the
    // error, and the pool drops the broken client, so the next query opens a fresh connection.
    pool.on('error', (err) => options.onPoolError?.(err));
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins });
    return { db, engine: 'postgres', pgPool: pool, pgSchema: options.pgSchema, destroy: () => db.destroy() };
  }

  const file = options.sqliteFile ?? ':memory:';
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${options.sqliteSynchronous ?? 'NORMAL'}`);
  sqlite.pragma('busy_timeout = 5000');
  // Deleted credentials must not linger in free pages (docs/rules.md#disconnect-and-erasure).
  sqlite.pragma('secure_delete = ON');
  sqlite.pragma('foreign_keys = ON');
  // Message search checks long words on the rows a short prefix found (features/search/queries.ts).
  sqlite.function('parley_starts_words', { deterministic: true }, (body, words) => (startsWords(String(body), String(words).split(' ')) ? 1 : 0));
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), plugins });
  const statistics = keepStatistics(sqlite);
  if (file === ':memory:') return { db, engine: 'sqlite', sqlite, destroy: () => (statistics.stop(), db.destroy()) };
  sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const checkpointer = startCheckpointer(file, options.onCheckpointerError);
  const destroy = async () => {
    statistics.stop();
    await checkpointer.stop();
    await db.destroy();
  };
  return { db, engine: 'sqlite', sqlite, destroy };
}

const OPTIMIZE_EVERY_MS = 60 * 60 * 1000;

/**
 * SQLite plans a query from statistics gathered by ANALYZE, and without them guesses. A search
 * (docs/architecture.md#searching-customers) then walks the whole inbox checking each row against
 * a handful of matching customers, instead of starting from those customers. SQLite's advice
 * for a long-lived connection: `PRAGMA optimize=0x10002` when it opens (done after the
 * migrations, so new indexes are counted too), `PRAGMA optimize` now and then; analysis_limit
 * keeps each ANALYZE to a sample, a few milliseconds a table.
 */
function keepStatistics(sqlite: BetterSqlite3.Database): { stop(): void } {
  sqlite.pragma('analysis_limit = 400');
  const timer = setInterval(() => sqlite.pragma('optimize'), OPTIMIZE_EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * Kysely's SQLite driver prepares every statement anew, which costs more than running most of
 * them; compiled statements are kept by SQL text instead (a bounded number, oldest dropped).
 * Reuse is safe because Kysely runs one statement at a time on its single connection.
 */
function withStatementCache(sqlite: BetterSqlite3.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sqlText: string) {
      let statement = cache.get(sqlText);
      if (!statement) {
        statement = sqlite.prepare(sqlText);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(sqlText, statement);
      }
      return statement;
    },
  };
}

/**
 * Applies the migrations not yet recorded, each in its own transaction. On PostgreSQL an
 * advisory lock lets many processes start at once; SQLite has one writer. (Kysely's own
 * Migrator looks at the tables of every schema, which races with other schemas coming and going.)
 */
export async function migrate(database: Database): Promise<void> {
  const { db, engine } = database;
  const lock = async (tx: Tx) => {
    if (engine === 'postgres') await sql`select pg_advisory_xact_lock(7305162)`.execute(tx);
  };
  await db.transaction().execute(async (tx) => {
    await lock(tx);
    await sql`create table if not exists parley_migrations (name text primary key, applied_at bigint not null)`.execute(tx);
  });
  // A migration may rebuild a table others reference (SQLite's way to change a constraint): that
  // needs foreign keys off, which SQLite allows only outside a transaction; they are checked after.
  database.sqlite?.pragma('foreign_keys = OFF');
  let applied = 0;
  try {
    applied = await applyPending(db, engine, lock);
  } finally {
    database.sqlite?.pragma('foreign_keys = ON');
  }
  const broken = applied > 0 ? (database.sqlite?.pragma('foreign_key_check') as unknown[] | undefined) : undefined;
  if (broken && broken.length > 0) throw new Error(`Migrations left ${broken.length} broken foreign keys`);
  database.sqlite?.pragma('optimize = 0x10002');
}

async function applyPending(db: Db, engine: Engine, lock: (tx: Tx) => Promise<void>): Promise<number> {
  let applied = 0;
  for (const [name, migration] of Object.entries(migrationsFor(engine))) {
    await db.transaction().execute(async (tx) => {
      await lock(tx);
      const done = await sql<{ name: string }>`select name from parley_migrations where name = ${name}`.execute(tx);
      if (done.rows.length > 0) return;
      applied++;
      try {
        await migration.up(tx);
      } catch (err) {
        throw new Error(`Migration ${name} failed: ${String(err)}`);
      }
      await sql`insert into parley_migrations (name, applied_at) values (${name}, ${Date.now()})`.execute(tx);
    });
  }
  return applied;
}

export function isPostgres(conn: Conn): boolean {
  return conn.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Reads that must agree with each other (a page of messages and their media) see one moment of
 * the database; otherwise a change committed between two statements shows half done.
 */
export function readSnapshot<T>(db: Db, read: (tx: Tx) => Promise<T>): Promise<T> {
  const tx = db.transaction();
  return (isPostgres(db) ? tx.setIsolationLevel('repeatable read') : tx).execute(read);
}

export async function ping(conn: Conn): Promise<void> {
  await sql`select 1`.execute(conn);
}

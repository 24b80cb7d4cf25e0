import BetterSqlite3 from 'better-sqlite3';
import path from 'node:path';
import pg from 'pg';
import { DEFAULT_PG_POOL_SIZE } from '../../src/db/database.js';
import { benchServerConfig } from './server-config.js';

type FloorEnv = Parameters<typeof benchServerConfig>[0];

/**
 * A floor's one table, on the engine and with the settings Parley's server would have from the
 * same environment (src/db/database.ts): SQLite in WAL mode with the configured synchronous, or
 * PostgreSQL through a pool of Parley's size in the run's schema. Only then is the floor the
 * least the same machine can do.
 */
export function openFloorSqlite(env: FloorEnv, file: string, table: string): BetterSqlite3.Database {
  const db = new BetterSqlite3(path.join(env.BENCH_DATA_DIR, file));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${benchServerConfig(env).sqliteSynchronous}`);
  db.exec(table);
  return db;
}

export async function openFloorPool(env: FloorEnv, table: string): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: env.BENCH_DATABASE_URL, max: DEFAULT_PG_POOL_SIZE, options: `-c search_path=${env.BENCH_PG_SCHEMA}` });
  await pool.query(table);
  return pool;
}

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import type { Engine } from '../../src/db/database.js';
import { createServer, type Server, type ServerOptions } from '../../src/server.js';

export type { Engine };

/** Every database test runs on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set. */
export const ENGINES: Engine[] = ['sqlite', ...(process.env.TEST_DATABASE_URL ? (['postgres'] as const) : [])];

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-parley-0001';

/** A PostgreSQL schema of its own, so every test starts on an empty database. */
export async function createPgSchema(): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  await client.query(`create schema ${name}`);
  await client.end();
  return {
    name,
    async drop() {
      const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop schema if exists ${name} cascade`);
      await c.end();
    },
  };
}

/** Removes what a test server left behind, for a test that closed the server itself. */
export async function dropTestData(server: { engine: Engine; dataDir: string; ctx: { database: { pgSchema?: string } } }): Promise<void> {
  rmSync(server.dataDir, { recursive: true, force: true });
  const schema = server.ctx.database.pgSchema;
  if (server.engine !== 'postgres' || !schema) return;
  const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await c.connect();
  await c.query(`drop schema if exists ${schema} cascade`);
  await c.end();
}

export interface TestServer extends Server {
  engine: Engine;
  config: Config;
  dataDir: string;
  /** Stops the server and removes its database. */
  destroy(): Promise<void>;
}

export interface TestServerOptions extends ServerOptions {
  env?: Record<string, string>;
  /** Reuse a data directory or schema, to restart onto the same data. */
  dataDir?: string;
  keepData?: boolean;
}

export async function startTestServer(engine: Engine, options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
  const schema = engine === 'postgres' && !options.pgSchema ? await createPgSchema() : undefined;
  const config = loadConfig({
    DATA_DIR: dataDir,
    PUBLIC_URL: 'http://127.0.0.1:3999',
    LOG_LEVEL: 'silent',
    ...(engine === 'postgres' ? { DATABASE_URL: process.env.TEST_DATABASE_URL!, APP_SECRET: TEST_SECRET } : {}),
    ...options.env,
  });
  const server = await createServer(config, {
    log: options.log ?? pino({ level: 'silent' }),
    ...options,
    pgSchema: options.pgSchema ?? schema?.name,
  });
  return {
    ...server,
    engine,
    config,
    dataDir,
    async destroy() {
      await server.close();
      if (!options.keepData) {
        await schema?.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

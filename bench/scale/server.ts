import { loadConfig } from '../../src/config.js';
import { createServer } from '../../src/server.js';
import { serveParent } from '../inbound/protocol.js';

/** The real server on the scale benchmark's database (SQLite in BENCH_DATA_DIR, or PostgreSQL in BENCH_PG_SCHEMA). */
const env = process.env;
const port = env.BENCH_PORT!;
const config = loadConfig({
  PORT: port,
  PUBLIC_URL: `http://127.0.0.1:${port}`,
  DATA_DIR: env.BENCH_DATA_DIR!,
  APP_SECRET: env.BENCH_APP_SECRET!,
  LOG_LEVEL: 'error',
  ...(env.BENCH_DATABASE_URL ? { DATABASE_URL: env.BENCH_DATABASE_URL } : {}),
});
const server = await createServer(config, { pgSchema: env.BENCH_PG_SCHEMA || undefined });
await server.app.listen({ port: config.port, host: '127.0.0.1' });
server.runner?.start();
serveParent(async () => 0, () => server.close());
process.send!({ type: 'ready', port: config.port });

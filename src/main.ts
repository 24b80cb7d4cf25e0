import { ConfigError, loadConfig } from './config.js';
import { createServer } from './server.js';

/** Composition root: config -> db -> app -> worker. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const server = await createServer(config);
  // Every role listens: a worker serves /healthz, /readyz and /metrics only.
  await server.app.listen({ port: config.port, host: config.host });
  server.runner?.start();
  server.ctx.log.info({ publicUrl: config.publicUrl, role: config.role, database: server.ctx.database.engine }, 'Parley is running');

  // docs/operations.md#stopping-and-restarting: drain for up to 15 s, then exit 0. A second
  // signal while draining is ignored, so an impatient Ctrl-C cannot cut requests short.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.ctx.log.info({ signal }, 'shutting down');
    try {
      await server.close();
    } catch (err) {
      server.ctx.log.error({ err }, 'shutdown did not complete cleanly');
      process.exit(1);
    }
    server.ctx.log.info({ signal }, 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

void main();

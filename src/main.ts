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
  if (config.role !== 'worker') await server.app.listen({ port: config.port, host: config.host });
  else await server.app.ready();
  server.runner?.start();
  server.ctx.log.info({ publicUrl: config.publicUrl, role: config.role, database: server.ctx.database.engine }, 'Parley is running');

  const shutdown = async (signal: string) => {
    server.ctx.log.info({ signal }, 'shutting down');
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

void main();

import { loadConfig } from '../../src/config.js';

/** The configuration every benchmark server starts with: SQLite in its data dir, Twilio at the simulator, quiet logs. */
export function benchServerConfig(env: { BENCH_PORT: string; BENCH_DATA_DIR: string; BENCH_TWILIO_API_URL: string }) {
  return loadConfig({
    PORT: env.BENCH_PORT,
    PUBLIC_URL: `http://127.0.0.1:${env.BENCH_PORT}`,
    DATA_DIR: env.BENCH_DATA_DIR,
    TWILIO_API_URL: env.BENCH_TWILIO_API_URL,
    TWILIO_MESSAGING_API_URL: env.BENCH_TWILIO_API_URL,
    LOG_LEVEL: 'error',
  });
}

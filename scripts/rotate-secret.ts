/**
 * `npm run rotate-secret`: re-encrypts every stored Twilio Auth Token under the current
 * APP_SECRET. Run it with APP_SECRET set to the new secret and APP_SECRET_PREVIOUS to the old
 * one, then restart the servers with the new secret (APP_SECRET_PREVIOUS can go once this
 * reports nothing unreadable). Sessions and signed media URLs are keyed by the secret too:
 * users sign in again afterwards. Prints one JSON line; never a token.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config.js';
import { truncateWal } from '../src/db/checkpointer.js';
import { openConfiguredDatabase } from '../src/server.js';
import { resealTokens } from '../src/features/twilio/rotate.js';
import { createKeyring } from '../src/secrets.js';

async function main(): Promise<number> {
  const config = loadConfig();
  if (!config.appSecret) {
    console.error('APP_SECRET: set it to the new secret, and APP_SECRET_PREVIOUS to the one in use until now');
    return 2;
  }
  const database = await openConfiguredDatabase(config);
  try {
    const result = await resealTokens(database.db, createKeyring(config.appSecret, config.appSecretPrevious));
    // Old ciphertexts must not linger in the WAL once the old secret is retired.
    if (database.engine === 'sqlite' && !(await truncateWal(database.db))) {
      console.error('The WAL could not be emptied (another process holds it); the old ciphertexts stay in the WAL file until later writes overwrite it or the server restarts');
    }
    const ok = result.unreadable.length === 0 && result.changedMeanwhile === 0;
    if (ok && database.engine === 'sqlite') adoptGeneratedSecret(config.dataDir, config.appSecret, config.appSecretPrevious);
    console.log(JSON.stringify({ ok, ...result }));
    if (result.unreadable.length > 0) console.error('Some tokens could not be read: set APP_SECRET_PREVIOUS to the secret they were saved under, or reconnect those accounts');
    if (result.changedMeanwhile > 0) console.error('Some tokens changed while this ran; run it again');
    return ok ? 0 : 1;
  } finally {
    await database.destroy();
  }
}

/**
 * A single-machine install keeps its generated secret in DATA_DIR; when that was the secret
 * being retired, the new one takes its place, so the server still starts without APP_SECRET.
 */
function adoptGeneratedSecret(dataDir: string, secret: string, previous: string | undefined): void {
  const file = path.join(dataDir, 'app-secret');
  if (previous && existsSync(file) && readFileSync(file, 'utf8').trim() === previous) writeFileSync(file, secret + '\n', { mode: 0o600 });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `rotate-secret failed: ${(err as Error).message}`);
    process.exit(1);
  },
);

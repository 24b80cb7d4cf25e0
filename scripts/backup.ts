/**
 * `npm run backup -- FILE`: a consistent copy of the SQLite database, taken while the server
 * runs (docs/operations.md#backups). Prints one JSON line. PostgreSQL: use pg_dump.
 */
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config.js';
import { backupSqlite, BackupError } from '../src/db/backup.js';

async function main(): Promise<number> {
  const file = process.argv[2];
  if (!file) return fail('Usage: npm run backup -- FILE (where to write the copy)', 2);
  const config = loadConfig();
  if (config.databaseUrl) return fail('DATABASE_URL is set: back PostgreSQL up with pg_dump (see docs/operations.md#backups)', 2);
  const result = await backupSqlite(path.join(config.dataDir, 'parley.db'), file);
  console.log(JSON.stringify({ ok: true, ...result }));
  console.error(`Keep ${path.join(config.dataDir, 'app-secret')} (or your APP_SECRET) with it: the Twilio Auth Tokens in the copy are encrypted under it.`);
  return 0;
}

function fail(message: string, code: number): number {
  console.error(message);
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError || err instanceof BackupError ? err.message : `backup failed: ${(err as Error).message}`);
    process.exit(1);
  },
);

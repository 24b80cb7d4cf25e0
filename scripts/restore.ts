/**
 * `npm run restore -- FILE`: puts a SQLite backup in place while the server is stopped
 * (docs/operations.md#backups). The database it replaces is kept beside it. Prints one JSON line.
 */
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config.js';
import { BackupError, restoreSqlite } from '../src/db/backup.js';

function main(): number {
  const file = process.argv[2];
  if (!file) return fail('Usage: npm run restore -- FILE (a backup made by npm run backup)');
  const config = loadConfig();
  if (config.databaseUrl) return fail('DATABASE_URL is set: restore PostgreSQL with pg_restore (see docs/operations.md#backups)');
  const result = restoreSqlite(path.join(config.dataDir, 'parley.db'), file);
  console.log(JSON.stringify({ ok: true, ...result }));
  return 0;
}

function fail(message: string): number {
  console.error(message);
  return 2;
}

try {
  process.exit(main());
} catch (err) {
  console.error(err instanceof ConfigError || err instanceof BackupError ? err.message : `restore failed: ${(err as Error).message}`);
  process.exit(1);
}

import BetterSqlite3 from 'better-sqlite3';
import { closeSync, copyFileSync, existsSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import { migrationsFor } from './migrations/index.js';

/*
 * SQLite backups (docs/operations.md#backups): a consistent copy taken with SQLite's online
 * backup while the server runs, and a restore that refuses to pull the file out from under a
 * running server or to put back something this version of Parley cannot run.
 */

export class BackupError extends Error {}

const SQLITE_HEADER = 'SQLite format 3\0';

export interface BackupResult {
  file: string;
  bytes: number;
  /** The newest migration in the copy: which version of Parley's schema it holds. */
  schema: string;
}

/** Copies the live database page by page, including commits still in its WAL, then checks the copy. */
export async function backupSqlite(databaseFile: string, destination: string): Promise<BackupResult> {
  if (!existsSync(databaseFile)) throw new BackupError(`No database at ${databaseFile}: check DATA_DIR`);
  if (existsSync(destination)) throw new BackupError(`${destination} already exists: remove it or choose another name`);
  const source = new BetterSqlite3(databaseFile, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await source.backup(destination);
  } finally {
    source.close();
  }
  const schema = inspect(destination).newest;
  return { file: destination, bytes: statSync(destination).size, schema };
}

export interface RestoreResult {
  restored: string;
  schema: string;
  /** Where the database it replaced was moved (null when there was none). */
  replacedKeptAt: string | null;
}

/**
 * Puts `backup` in place as `databaseFile`. Refuses while any process has the database open,
 * a file that is not a Parley database, and one from a newer schema than this version knows.
 * The database it replaces (and its WAL, which may hold commits) is renamed aside, not deleted.
 */
export function restoreSqlite(databaseFile: string, backup: string, now = new Date()): RestoreResult {
  if (!existsSync(backup)) throw new BackupError(`No file at ${backup}`);
  const { newest } = inspect(backup);
  let replacedKeptAt: string | null = null;
  if (existsSync(databaseFile)) {
    refuseWhileOpen(databaseFile);
    replacedKeptAt = `${databaseFile}.replaced-${now.toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['-wal', '-shm']) if (existsSync(databaseFile + suffix)) renameSync(databaseFile + suffix, replacedKeptAt + suffix);
    renameSync(databaseFile, replacedKeptAt);
  }
  copyFileSync(backup, databaseFile);
  return { restored: databaseFile, schema: newest, replacedKeptAt };
}

/** A Parley database, whole, and of a schema this version can run; its newest migration. */
function inspect(file: string): { newest: string } {
  if (!hasSqliteHeader(file)) throw new BackupError(`${file} is not a SQLite database, so not a Parley backup`);
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const hasMigrations = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'parley_migrations'").get();
    if (!hasMigrations) throw new BackupError(`${file} is a SQLite database but not Parley's (it has no parley_migrations table)`);
    const applied = (db.prepare('select name from parley_migrations order by name').all() as { name: string }[]).map((r) => r.name);
    const known = new Set(Object.keys(migrationsFor('sqlite')));
    const unknown = applied.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new BackupError(`${file} comes from a newer version of Parley (schema ${unknown.at(-1)}, which this version does not know): upgrade Parley, then restore`);
    }
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`${file} is damaged (integrity_check: ${String(check)}); use another backup`);
    return { newest: applied.at(-1) ?? '(none)' };
  } finally {
    db.close();
  }
}

function hasSqliteHeader(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(16);
    return readSync(fd, head, 0, 16, 0) === 16 && head.toString('latin1') === SQLITE_HEADER;
  } finally {
    closeSync(fd);
  }
}

/**
 * Every connection to a WAL database holds a shared lock for as long as it is open, even idle:
 * if an exclusive lock cannot be had at once, a server (or another tool) has it open.
 */
function refuseWhileOpen(databaseFile: string): void {
  const db = new BetterSqlite3(databaseFile, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new BackupError(`${databaseFile} is in use: stop the Parley server (and anything else that has it open), then restore`);
    }
    throw err;
  } finally {
    db.close();
  }
}

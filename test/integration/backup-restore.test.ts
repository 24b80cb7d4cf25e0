/** docs/operations.md#backups: npm run backup / npm run restore for SQLite; PostgreSQL is pointed to pg_dump. */
import BetterSqlite3 from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/api.js';
import { startChildServer, type ChildServer } from '../helpers/child-server.js';
import { postSignedWebhook, seedDesk, sharedStorage, type Cleanup } from '../helpers/fleet.js';
import { ENGINES } from '../helpers/server.js';
import { freePort } from '../helpers/twilio-world.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs `npm run <script> -- file` as an operator would (through tsx), with the server's environment. */
function runScript(script: 'backup' | 'restore', file: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, file], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

for (const engine of ENGINES) {
  describe(`backup and restore (${engine})`, () => {
    const cleanup: Cleanup = [];
    afterEach(async () => {
      for (const step of cleanup.reverse()) await step();
      cleanup.length = 0;
    });
    const scratch = () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-backup-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    };

    if (engine === 'postgres') {
      it('points PostgreSQL users to pg_dump and pg_restore', async () => {
        const env = { DATABASE_URL: process.env.TEST_DATABASE_URL!, APP_SECRET: 'x'.repeat(32) };
        const backup = await runScript('backup', path.join(scratch(), 'b.db'), env);
        expect(backup.code).toBe(2);
        expect(backup.stderr).toContain('pg_dump');
        const restore = await runScript('restore', path.join(scratch(), 'b.db'), env);
        expect(restore.code).toBe(2);
        expect(restore.stderr).toContain('pg_restore');
      });
      return;
    }

    it('backs up while webhooks are written, and the copy is whole and holds every acknowledged message', async () => {
      const { env, database, release } = await sharedStorage('sqlite', cleanup);
      const port = await freePort();
      let server: ChildServer = await startChildServer(env, port, 60_000);
      cleanup.push(() => server.stop());
      const desk = await seedDesk(server.url, database());
      await release();

      const acknowledged: string[] = [];
      let writing = true;
      const writer = (async () => {
        for (let n = 0; writing; n++) {
          const r = await postSignedWebhook(server.url, server.url, desk, `+1415555${String(3000 + (n % 20))}`, `during backup ${n}`);
          if (r.status === 200) acknowledged.push(r.sid);
        }
      })();
      await eventually(() => acknowledged.length >= 20, { what: 'writes under way', timeoutMs: 30_000 });
      const before = [...acknowledged];
      const file = path.join(scratch(), 'parley-backup.db');
      const backup = await runScript('backup', file, env);
      writing = false;
      await writer;
      expect(backup.code, backup.stderr).toBe(0);
      expect(JSON.parse(backup.stdout)).toMatchObject({ ok: true, file, schema: expect.stringMatching(/^\d{4}_/) });
      expect(acknowledged.length).toBeGreaterThan(before.length);

      const copy = new BetterSqlite3(file, { readonly: true });
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const inCopy = new Set((copy.prepare('select twilio_sid as sid from messages').all() as { sid: string }[]).map((r) => r.sid));
      copy.close();
      expect(before.filter((sid) => !inCopy.has(sid))).toEqual([]);

      // Refused while the server holds the database; then restored once it is stopped.
      const busy = await runScript('restore', file, env);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain('stop the Parley server');
      await server.stop();
      const restored = await runScript('restore', file, env);
      expect(restored.code, restored.stderr).toBe(0);
      const result = JSON.parse(restored.stdout) as { replacedKeptAt: string };
      expect(existsSync(result.replacedKeptAt)).toBe(true);
      // The replaced database is whole and still has everything written after the backup.
      const replaced = new BetterSqlite3(result.replacedKeptAt, { readonly: true });
      expect((replaced.prepare('select count(*) as n from messages').get() as { n: number }).n).toBe(acknowledged.length);
      replaced.close();

      server = await startChildServer(env, port, 60_000);
      const login = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ada@acme.test', password: 'correct horse battery' }) });
      expect(login.status).toBe(200);
      const fresh = new BetterSqlite3(path.join(env.DATA_DIR!, 'parley.db'), { readonly: true });
      expect((fresh.prepare('select count(*) as n from messages').get() as { n: number }).n).toBe(inCopy.size);
      fresh.close();
    }, 300_000);

    it('refuses a file that is not a Parley database, or is from a newer version, and leaves the database alone', async () => {
      const dataDir = scratch();
      const env = { DATA_DIR: dataDir };
      const dir = scratch();
      const text = path.join(dir, 'notes.txt');
      writeFileSync(text, 'not a database at all');
      const other = path.join(dir, 'other.db');
      new BetterSqlite3(other).exec('create table things (x)');
      // A real Parley database (the server migrates it at start), then marked with a future migration.
      const { env: parleyEnv } = await sharedStorage('sqlite', cleanup);
      const server = await startChildServer(parleyEnv, await freePort());
      await server.stop();
      const newer = path.join(dir, 'newer.db');
      const parleyFile = path.join(parleyEnv.DATA_DIR!, 'parley.db');
      const copy = new BetterSqlite3(parleyFile, { readonly: true });
      await copy.backup(newer);
      copy.close();
      new BetterSqlite3(newer).prepare('insert into parley_migrations (name, applied_at) values (?, ?)').run('9999_from_the_future', Date.now());

      for (const [file, says] of [
        [text, 'not a SQLite database'],
        [other, 'not Parley'],
        [newer, 'newer version of Parley'],
      ] as const) {
        const r = await runScript('restore', file, env);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(says);
      }
      expect(existsSync(path.join(dataDir, 'parley.db'))).toBe(false);
    }, 200_000);
  });
}

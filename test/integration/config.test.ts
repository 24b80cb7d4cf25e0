import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createKeyring, resolveAppSecret } from '../../src/secrets.js';
import { apiClient } from '../helpers/api.js';
import { startTestServer } from '../helpers/server.js';
import { PASSWORD } from '../helpers/world.js';

describe('configuration', () => {
  it('stops with a message naming the wrong variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ ROLE: 'janitor' })).toThrow(/ROLE/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ SEND_RECHECK_SECONDS: '-1' })).toThrow(/SEND_RECHECK_SECONDS/);
    expect(() => loadConfig({ ROLE: 'worker' })).toThrow(/ROLE.*DATABASE_URL/);
    expect(() => loadConfig({ WORKER_CONCURRENCY: '0' })).toThrow(/WORKER_CONCURRENCY/);
    expect(() => loadConfig({ WORKER_CONCURRENCY: '2.5' })).toThrow(/WORKER_CONCURRENCY/);
  });

  it('requires APP_SECRET with PostgreSQL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost/x' })).toThrow(/APP_SECRET/);
    expect(loadConfig({ DATABASE_URL: 'postgres://localhost/x', APP_SECRET: 'x'.repeat(32) }).databaseUrl).toBe('postgres://localhost/x');
  });

  it('defaults as docs/operations.md#configuration says', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', publicUrl: 'http://localhost:3000', role: 'all', sendRecheckSeconds: 120, workerConcurrency: 64, allowSignup: false, twilioApiUrl: 'https://api.twilio.com' });
  });

  it('generates the secret once into DATA_DIR with mode 0600 and reuses it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-secret-'));
    try {
      const config = loadConfig({ DATA_DIR: dir });
      const first = resolveAppSecret(config);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(statSync(path.join(dir, 'app-secret')).mode & 0o777).toBe(0o600);
      expect(resolveAppSecret(loadConfig({ DATA_DIR: dir }))).toBe(first);
      expect(readFileSync(path.join(dir, 'app-secret'), 'utf8').trim()).toBe(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('encrypts under a per-purpose key and decrypts during a rotation', () => {
    const old = createKeyring('o'.repeat(40));
    const sealed = old.encrypt('twilio-token-encryption', 'tok3n');
    expect(sealed).not.toContain('tok3n');
    expect(old.decrypt('twilio-token-encryption', sealed)).toBe('tok3n');
    expect(() => old.decrypt('media-urls', sealed)).toThrow();
    const rotated = createKeyring('n'.repeat(40), 'o'.repeat(40));
    expect(rotated.decrypt('twilio-token-encryption', sealed)).toBe('tok3n');
    expect(rotated.isCurrent(sealed)).toBe(false);
    expect(() => createKeyring('n'.repeat(40)).decrypt('twilio-token-encryption', sealed)).toThrow(/unknown APP_SECRET/);
  });

  it('restarts onto the same data and the same secret (SQLite)', async () => {
    const first = await startTestServer('sqlite', { keepData: true });
    const signup = await apiClient(first.app).post('/api/signup', { orgName: 'Keep', name: 'K', email: 'k@keep.test', password: PASSWORD });
    expect(signup.status).toBe(201);
    await first.destroy();
    const second = await startTestServer('sqlite', { dataDir: first.dataDir });
    try {
      // The session token still verifies: same secret, same database.
      expect((await apiClient(second.app, signup.body.token).get('/api/me')).body.organization.name).toBe('Keep');
    } finally {
      await second.destroy();
    }
  });
});

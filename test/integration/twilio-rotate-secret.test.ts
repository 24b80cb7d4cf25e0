import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyring } from '../../src/secrets.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { apiClient } from '../helpers/api.js';
import { createPgSchema, ENGINES, startTestServer, type TestServer } from '../helpers/server.js';
import { connectViaApi } from '../helpers/twilio-integration.js';
import { createTwilioWorld, SUPPORT_NUMBER, type TwilioWorld } from '../helpers/twilio-world.js';
import { PASSWORD } from '../helpers/world.js';

const run = promisify(execFile);
const OLD_SECRET = 'old-secret-that-is-long-enough-for-parley-0001';
const NEW_SECRET = 'new-secret-that-is-long-enough-for-parley-0002';
const ROOT = path.resolve(import.meta.dirname, '../..');

async function rotateSecret(env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(APP_SECRET|DATABASE_URL|DATA_DIR)/.test(k)));
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/rotate-secret.ts'], { cwd: ROOT, env: { ...clean, LOG_LEVEL: 'silent', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

for (const engine of ENGINES) {
  describe(`npm run rotate-secret (${engine})`, () => {
    let world: TwilioWorld | undefined;
    let server: TestServer | undefined;
    let sim: Simulator | undefined;
    let dropSchema: (() => Promise<void>) | undefined;
    let keptDir: string | undefined;
    afterEach(async () => {
      await world?.destroy();
      await server?.destroy();
      await sim?.stop();
      await dropSchema?.();
      if (keptDir) rmSync(keptDir, { recursive: true, force: true });
      world = server = sim = dropSchema = keptDir = undefined;
    });

    /** Stops the world's server but keeps its data, for the script and a restart. */
    async function stopKeepingData(w: TwilioWorld) {
      await w.server.close();
      keptDir = w.server.dataDir;
      world = undefined;
    }

    it('re-encrypts the stored token under the new secret, so the server runs on the new secret alone', async () => {
      sim = await startSimulator();
      const schema = engine === 'postgres' ? await createPgSchema() : undefined;
      dropSchema = schema?.drop;
      world = await createTwilioWorld(engine, { connect: false, sim, keepData: true, pgSchema: schema?.name, env: { APP_SECRET: OLD_SECRET } });
      await connectViaApi(world);
      const { dataDir, config } = world.server;
      const { authToken } = world.account;
      await stopKeepingData(world);
      const target = {
        DATA_DIR: dataDir,
        ...(engine === 'postgres' ? { DATABASE_URL: `${process.env.TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema!.name}`)}` } : {}),
      };

      const missingPrevious = await rotateSecret({ ...target, APP_SECRET: NEW_SECRET });
      expect(missingPrevious.code).toBe(1);
      expect(JSON.parse(missingPrevious.stdout)).toMatchObject({ ok: false, resealed: 0, unreadable: [expect.stringMatching(/^AC…/)] });

      const rotated = await rotateSecret({ ...target, APP_SECRET: NEW_SECRET, APP_SECRET_PREVIOUS: OLD_SECRET });
      expect(rotated.code).toBe(0);
      expect(JSON.parse(rotated.stdout)).toEqual({ ok: true, resealed: 1, alreadyCurrent: 0, unreadable: [], changedMeanwhile: 0 });
      expect(rotated.stdout + rotated.stderr).not.toContain(authToken);
      const again = await rotateSecret({ ...target, APP_SECRET: NEW_SECRET, APP_SECRET_PREVIOUS: OLD_SECRET });
      expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, resealed: 0, alreadyCurrent: 1 });

      server = await startTestServer(engine, {
        dataDir,
        keepData: true,
        pgSchema: schema?.name,
        env: { APP_SECRET: NEW_SECRET, PUBLIC_URL: config.publicUrl, TWILIO_API_URL: sim.url, TWILIO_MESSAGING_API_URL: sim.url },
      });
      const sealed = (await server.ctx.db.selectFrom('twilioAccounts').select('authTokenSealed').executeTakeFirstOrThrow()).authTokenSealed;
      expect(server.ctx.keyring.isCurrent(sealed)).toBe(true);
      expect(() => createKeyring(OLD_SECRET).decrypt('twilio-token-encryption', sealed)).toThrow();
      const login = await apiClient(server.app).post('/api/login', { email: 'ada@acme.test', password: PASSWORD });
      const admin = apiClient(server.app, login.body.token);
      // Adding a sender calls Twilio with the token as decrypted under the new secret.
      expect((await admin.post('/api/integrations/twilio/senders', { type: 'phone_number', phoneNumber: SUPPORT_NUMBER })).status).toBe(201);
      // Three runs of the real script, each a Node process compiling TypeScript on start.
    }, 90_000);

    it('refuses to run without APP_SECRET', async () => {
      const dir = (world = await createTwilioWorld(engine, { connect: false })).server.dataDir;
      const res = await rotateSecret({ DATA_DIR: dir, ...(engine === 'postgres' ? { DATABASE_URL: process.env.TEST_DATABASE_URL! } : {}) });
      expect(res.code).not.toBe(0);
      expect(res.stderr).toContain('APP_SECRET');
    });

    if (engine === 'sqlite') {
      it('replaces the generated secret in DATA_DIR when that was the one retired', async () => {
        sim = await startSimulator();
        const w = (world = await createTwilioWorld(engine, { connect: false, sim, keepData: true }));
        await connectViaApi(w);
        const { dataDir } = w.server;
        const generated = readFileSync(path.join(dataDir, 'app-secret'), 'utf8').trim();
        await stopKeepingData(w);
        const res = await rotateSecret({ DATA_DIR: dataDir, APP_SECRET: NEW_SECRET, APP_SECRET_PREVIOUS: generated });
        expect(res.code).toBe(0);
        expect(readFileSync(path.join(dataDir, 'app-secret'), 'utf8').trim()).toBe(NEW_SECRET);
        server = await startTestServer(engine, { dataDir, keepData: true });
        const sealed = (await server.ctx.db.selectFrom('twilioAccounts').select('authTokenSealed').executeTakeFirstOrThrow()).authTokenSealed;
        expect(server.ctx.keyring.decrypt('twilio-token-encryption', sealed)).toBe(w.account.authToken);
      });
    }
  });
}

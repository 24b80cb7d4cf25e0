import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, type Api } from '../helpers/api.js';
import { ENGINES, startTestServer, type TestServer } from '../helpers/server.js';
import { createWorld, PASSWORD, type World } from '../helpers/world.js';

/* Rules that must hold when requests arrive together, sent in parallel through HTTP. */

for (const engine of ENGINES) {
  describe(`accounts under concurrent requests (${engine})`, () => {
    let world: World | undefined;
    let server: TestServer | undefined;
    afterEach(async () => {
      await world?.destroy();
      await server?.destroy();
      world = server = undefined;
    });

    it('creates only one first organization when signups arrive together on a closed server', async () => {
      server = await startTestServer(engine);
      const api = apiClient(server.app);
      const db = server.ctx.db;
      for (let round = 0; round < 8; round++) {
        const signups = await Promise.all(
          Array.from({ length: 4 }, (_, i) => api.post('/api/signup', { orgName: `Org ${i}`, name: `Founder ${i}`, email: `founder-${i}@org${i}.test`, password: PASSWORD })),
        );
        expect(signups.map((r) => r.status).sort()).toEqual([201, 403, 403, 403]);
        expect(await db.selectFrom('organizations').select('id').execute()).toHaveLength(1);
        // Back to an empty server for the next round.
        await db.deleteFrom('sessions').execute();
        await db.deleteFrom('users').execute();
        await db.deleteFrom('organizations').execute();
      }
    });

    it('still lets signups arrive together when ALLOW_SIGNUP is set', async () => {
      server = await startTestServer(engine, { env: { ALLOW_SIGNUP: 'true' } });
      const api = apiClient(server.app);
      const signups = await Promise.all(
        Array.from({ length: 4 }, (_, i) => api.post('/api/signup', { orgName: `Org ${i}`, name: `Founder ${i}`, email: `founder-${i}@org${i}.test`, password: PASSWORD })),
      );
      expect(signups.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    });

    it('never leaves an organization without an active admin when its last two admins are changed together', async () => {
      world = await createWorld(engine);
      const admins: { id: string; email: string; api: Api }[] = [world.admin, await world.addUser('admin', 'bea@acme.test')];
      const activeAdmins = async () =>
        (await world!.agent.api.get('/api/users')).body.items.filter((u: { role: string; active: boolean }) => u.role === 'admin' && u.active);

      for (let round = 0; round < 12; round++) {
        // Each admin demotes (or deactivates) the other at the same moment.
        const change: { role?: string; active?: boolean } = round % 2 === 0 ? { role: 'agent' } : { active: false };
        const [a, b] = admins as [(typeof admins)[0], (typeof admins)[0]];
        const results = await Promise.all([a.api.patch(`/api/users/${b.id}`, change), b.api.patch(`/api/users/${a.id}`, change)]);
        // The loser is refused as the last admin (409), or, if it came second, as no longer an admin (403) or signed in (401).
        const [won, lost] = results.map((r) => r.status).sort((x, y) => x - y);
        expect(won).toBe(200);
        expect([401, 403, 409]).toContain(lost);
        const left = await activeAdmins();
        expect(left).toHaveLength(1);

        // Put the other admin back, signed in again if it was deactivated.
        const survivor = admins.find((x) => x.id === left[0].id)!;
        const other = admins.find((x) => x.id !== survivor.id)!;
        expect((await survivor.api.patch(`/api/users/${other.id}`, { role: 'admin', active: true })).status).toBe(200);
        if (change.active === false) {
          const signIn = await world.anonymous.post('/api/login', { email: other.email, password: PASSWORD });
          other.api = apiClient(world.server.app, signIn.body.token);
        }
      }
    });
  });
}

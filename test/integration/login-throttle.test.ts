import { afterEach, describe, expect, it } from 'vitest';
import type { Api } from '../helpers/api.js';
import { ENGINES } from '../helpers/server.js';
import { createWorld, PASSWORD, type World } from '../helpers/world.js';

const MINUTE = 60_000;

const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

for (const engine of ENGINES) {
  describe(`password guessing limits (${engine})`, () => {
    let world: World | undefined;
    afterEach(async () => {
      await world?.destroy();
      world = undefined;
    });

    const login = (email: string, password: string) => world!.anonymous.post('/api/login', { email, password });
    /** Wrong passwords sent together, each answered 401. */
    const failLogins = async (email: string, n: number) => {
      const answers = await Promise.all(Array.from({ length: n }, () => login(email, 'wrong-password')));
      expect(answers.map((r) => r.status)).toEqual(Array(n).fill(401));
    };
    const storedAttempts = () => world!.server.ctx.db.selectFrom('loginAttempts').selectAll().execute();

    it('lets a burst of parallel logins check no more than 10 passwords', async () => {
      world = await createWorld(engine);
      const burst = await Promise.all(Array.from({ length: 200 }, () => login('alan@acme.test', 'wrong-password')));
      expect(tally(burst.map((r) => r.status))).toEqual({ 401: 10, 429: 190 });
      expect((await login('alan@acme.test', PASSWORD)).status).toBe(429);
    });

    it('counts failures in a sliding 15 minutes', async () => {
      let now = Date.now();
      world = await createWorld(engine, { clock: { now: () => now } });
      await failLogins('alan@acme.test', 5);
      now += 10 * MINUTE;
      await failLogins('alan@acme.test', 5);
      const blocked = await login('alan@acme.test', PASSWORD);
      expect(blocked.status).toBe(429);
      expect(blocked.body.error.message).toMatch(/wait 15 minutes/);
      // The first five leave the window; the last five still count.
      now += 5 * MINUTE + 1;
      await failLogins('alan@acme.test', 5);
      expect((await login('alan@acme.test', PASSWORD)).status).toBe(429);
      now += 10 * MINUTE;
      expect((await login('alan@acme.test', PASSWORD)).status).toBe(200);
    });

    it('clears the count when the right password is given', async () => {
      world = await createWorld(engine);
      await failLogins('alan@acme.test', 9);
      expect((await login('alan@acme.test', PASSWORD)).status).toBe(200);
      // Had the nine stayed, the second of these would be the eleventh failure.
      await failLogins('alan@acme.test', 2);
    });

    it('refuses an email longer than 254 characters and stores a fixed-size key, not the email', async () => {
      world = await createWorld(engine);
      const huge = `${'a'.repeat(900_000)}@acme.test`;
      for (let i = 0; i < 5; i++) {
        const res = await login(huge, 'wrong-password');
        expect(res.status).toBe(422);
        expect(res.body.error.field).toBe('email');
      }
      expect(await storedAttempts()).toEqual([]);

      const longest = `${'b'.repeat(64)}@${'c'.repeat(180)}.test`;
      expect(longest.length).toBeLessThanOrEqual(254);
      for (let i = 0; i < 5; i++) expect((await login(longest.toUpperCase(), 'wrong-password')).status).toBe(401);
      const rows = await storedAttempts();
      expect(rows).toHaveLength(5);
      for (const row of rows) expect(row.key).toMatch(/^[0-9a-f]{64}$/);
      // 'bbbbbbbb' cannot appear in a hex key or a UUID by chance; the email's 64 b's would show it.
      expect(JSON.stringify(rows)).not.toContain('b'.repeat(8));
      expect(new Set(rows.map((r) => r.key)).size).toBe(1);
    });

    it('deletes attempts once they leave the window, whichever email they were for', async () => {
      let now = Date.now();
      world = await createWorld(engine, { clock: { now: () => now } });
      for (let i = 0; i < 3; i++) await login(`gone-${i}@acme.test`, 'wrong-password');
      expect(await storedAttempts()).toHaveLength(3);
      now += 15 * MINUTE + 1;
      expect((await login('alan@acme.test', 'wrong-password')).status).toBe(401);
      expect(await storedAttempts()).toHaveLength(1);
    });

    it('throttles the current-password check of a password change, sharing the count with login', async () => {
      world = await createWorld(engine);
      const change = (api: Api, currentPassword: string) => api.post('/api/me/password', { currentPassword, newPassword: 'new password 123' });
      const burst = await Promise.all(Array.from({ length: 60 }, () => change(world!.agent.api, 'not-it-at-all')));
      expect(tally(burst.map((r) => r.status))).toEqual({ 422: 10, 429: 50 });
      const right = await change(world.agent.api, PASSWORD);
      expect(right.status).toBe(429);
      expect(right.body.error.message).toMatch(/wait 15 minutes/);
      expect((await login('alan@acme.test', PASSWORD)).status).toBe(429);
      // Another user's count is their own.
      expect((await change(world.admin.api, PASSWORD)).status).toBe(204);
    });

    it('clears the count when the current password is given right', async () => {
      world = await createWorld(engine);
      const attempts = await Promise.all(Array.from({ length: 9 }, () => world!.agent.api.post('/api/me/password', { currentPassword: 'not-it-at-all', newPassword: 'new password 123' })));
      expect(attempts.map((r) => r.status)).toEqual(Array(9).fill(422));
      expect((await world.agent.api.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'new password 123' })).status).toBe(204);
      await failLogins('alan@acme.test', 2);
    });
  });
}

import { afterEach, describe, expect, it } from 'vitest';
import { apiClient } from '../helpers/api.js';
import { ENGINES, startTestServer, type TestServer } from '../helpers/server.js';
import { createWorld, PASSWORD, type World } from '../helpers/world.js';

const ORIGIN = 'http://127.0.0.1:3999';

for (const engine of ENGINES) {
  describe(`accounts (${engine})`, () => {
    let world: World | undefined;
    let server: TestServer | undefined;
    afterEach(async () => {
      await world?.destroy();
      await server?.destroy();
      world = server = undefined;
    });

    it('opens signup for the first organization only, unless ALLOW_SIGNUP is set', async () => {
      world = await createWorld(engine);
      const second = await world.anonymous.post('/api/signup', { orgName: 'Other', name: 'Bo', email: 'bo@other.test', password: PASSWORD });
      expect(second.status).toBe(403);
      expect(second.body.error.code).toBe('forbidden');

      server = await startTestServer(engine, { env: { ALLOW_SIGNUP: 'true' } });
      const api = apiClient(server.app);
      expect((await api.post('/api/signup', { orgName: 'One', name: 'A', email: 'a@one.test', password: PASSWORD })).status).toBe(201);
      const again = await api.post('/api/signup', { orgName: 'Two', name: 'B', email: 'b@two.test', password: PASSWORD });
      expect(again.status).toBe(201);
      expect(again.body.organization.name).toBe('Two');
      expect(again.body.user.role).toBe('admin');
      const dup = await api.post('/api/signup', { orgName: 'Three', name: 'C', email: 'A@ONE.test', password: PASSWORD });
      expect(dup.status).toBe(409);
      expect(dup.body.error.message).toContain('email');
    });

    it('logs in with a cookie and a token, and refuses wrong credentials alike', async () => {
      world = await createWorld(engine);
      const ok = await world.anonymous.post('/api/login', { email: 'ADA@acme.test', password: PASSWORD });
      expect(ok.status).toBe(200);
      expect(ok.body.user.email).toBe('ada@acme.test');
      const cookie = String(ok.headers['set-cookie']);
      expect(cookie).toMatch(/parley_session=/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
      expect(JSON.stringify(ok.body)).not.toContain('passwordHash');

      const me = await apiClient(world.server.app).get('/api/me', { cookie: cookie.split(';')[0]! });
      expect(me.status).toBe(200);
      expect(me.body.organization.threadingWindowHours).toBe(24);

      const wrongPassword = await world.anonymous.post('/api/login', { email: 'ada@acme.test', password: 'nope-nope-nope' });
      const unknownEmail = await world.anonymous.post('/api/login', { email: 'nobody@acme.test', password: PASSWORD });
      expect(wrongPassword.status).toBe(401);
      expect(unknownEmail.status).toBe(401);
      expect(wrongPassword.body.error.message).toBe(unknownEmail.body.error.message);
    });

    it('throttles an email after 10 failures in 15 minutes, even with the right password', async () => {
      world = await createWorld(engine);
      for (let i = 0; i < 10; i++) expect((await world.anonymous.post('/api/login', { email: 'alan@acme.test', password: 'wrong-password' })).status).toBe(401);
      const blocked = await world.anonymous.post('/api/login', { email: 'alan@acme.test', password: PASSWORD });
      expect(blocked.status).toBe(429);
      // Another email is not affected.
      expect((await world.anonymous.post('/api/login', { email: 'ada@acme.test', password: PASSWORD })).status).toBe(200);
    });

    it('expires a session after 14 days unused and ends it when the user is deactivated', async () => {
      let now = Date.now();
      world = await createWorld(engine, { clock: { now: () => now } });
      const bo = await world.addUser('agent', 'bo@acme.test');
      expect((await bo.api.get('/api/me')).status).toBe(200);
      expect((await world.admin.api.delete(`/api/users/${bo.id}`)).body.active).toBe(false);
      expect((await bo.api.get('/api/me')).status).toBe(401);
      expect((await world.anonymous.post('/api/login', { email: 'bo@acme.test', password: PASSWORD })).status).toBe(401);

      expect((await world.agent.api.get('/api/me')).status).toBe(200);
      now += 13 * 24 * 3600_000;
      expect((await world.agent.api.get('/api/me')).status).toBe(200);
      // Use resets the clock: another 13 days later the session is still alive.
      now += 13 * 24 * 3600_000;
      expect((await world.agent.api.get('/api/me')).status).toBe(200);
      now += 14 * 24 * 3600_000 + 1000;
      expect((await world.agent.api.get('/api/me')).status).toBe(401);
    });

    it('renews the browser cookie as the session is used, so it lasts 14 days from the last use', async () => {
      let now = Date.now();
      world = await createWorld(engine, { clock: { now: () => now } });
      const login = await world.anonymous.post('/api/login', { email: 'alan@acme.test', password: PASSWORD });
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      const browser = apiClient(world.server.app);
      now += 10 * 24 * 3600_000;
      const used = await browser.get('/api/me', { cookie });
      expect(used.status).toBe(200);
      expect(String(used.headers['set-cookie'])).toMatch(/parley_session=.*Max-Age=1209600/);
      // Used again within the minute: no need to send the cookie again.
      expect((await browser.get('/api/me', { cookie })).headers['set-cookie']).toBeUndefined();
    });

    it('requires a matching Origin for cookie-authenticated changes, not for bearer tokens', async () => {
      world = await createWorld(engine);
      const login = await world.anonymous.post('/api/login', { email: 'ada@acme.test', password: PASSWORD });
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      const browser = apiClient(world.server.app);
      const body = { threadingWindowHours: 12 };
      expect((await browser.patch('/api/settings', body, { cookie })).status).toBe(403);
      expect((await browser.patch('/api/settings', body, { cookie, origin: 'https://evil.test' })).status).toBe(403);
      const ok = await browser.patch('/api/settings', body, { cookie, origin: ORIGIN });
      expect(ok.status).toBe(200);
      expect(ok.body.organization.threadingWindowHours).toBe(12);
      expect((await world.admin.api.patch('/api/settings', { threadingWindowHours: 0.5 })).status).toBe(200);
      expect((await browser.get('/api/me', { cookie })).status).toBe(200);
    });

    it('refuses agents on admin routes', async () => {
      world = await createWorld(engine);
      const { api } = world.agent;
      expect((await api.get('/api/users')).status).toBe(200);
      expect((await api.post('/api/users', { email: 'x@acme.test', name: 'X', role: 'agent', password: PASSWORD })).status).toBe(403);
      expect((await api.patch(`/api/users/${world.admin.id}`, { role: 'agent' })).status).toBe(403);
      expect((await api.delete(`/api/users/${world.admin.id}`)).status).toBe(403);
      expect((await api.patch('/api/settings', { threadingWindowHours: 2 })).status).toBe(403);
      expect((await world.anonymous.get('/api/users')).status).toBe(401);
    });

    it('answers 404 for a user of another organization on read, update and delete', async () => {
      world = await createWorld(engine, { env: { ALLOW_SIGNUP: 'true' } });
      const other = await world.anonymous.post('/api/signup', { orgName: 'Other', name: 'Oz', email: 'oz@other.test', password: PASSWORD });
      const otherId = other.body.user.id;
      const users = await world.admin.api.get('/api/users');
      expect(users.body.items.map((u: { id: string }) => u.id)).not.toContain(otherId);
      expect((await world.admin.api.patch(`/api/users/${otherId}`, { role: 'agent' })).status).toBe(404);
      expect((await world.admin.api.delete(`/api/users/${otherId}`)).status).toBe(404);
      const stillAdmin = await apiClient(world.server.app, other.body.token).get('/api/me');
      expect(stillAdmin.body.user).toMatchObject({ role: 'admin', active: true });
    });

    it('gives 400 for a body that is not JSON and 422 naming the field for wrong or unknown fields', async () => {
      world = await createWorld(engine);
      const res = await world.server.app.inject({ method: 'POST', url: '/api/users', headers: { authorization: `Bearer ${world.admin.token}`, 'content-type': 'application/json' }, payload: '{"email": ' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('bad_request');

      const unknown = await world.admin.api.post('/api/users', { email: 'n@acme.test', name: 'N', role: 'agent', password: PASSWORD, isRoot: true });
      expect(unknown.status).toBe(422);
      expect(unknown.body.error.message).toContain('isRoot');
      const badEmail = await world.admin.api.post('/api/users', { email: 'not-an-email', name: 'N', role: 'agent', password: PASSWORD });
      expect(badEmail.status).toBe(422);
      expect(badEmail.body.error.field).toBe('email');
      const missing = await world.admin.api.post('/api/users', { email: 'n@acme.test', role: 'agent', password: PASSWORD });
      expect(missing.body.error).toMatchObject({ code: 'validation_failed', field: 'name' });
      const text = await world.server.app.inject({ method: 'POST', url: '/api/users', headers: { authorization: `Bearer ${world.admin.token}`, 'content-type': 'text/plain' }, payload: 'hello' });
      expect(text.statusCode).toBe(400);
      const wrongType = await world.admin.api.patch('/api/settings', { threadingWindowHours: 'abc' });
      expect(wrongType.body.error).toMatchObject({ code: 'validation_failed', field: 'threadingWindowHours' });
      expect(wrongType.body.error.message).not.toContain('required');
      const nothing = await world.admin.api.patch('/api/settings', {});
      expect(nothing.status).toBe(200);
      expect(nothing.body.organization.threadingWindowHours).toBe(24);
      const window = await world.admin.api.patch('/api/settings', { threadingWindowHours: 721 });
      expect(window.status).toBe(422);
      expect(window.body.error.field).toBe('threadingWindowHours');
    });

    it('changes a password, ending other sessions, and keeps the last admin', async () => {
      world = await createWorld(engine);
      const other = await world.anonymous.post('/api/login', { email: 'ada@acme.test', password: PASSWORD });
      const wrong = await world.admin.api.post('/api/me/password', { currentPassword: 'not-it-at-all', newPassword: 'new password 123' });
      expect(wrong.status).toBe(422);
      expect(wrong.body.error.field).toBe('currentPassword');
      expect((await world.admin.api.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'new password 123' })).status).toBe(204);
      expect((await world.admin.api.get('/api/me')).status).toBe(200);
      expect((await apiClient(world.server.app, other.body.token).get('/api/me')).status).toBe(401);
      expect((await world.anonymous.post('/api/login', { email: 'ada@acme.test', password: 'new password 123' })).status).toBe(200);

      const demote = await world.admin.api.patch(`/api/users/${world.admin.id}`, { role: 'agent' });
      expect(demote.status).toBe(409);
      const promoted = await world.admin.api.patch(`/api/users/${world.agent.id}`, { role: 'admin' });
      expect(promoted.body.role).toBe('admin');
    });

    it('signs out', async () => {
      world = await createWorld(engine);
      expect((await world.agent.api.post('/api/logout')).status).toBe(204);
      expect((await world.agent.api.get('/api/me')).status).toBe(401);
      expect((await world.server.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true });
    });
  });
}

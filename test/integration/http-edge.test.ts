/**
 * The HTTP edge: which bodies each route reads, where a request must come from, and what a
 * failed health check leaves in the log.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { SESSION_COOKIE } from '../../src/http/auth.js';
import { countRows, inboundParams, postWebhook, WEBHOOK_PATH } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { capturedLog } from '../helpers/twilio-integration.js';
import { createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';
import { PASSWORD } from '../helpers/world.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };
const EVIL = 'https://evil.test';

for (const engine of ENGINES) {
  describe(`the HTTP edge (${engine})`, () => {
    let w: TwilioWorld;
    let log: ReturnType<typeof capturedLog>;
    beforeEach(async () => {
      log = capturedLog();
      w = await createTwilioWorld(engine, { log: log.log, env: { ALLOW_SIGNUP: 'true' } });
    });
    afterEach(async () => {
      await w.destroy();
    });

    const inject = (method: 'POST' | 'PATCH', url: string, payload: string, headers: Record<string, string>) =>
      w.server.app.inject({ method, url, payload, headers });
    const login = (headers: Record<string, string>, body = JSON.stringify({ email: w.admin.email, password: PASSWORD })) =>
      inject('POST', '/api/login', body, { ...JSON_TYPE, ...headers });

    describe('signing in and up from another site (login CSRF)', () => {
      it('a cross-site form posting to /api/login gets no session', async () => {
        const form = new URLSearchParams({ email: w.admin.email, password: PASSWORD }).toString();
        for (const headers of [{ ...FORM, origin: EVIL }, FORM]) {
          const res = await inject('POST', '/api/login', form, headers);
          expect([403, 415]).toContain(res.statusCode);
          expect(res.headers['set-cookie']).toBeUndefined();
        }
      });

      it('a JSON login naming another Origin, or "null", is refused 403 though it carries no cookie', async () => {
        for (const origin of [EVIL, 'null', `${w.publicUrl}.evil.test`]) {
          const res = await login({ origin });
          expect(res.statusCode).toBe(403);
          expect(res.json().error.message).toContain(w.publicUrl);
          expect(res.headers['set-cookie']).toBeUndefined();
        }
      });

      it('a login from our own Origin, or from a client that sends none (curl), signs in', async () => {
        const own = await login({ origin: w.publicUrl });
        expect(own.statusCode).toBe(200);
        expect(String(own.headers['set-cookie'])).toContain(SESSION_COOKIE);
        expect((await login({})).statusCode).toBe(200);
      });

      it('a login that carries the session cookie must carry our Origin too', async () => {
        const cookie = `${SESSION_COOKIE}=${w.agent.token}`;
        expect((await login({ cookie })).statusCode).toBe(403);
        expect((await login({ cookie, origin: w.publicUrl })).statusCode).toBe(200);
      });

      it('signing up from another Origin is refused; from ours it creates the organization', async () => {
        const body = (email: string) => JSON.stringify({ orgName: 'Beta', name: 'Bea', email, password: PASSWORD });
        const foreign = await inject('POST', '/api/signup', body('bea@beta.test'), { ...JSON_TYPE, origin: EVIL });
        expect(foreign.statusCode).toBe(403);
        expect(foreign.headers['set-cookie']).toBeUndefined();
        expect((await inject('POST', '/api/signup', body('bea@beta.test'), { ...JSON_TYPE, origin: w.publicUrl })).statusCode).toBe(201);
      });
    });

    describe('the API reads JSON only', () => {
      it('PATCH /api/customers/:id with a form body is 415 and changes nothing', async () => {
        expect((await postWebhook(w, inboundParams(w))).status).toBe(200);
        const customer = (await w.agent.api.get('/api/customers')).body.items[0];
        const res = await inject('PATCH', `/api/customers/${customer.id}`, 'name=Mallory', { ...FORM, authorization: `Bearer ${w.agent.token}` });
        expect(res.statusCode).toBe(415);
        expect(res.json().error).toMatchObject({ code: 'unsupported_media_type', message: expect.stringContaining('application/json') });
        expect((await w.agent.api.get(`/api/customers/${customer.id}`)).body.name).toBeNull();
      });
    });

    describe('Twilio webhooks read forms of at most 64 KiB only', () => {
      const post = (path: string, body: string, headers: Record<string, string>) => fetch(w.publicUrl + path, { method: 'POST', body, headers });

      it('a validly signed JSON inbound webhook is 415 and stores nothing', async () => {
        const params = inboundParams(w, { Body: '[object Object]' });
        const signature = twilio.getExpectedTwilioSignature(w.account.authToken, w.publicUrl + WEBHOOK_PATH, params);
        const res = await post(WEBHOOK_PATH, JSON.stringify({ ...params, Body: { nested: true } }), { ...JSON_TYPE, 'x-twilio-signature': signature });
        expect(res.status).toBe(415);
        expect(((await res.json()) as { error: { message: string } }).error.message).toContain('application/x-www-form-urlencoded');
        expect(await countRows(w.server.ctx.db)).toMatchObject({ customers: 0, conversations: 0, messages: 0 });
      });

      for (const path of [WEBHOOK_PATH, '/webhooks/twilio/status']) {
        it(`${path}: JSON or text is 415; past 64 KiB it is 413 whatever the type`, async () => {
          expect((await post(path, JSON.stringify({ AccountSid: w.account.sid }), JSON_TYPE)).status).toBe(415);
          expect((await post(path, `AccountSid=${w.account.sid}`, { 'content-type': 'text/plain' })).status).toBe(415);
          const big = JSON.stringify({ AccountSid: w.account.sid, Body: 'x'.repeat(500 * 1024) });
          expect((await post(path, big, JSON_TYPE)).status).toBe(413);
          expect((await post(path, big, { 'content-type': 'text/plain' })).status).toBe(413);
          expect((await post(path, `Body=${'x'.repeat(65 * 1024)}`, FORM)).status).toBe(413);
          // A form within the limit still reaches the signature check.
          expect((await post(path, `AccountSid=${w.account.sid}`, FORM)).status).toBe(403);
        });
      }
    });

    describe('uploads', () => {
      const upload = (payload: string, contentType = 'multipart/form-data; boundary=XYZ') =>
        inject('POST', '/api/media', payload, { 'content-type': contentType, authorization: `Bearer ${w.agent.token}` });
      const head = '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n';

      it('a multipart upload cut short is a 400 that says so, not a 500', async () => {
        for (const payload of [`${head}\x89PNG half a picture`, `${head.slice(0, 30)}`]) {
          const res = await upload(payload);
          expect(res.statusCode).toBe(400);
          expect(res.json().error).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/multipart.*send the file again/) });
        }
        expect(log.text()).not.toContain('unhandled error');
      });

      it('a multipart body with no boundary is a 400', async () => {
        const res = await upload(`${head}x\r\n--XYZ--\r\n`, 'multipart/form-data');
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe('bad_request');
      });
    });

    describe('health', () => {
      it('a health check the database fails answers 503 and logs why', async () => {
        const { ctx } = w.server;
        const db = ctx.db;
        ctx.db = db.withPlugin({
          transformQuery: () => {
            throw new Error('the database went away (test)');
          },
          transformResult: async (args) => args.result,
        });
        try {
          expect((await w.server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(503);
        } finally {
          ctx.db = db;
        }
        const line = log.text().split('\n').find((l) => l.includes('health check failed'));
        expect(line).toContain('the database went away (test)');
        expect(JSON.parse(line!).level).toBe(50);
      });
    });
  });
}

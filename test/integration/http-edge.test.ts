/**
 * The HTTP edge: which bodies each route reads, where a request must come from, and what a
 * failed health check leaves in the log.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { countRows, inboundParams, postWebhook, WEBHOOK_PATH } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { capturedLog } from '../helpers/twilio-integration.js';
import { createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };

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

  });
}

import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import type { Context } from '../../src/context.js';
import { runCatchup } from '../../src/features/catchup/service.js';
import { mediaDownloadJobHandler } from '../../src/features/media/download.js';
import { MEDIA_DOWNLOAD } from '../../src/features/media/service.js';
import { SEND_JOB, sendJobHandler } from '../../src/features/outbound/send-job.js';
import { newId } from '../../src/ids.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { apiClient, eventually, type Api } from '../helpers/api.js';
import { addSender, HOUR, PNG, postWebhook } from '../helpers/inbound.js';
import { accountRow, senderRow } from '../helpers/seed.js';
import { createPgSchema, ENGINES, startTestServer, type TestServer } from '../helpers/server.js';
import { CUSTOMER_PHONE, createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

/** A clock that runs, set off from the real one: the simulator's dates are real, Parley's may be earlier or later. */
const offsetClock = (offsetMs: () => number): Clock => ({ now: () => Date.now() + offsetMs() });
const noLease = async () => {};
const MINUTE = 60_000;
/** Every job but the scheduled catch-up, for tests that run the catch-up themselves, one run at a time. */
const UNSCHEDULED = { jobs: { kinds: [SEND_JOB, MEDIA_DOWNLOAD], handlers: (ctx: Context) => [sendJobHandler(ctx), mediaDownloadJobHandler(ctx)] } };

const threadOf = async (api: Api, conversationId: string) => {
  const page = await api.get(`/api/conversations/${conversationId}/messages`);
  return page.body.items as any[];
};

for (const engine of ENGINES) {
  describe(`catch-up of what Twilio kept (${engine})`, () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
      cleanups.length = 0;
    });

    async function world(options: Parameters<typeof createTwilioWorld>[1] = {}) {
      const w = await createTwilioWorld(engine, options);
      cleanups.push(() => w.destroy());
      return w;
    }

    const failWebhooks = (w: TwilioWorld, failure: 'refuse' | 'server-error' | 'timeout') =>
      w.sim.setFaults({ failingWebhooks: [{ url: w.publicUrl, failure }] });
    const texts = (sim: Simulator, to: string) => [
      () => sim.phoneSend({ from: CUSTOMER_PHONE, to, body: 'my order has not arrived' }),
      () => sim.phoneSend({ from: CUSTOMER_PHONE, to, body: 'here is the label', media: [{ contentType: 'image/png', data: PNG }] }),
      () => sim.phoneSend({ from: CUSTOMER_PHONE, to, body: 'please call me' }),
    ];
    const BODIES = ['my order has not arrived', 'here is the label', 'please call me'];
    const storedWithSid = async (w: { server: TestServer }, sid: string) =>
      (await w.server.ctx.db.selectFrom('messages').select('id').where('twilioSid', '=', sid).execute()).length;

    it('stores what was texted while the server was down once, in order, with media, threaded by each message’s own time', async () => {
      const sim = await startSimulator();
      cleanups.push(() => sim.stop());
      const schema = engine === 'postgres' ? await createPgSchema() : undefined;
      if (schema) cleanups.push(() => schema.drop());
      // The first server lives 23 hours in the past: the customer's first text is that old when the others are sent.
      const w = await createTwilioWorld(engine, { sim, keepData: true, pgSchema: schema?.name, clock: offsetClock(() => -23 * HOUR) });
      cleanups.push(() => rmSync(w.server.dataDir, { recursive: true, force: true }));
      expect((await sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'hello?' })).webhookStatus).toBe(200);
      await w.server.close();

      const sent = [];
      for (const text of texts(sim, w.sender.phoneNumber)) sent.push(await text());
      expect(sent.map((s) => s.webhookStatus)).toEqual([0, 0, 0]);

      // Back two hours after the texts: by the time it learns of them the first text is 25 hours old,
      // but by their own times they came 23 hours after it, so they belong to its conversation.
      const server = await startTestServer(engine, {
        dataDir: w.server.dataDir,
        keepData: true,
        pgSchema: schema?.name,
        env: { PUBLIC_URL: w.publicUrl, TWILIO_API_URL: sim.url, TWILIO_MESSAGING_API_URL: sim.url },
        clock: offsetClock(() => 2 * HOUR),
      });
      cleanups.unshift(() => server.destroy());
      server.runner!.start();
      const agent = apiClient(server.app, w.agent.token);

      const inbox = await eventually(async () => {
        const res = await agent.get('/api/conversations');
        return res.body.items.length === 1 && res.body.items[0].preview === 'please call me' && res.body;
      }, { what: 'the caught-up messages in the inbox' });
      const thread = await eventually(async () => {
        const messages = await threadOf(agent, inbox.items[0].id);
        return messages.length === 4 && messages[2].media[0]?.status === 'ready' && messages;
      }, { what: 'the picture downloaded' });

      expect(thread.map((m) => m.body)).toEqual(['hello?', ...BODIES]);
      const atTwilio = sent.map((s) => sim.messages().find((m) => m.sid === s.messageSid)!);
      expect(thread.slice(1).map((m) => m.twilioSid)).toEqual(atTwilio.map((m) => m.sid));
      // Each keeps Twilio's time (whole seconds), not the time it was caught up.
      thread.slice(1).forEach((m, i) => expect(Math.floor(Date.parse(m.createdAt) / 1000)).toBe(Math.floor(atTwilio[i]!.dateCreated.getTime() / 1000)));
      expect(inbox.items[0].lastMessageAt).toBe(thread[3].createdAt);
      expect(inbox.items[0].unread).toBe(true);
      const picture = await server.app.inject({ method: 'GET', url: thread[2].media[0].url, headers: { authorization: `Bearer ${w.agent.token}` } });
      expect(picture.rawPayload.equals(PNG)).toBe(true);

      // Running again finds them stored: nothing twice.
      await runCatchup(server.ctx, noLease);
      for (const s of sent) expect(await storedWithSid({ server }, s.messageSid)).toBe(1);
    });

    it('catches up messages whose webhook answered 500, on the next run of the schedule', async () => {
      const w = await world({ env: { CATCHUP_SECONDS: '0.2' } });
      failWebhooks(w, 'server-error');
      const sent = [];
      for (const text of texts(w.sim, w.sender.phoneNumber)) sent.push(await text());
      expect(sent.map((s) => s.webhookStatus)).toEqual([500, 500, 500]);

      const inbox = await eventually(async () => {
        const res = await w.agent.api.get('/api/conversations');
        return res.body.items.length === 1 && res.body.items[0].preview === 'please call me' && res.body;
      }, { what: 'the messages caught up' });
      const thread = await eventually(async () => {
        const messages = await threadOf(w.agent.api, inbox.items[0].id);
        return messages[1]?.media[0]?.status === 'ready' && messages;
      }, { what: 'the picture downloaded' });
      expect(thread.map((m) => m.body)).toEqual(BODIES);
      expect(thread.map((m) => m.twilioSid)).toEqual(sent.map((s) => s.messageSid));

      // The run records itself after it has also refreshed statuses, which can end after the picture is in.
      const catchup = await eventually(async () => {
        const view = await w.admin.api.get('/api/integrations/twilio');
        return view.body.senders[0].catchup.lastAt !== null && view.body.senders[0].catchup;
      }, { what: 'the catch-up run recorded' });
      expect(catchup).toMatchObject({ error: null, errorAt: null });
    });

    it('stores a message once when its late webhook and the catch-up race, and the webhook still answers 200', async () => {
      const w = await world(UNSCHEDULED);
      failWebhooks(w, 'timeout');
      const sent = await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'are you there?' });
      const delivery = w.sim.webhooks().find((h) => h.messageSid === sent.messageSid)!;
      w.sim.resetFaults();

      // Twilio's retry (the same signed parameters) and a catch-up at the same moment.
      const [answer] = await Promise.all([postWebhook(w, delivery.params), runCatchup(w.server.ctx, noLease)]);
      expect(answer.status).toBe(200);
      expect(await storedWithSid(w, sent.messageSid)).toBe(1);
      expect((await postWebhook(w, delivery.params)).status).toBe(200);
      await runCatchup(w.server.ctx, noLease);
      expect(await storedWithSid(w, sent.messageSid)).toBe(1);
      const inbox = await w.agent.api.get('/api/conversations');
      expect(inbox.body.items).toHaveLength(1);
    });

    it('recovers a lost status callback to delivered once the message has waited STATUS_REFRESH_SECONDS', async () => {
      let offset = 0;
      const w = await world({ ...UNSCHEDULED, clock: offsetClock(() => offset) });
      expect((await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'hi' })).webhookStatus).toBe(200);
      w.sim.setFaults({ dropStatusCallbacks: true });
      const conversation = (await w.agent.api.get('/api/conversations')).body.items[0];
      const reply = await w.agent.api.post(`/api/conversations/${conversation.id}/messages`, { body: 'On its way' });
      expect(reply.status).toBe(202);
      const status = async () => (await threadOf(w.agent.api, conversation.id)).find((m) => m.id === reply.body.id)!.status;
      await eventually(async () => (await status()) === 'queued', { what: 'Twilio to accept the reply' });
      await eventually(() => w.sim.messages().some((m) => m.body === 'On its way' && m.status === 'delivered'), { what: 'the simulator to deliver' });

      await runCatchup(w.server.ctx, noLease);
      expect(await status()).toBe('queued');

      offset = 11 * MINUTE;
      const [result] = await runCatchup(w.server.ctx, noLease);
      expect(result).toMatchObject({ statuses: 1, error: null });
      expect(await status()).toBe('delivered');
      const view = await w.admin.api.get('/api/integrations/twilio');
      expect(view.body.senders[0].catchup).toMatchObject({ statuses: 1, messages: 0, error: null });
    });

    it('follows Twilio’s paging past its largest page', async () => {
      const w = await world(UNSCHEDULED);
      failWebhooks(w, 'refuse');
      const phones = ['+14155550101', '+14155550102', '+14155550103'];
      const total = 1_005;
      for (let i = 0; i < total; i++) await w.sim.phoneSend({ from: phones[i % 3]!, to: w.sender.phoneNumber, body: `message ${i}` });

      const [result] = await runCatchup(w.server.ctx, noLease);
      expect(result).toMatchObject({ listed: total, stored: total, error: null });
      // The run is counted in /metrics with what it stored.
      const metrics = await w.server.ctx.metrics.registry.metrics();
      expect(metrics).toContain('parley_catchup_runs_total{outcome="ok"} 1\n');
      expect(metrics).toContain(`parley_catchup_found_total{kind="inbound_stored"} ${total}\n`);
      const count = await w.server.ctx.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(total);
      const inbox = await w.agent.api.get('/api/conversations');
      expect(inbox.body.items.map((c: any) => c.customer.phone).sort()).toEqual(phones);
      // The newest text of each customer is its conversation's last word.
      expect(inbox.body.items.find((c: any) => c.customer.phone === phones[0]).preview).toBe('message 1002');
    }, 120_000);

    it('ends at once when its process is stopping, recording nothing, so the next run covers the same span', async () => {
      const w = await world(UNSCHEDULED);
      failWebhooks(w, 'refuse');
      const sent = await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'during shutdown' });
      const stopping = new AbortController();
      stopping.abort();
      expect(await runCatchup(w.server.ctx, noLease, stopping.signal)).toEqual([]);
      expect(await storedWithSid(w, sent.messageSid)).toBe(0);
      expect((await w.admin.api.get('/api/integrations/twilio')).body.senders[0].catchup).toMatchObject({ lastAt: null, error: null });
      await runCatchup(w.server.ctx, noLease);
      expect(await storedWithSid(w, sent.messageSid)).toBe(1);
    });

    it('leaves what a number received before it became a sender, though Twilio lists its whole day', async () => {
      // Parley's clock runs 30 minutes ahead: the sender is added well after the text, beyond the overlap.
      const w = await world({ ...UNSCHEDULED, clock: offsetClock(() => 30 * MINUTE) });
      const number = '+14155550177';
      w.sim.addIncomingNumber(w.account.sid, number);
      const before = await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: number, body: 'sent before Parley knew this number' });
      const added = await w.admin.api.post('/api/integrations/twilio/senders', { type: 'phone_number', phoneNumber: number });
      expect(added.status).toBe(201);

      const results = await runCatchup(w.server.ctx, noLease);
      expect(results.find((r) => r.senderId === added.body.id)).toMatchObject({ stored: 0, error: null });
      expect(await storedWithSid(w, before.messageSid)).toBe(0);
    });

    it('lists a Messaging Service through each number of its pool, and a short code by its code', async () => {
      const w = await world(UNSCHEDULED);
      const pool = ['+14155550150', '+14155550151'];
      const service = w.sim.addMessagingService(w.account.sid, { phoneNumbers: pool, inboundRequestUrl: `${w.publicUrl}/webhooks/twilio/messages`, useInboundWebhookOnNumber: false });
      const serviceSender = await addSender(w, { type: 'messaging_service', phoneNumber: null, messagingServiceSid: service.sid, address: service.sid });
      w.sim.addShortCode(w.account.sid, '72399');
      const shortCodeSender = await addSender(w, { type: 'short_code', phoneNumber: null, shortCode: '72399', address: '72399' });
      failWebhooks(w, 'refuse');
      await w.sim.phoneSend({ from: '+14155550101', to: pool[0]!, body: 'to the first pool number' });
      await w.sim.phoneSend({ from: '+14155550102', to: pool[1]!, body: 'to the second pool number' });
      await w.sim.phoneSend({ from: '+14155550103', to: '72399', body: 'to the short code' });

      const results = await runCatchup(w.server.ctx, noLease);
      expect(results.find((r) => r.senderId === serviceSender)).toMatchObject({ listed: 2, stored: 2, error: null });
      expect(results.find((r) => r.senderId === shortCodeSender)).toMatchObject({ listed: 1, stored: 1, error: null });
      const inbox = (await w.agent.api.get('/api/conversations')).body.items as any[];
      expect(inbox.map((c) => [c.senderId, c.preview]).sort()).toEqual(
        [
          [serviceSender, 'to the first pool number'],
          [serviceSender, 'to the second pool number'],
          [shortCodeSender, 'to the short code'],
        ].sort(),
      );
    });

    it('keeps its place when Twilio answers 20003, goes on with other accounts, and catches up once the token is replaced', async () => {
      const a = await world({ ...UNSCHEDULED, env: { ALLOW_SIGNUP: 'true' } });
      // A second organization on the same server, with an account of its own.
      const signup = await a.anonymous.post('/api/signup', { orgName: 'Other Desk', name: 'Bea', email: 'bea@other.test', password: 'correct horse battery' });
      expect(signup.status).toBe(201);
      const b = a.sim.createAccount();
      const bNumber = '+14155550111';
      const bNumberSid = a.sim.addIncomingNumber(b.sid, bNumber, { smsUrl: `${a.publicUrl}/webhooks/twilio/messages` }).sid;
      const bAccountId = newId();
      await a.server.ctx.db.insertInto('twilioAccounts').values(accountRow(a.server.ctx.keyring, { id: bAccountId, organizationId: signup.body.organization.id, accountSid: b.sid, authToken: b.authToken })).execute();
      await a.server.ctx.db.insertInto('senders').values(senderRow({ organizationId: signup.body.organization.id, twilioAccountId: bAccountId, address: bNumber, twilioSid: bNumberSid })).execute();
      const bApi = apiClient(a.server.app, signup.body.token);

      await runCatchup(a.server.ctx, noLease);
      const placeBefore = (await a.admin.api.get('/api/integrations/twilio')).body.senders[0].catchup.lastAt;
      failWebhooks(a, 'refuse');
      const rotated = 'f'.repeat(32);
      a.sim.setAuthToken(a.account.sid, rotated);
      const lost = await a.sim.phoneSend({ from: CUSTOMER_PHONE, to: a.sender.phoneNumber, body: 'for A' });
      await a.sim.phoneSend({ from: CUSTOMER_PHONE, to: bNumber, body: 'for B' });

      const failed = await runCatchup(a.server.ctx, noLease);
      expect(failed.find((r) => r.senderId === a.sender.id)).toMatchObject({ stored: 0, error: expect.stringContaining('20003') });
      expect(failed.find((r) => r.address === bNumber)).toMatchObject({ stored: 1, error: null });
      expect((await bApi.get('/api/conversations')).body.items.map((c: any) => c.preview)).toEqual(['for B']);
      const view = (await a.admin.api.get('/api/integrations/twilio')).body;
      expect(view.paused).toBe(false);
      expect(view.senders[0].catchup).toMatchObject({ lastAt: placeBefore, error: expect.stringContaining('Auth Token'), errorAt: expect.any(String) });
      expect(await storedWithSid(a, lost.messageSid)).toBe(0);

      expect((await a.admin.api.put('/api/integrations/twilio', { accountSid: a.account.sid, authToken: rotated })).status).toBe(200);
      const recovered = await runCatchup(a.server.ctx, noLease);
      expect(recovered.find((r) => r.senderId === a.sender.id)).toMatchObject({ stored: 1, error: null });
      expect(await storedWithSid(a, lost.messageSid)).toBe(1);
      expect((await a.admin.api.get('/api/integrations/twilio')).body.senders[0].catchup).toMatchObject({ messages: 1, error: null, errorAt: null });
    });
  });
}

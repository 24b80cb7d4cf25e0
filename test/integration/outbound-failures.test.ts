import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/api.js';
import { attemptsOf, messageRow, recordEvents, sentTo } from '../helpers/outbound.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, CUSTOMER_PHONE, freePort, SUPPORT_NUMBER, type TwilioWorld } from '../helpers/twilio-world.js';

const settled = async (world: TwilioWorld, id: string, status: string) => {
  await eventually(async () => (await messageRow(world, id)).status === status, { what: `message ${status}`, timeoutMs: 15_000 });
  return messageRow(world, id);
};

for (const engine of ENGINES) {
  describe(`when Twilio or the carrier says no (${engine})`, () => {
    let world: TwilioWorld;
    afterEach(() => world?.destroy());
    const text = async (body: string, phone = CUSTOMER_PHONE) =>
      (await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone, body })).body.message as { id: string };

    it('a number the carrier cannot reach shows failed or undelivered, with the code and a plain reason', async () => {
      world = await createTwilioWorld(engine);
      world.sim.setFaults({ failedNumbers: ['+14155550191'], undeliveredNumbers: ['+14155550192'], filteredNumbers: ['+14155550193'] });
      const landline = await text('To a landline', '+14155550191');
      const off = await text('To a phone that is off', '+14155550192');
      const spam = await text('Looks like spam', '+14155550193');
      expect(await settled(world, landline.id, 'failed')).toMatchObject({ errorCode: 30006, errorMessage: expect.stringMatching(/landline/) });
      expect(await settled(world, off.id, 'undelivered')).toMatchObject({ errorCode: 30003, errorMessage: expect.stringMatching(/unreachable/) });
      expect(await settled(world, spam.id, 'failed')).toMatchObject({ errorCode: 30007, errorMessage: expect.stringMatching(/filtered/) });
      // A late `sent` callback never undoes a final status; undelivered went through sent first.
      expect((await attemptsOf(world, off.id)).map((a) => a.state)).toEqual(['accepted']);
    });

    it('21610 at Twilio: failed at once, and the customer is marked opted out of that sender', async () => {
      world = await createTwilioWorld(engine);
      const events = recordEvents(world);
      // The phone texts STOP, and Parley somehow missed it: only Twilio knows.
      await world.sim.phoneSend({ from: CUSTOMER_PHONE, to: SUPPORT_NUMBER, body: 'STOP' });
      await world.server.ctx.db.deleteFrom('optOuts').execute();
      const message = await text('Are you still there?');
      const row = await settled(world, message.id, 'failed');
      expect(row).toMatchObject({ errorCode: 21610, errorMessage: expect.stringMatching(/unsubscribed.*START/) });
      expect(sentTo(world.sim, CUSTOMER_PHONE)).toHaveLength(0);
      const optOuts = await world.server.ctx.db.selectFrom('optOuts').selectAll().execute();
      expect(optOuts).toMatchObject([{ senderId: world.sender.id }]);
      const updated = await eventually(() => events.find((e) => e.type === 'customer.updated'), { what: 'customer.updated' });
      expect(updated.data).toMatchObject({ phone: CUSTOMER_PHONE, smsOptOut: true, optOuts: [{ senderId: world.sender.id }] });
      expect((await attemptsOf(world, message.id)).map((a) => a.state)).toEqual(['failed']);
    });

    it('20003 pauses the account without failing anything; replacing the token resumes sending', async () => {
      world = await createTwilioWorld(engine);
      world.sim.setAuthToken(world.account.sid, 'rotated-in-the-console-0000000000');
      const message = await text('Sent while the token is stale');
      await eventually(async () => (await world.server.ctx.db.selectFrom('twilioAccounts').select('pausedAt').executeTakeFirstOrThrow()).pausedAt !== null, {
        what: 'the account to pause',
      });
      const integration = await world.admin.api.get('/api/integrations/twilio');
      expect(integration.body).toMatchObject({ connected: true, paused: true });
      const paused = await messageRow(world, message.id);
      expect(paused).toMatchObject({ status: 'pending', errorCode: null });
      // The pause commits before the runner hands the job back, so wait for the job to be waiting again.
      const job = await eventually(
        async () => {
          const row = await world.server.ctx.db.selectFrom('jobs').selectAll().where('kind', '=', 'message.send').executeTakeFirstOrThrow();
          return row.lockedBy === null ? row : undefined;
        },
        { what: 'the send job to be handed back' },
      );
      expect(job).toMatchObject({ kind: 'message.send', status: 'pending', attempts: 0 });

      const replaced = await world.admin.api.put('/api/integrations/twilio', { accountSid: world.account.sid, authToken: 'rotated-in-the-console-0000000000' });
      expect(replaced.status).toBe(200);
      expect(replaced.body.paused).toBe(false);
      // Waiting sends are due again at once, not at their next 30-second look.
      const due = await world.server.ctx.db.selectFrom('jobs').select('runAt').where('kind', '=', 'message.send').execute();
      for (const j of due) expect(j.runAt).toBeLessThanOrEqual(Date.now());
      await settled(world, message.id, 'delivered');
      expect(sentTo(world.sim, CUSTOMER_PHONE)).toHaveLength(1);
    });

    it('20429 (too many requests) is retried after a backoff and goes out once', async () => {
      world = await createTwilioWorld(engine);
      world.sim.setFaults({ nextCreateFaults: ['rate-limit'] });
      const message = await text('Busy Twilio');
      await settled(world, message.id, 'delivered');
      expect(sentTo(world.sim, CUSTOMER_PHONE)).toHaveLength(1);
      expect((await attemptsOf(world, message.id)).map((a) => a.state)).toEqual(['failed', 'accepted']);
    });

    it("sends beyond the account's concurrent-request limit at Twilio (20429) are retried, and each goes out once", async () => {
      // Eight sends at once against a limit of three: WORKER_CONCURRENCY lets the worker run them side by side.
      world = await createTwilioWorld(engine, { env: { WORKER_CONCURRENCY: '8' } });
      await world.server.ctx.db.updateTable('senders').set({ ratePerSecond: 100 }).where('id', '=', world.sender.id).execute();
      world.sim.setFaults({ concurrentRequests: 3, responseMs: 300 });
      const phones = Array.from({ length: 8 }, (_, i) => `+1415555017${i}`);
      const messages = [];
      for (const phone of phones) messages.push(await text(`Your order ${phone} shipped`, phone));
      for (const message of messages) await settled(world, message.id, 'delivered');
      for (const phone of phones) expect(sentTo(world.sim, phone)).toHaveLength(1);
      const states = (await Promise.all(messages.map((m) => attemptsOf(world, m.id)))).flat().map((a) => a.state);
      expect(states.filter((s) => s === 'accepted')).toHaveLength(8);
      // Some were refused, so more than three were in flight: the setting, not the default of one at a time.
      expect(states.filter((s) => s === 'failed').length).toBeGreaterThan(0);
    });

    it("21611 (the sender's queue at Twilio is full) is retried after a backoff, never failed at once, and goes out once", async () => {
      world = await createTwilioWorld(engine);
      world.sim.setFaults({ nextCreateFaults: ['queue-full'] });
      const message = await text('Sent while the queue is full');
      await settled(world, message.id, 'delivered');
      expect(sentTo(world.sim, CUSTOMER_PHONE)).toHaveLength(1);
      expect((await attemptsOf(world, message.id)).map((a) => a.state)).toEqual(['failed', 'accepted']);
    });

    it('a refused connection is retried after a backoff and goes out once', async () => {
      world = await createTwilioWorld(engine);
      const config = world.server.ctx.config;
      const real = config.twilioApiUrl;
      config.twilioApiUrl = `http://127.0.0.1:${await freePort()}`;
      const message = await text('Twilio is unreachable for a moment');
      await eventually(async () => (await attemptsOf(world, message.id)).some((a) => a.state === 'failed'), { what: 'a refused attempt' });
      expect((await messageRow(world, message.id)).status).toBe('pending');
      config.twilioApiUrl = real;
      await settled(world, message.id, 'delivered');
      expect(sentTo(world.sim, CUSTOMER_PHONE)).toHaveLength(1);
      expect((await attemptsOf(world, message.id)).map((a) => a.state)).toEqual(['failed', 'accepted']);
    });

    it('a 5xx leaves the outcome unknown; the recheck finds nothing at Twilio and sends again, once', async () => {
      world = await createTwilioWorld(engine, { env: { SEND_RECHECK_SECONDS: '1' } });
      world.sim.setFaults({ nextCreateFaults: ['server-error'] });
      const message = await text('After a 500');
      await settled(world, message.id, 'delivered');
      expect(sentTo(world.sim, CUSTOMER_PHONE)).toHaveLength(1);
      expect((await attemptsOf(world, message.id)).map((a) => a.state)).toEqual(['superseded', 'accepted']);
    });
  });
}

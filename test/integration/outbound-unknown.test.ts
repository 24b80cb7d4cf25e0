import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/api.js';
import { attemptsOf, messageRow, sentTo } from '../helpers/outbound.js';
import { ENGINES } from '../helpers/server.js';
import { clientFor } from '../../src/features/twilio/accounts.js';
import { createTwilioWorld, CUSTOMER_PHONE, SUPPORT_NUMBER, type TwilioWorld } from '../helpers/twilio-world.js';

/*
 * docs/rules.md#failures-and-unknown-outcomes: an attempt whose outcome is unknown is never sent again before it is checked. The
 * accept-then-timeout cases give the twilio client 2 seconds (TWILIO_TIMEOUT_SECONDS) instead of 15.
 */
const CLIENT_TIMEOUT_CASE_MS = 30_000;

for (const engine of ENGINES) {
  describe(`sends with an unknown outcome (${engine})`, () => {
    let world: TwilioWorld;
    afterEach(() => world?.destroy());
    const text = async (body: string) => (await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone: CUSTOMER_PHONE, body })).body.message as { id: string };
    const jobsLeft = async () => Number((await world.server.ctx.db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).where('kind', '=', 'message.send').executeTakeFirstOrThrow()).n);

    it(
      'Twilio accepts, then the call times out, and no callback comes: the recheck finds it and adopts its SID — one message at the phone',
      async () => {
        world = await createTwilioWorld(engine, { env: { SEND_RECHECK_SECONDS: '1', TWILIO_TIMEOUT_SECONDS: '2' } });
        world.sim.setFaults({ nextCreateFaults: ['accept-then-timeout'], hangMs: 60_000, dropStatusCallbacks: true });
        const message = await text('Did this go out?');
        await eventually(async () => (await messageRow(world, message.id)).twilioSid !== null, { what: 'the SID to be adopted', timeoutMs: 30_000 });
        await eventually(async () => (await jobsLeft()) === 0, { what: 'the send job to finish' });
        const sent = sentTo(world.sim, CUSTOMER_PHONE);
        expect(sent).toHaveLength(1);
        expect(await messageRow(world, message.id)).toMatchObject({ twilioSid: sent[0]!.sid, status: 'delivered' });
        expect(await attemptsOf(world, message.id)).toMatchObject([{ state: 'accepted', twilioSid: sent[0]!.sid }]);
      },
      CLIENT_TIMEOUT_CASE_MS,
    );

    it(
      "Twilio accepts, then the call times out, but its status callback names the attempt: that settles it — one message",
      async () => {
        world = await createTwilioWorld(engine, { env: { SEND_RECHECK_SECONDS: '1', TWILIO_TIMEOUT_SECONDS: '2' } });
        world.sim.setFaults({ nextCreateFaults: ['accept-then-timeout'], hangMs: 60_000 });
        const message = await text('Callback first');
        await eventually(async () => (await messageRow(world, message.id)).status === 'delivered', { what: 'delivered through callbacks' });
        // The hung call still times out later; the attempt is settled, so nothing is checked or sent again.
        await eventually(async () => (await jobsLeft()) === 0, { what: 'the send job to finish', timeoutMs: 30_000 });
        const sent = sentTo(world.sim, CUSTOMER_PHONE);
        expect(sent).toHaveLength(1);
        expect(await attemptsOf(world, message.id)).toMatchObject([{ state: 'accepted', twilioSid: sent[0]!.sid }]);
      },
      CLIENT_TIMEOUT_CASE_MS,
    );

    it(
      'retrying a failed message whose last attempt never got an answer checks Twilio first — one message at the phone',
      async () => {
        world = await createTwilioWorld(engine, { env: { SEND_RECHECK_SECONDS: '1', TWILIO_TIMEOUT_SECONDS: '2' } });
        world.sim.setFaults({ nextCreateFaults: ['accept-then-timeout'], hangMs: 60_000, dropStatusCallbacks: true });
        const message = await text('Retried while unconfirmed');
        await eventually(() => sentTo(world.sim, CUSTOMER_PHONE).length === 1, { what: 'Twilio to have the message' });
        // The message ends failed while its attempt is still unconfirmed (as when its job gives up).
        const db = world.server.ctx.db;
        await db.deleteFrom('jobs').execute();
        await db.updateTable('messages').set({ status: 'failed', errorMessage: 'gave up' }).where('id', '=', message.id).execute();

        expect((await world.agent.api.post(`/api/messages/${message.id}/retry`)).status).toBe(202);
        await eventually(async () => (await messageRow(world, message.id)).twilioSid !== null, { what: 'the SID to be adopted', timeoutMs: 30_000 });
        const sent = sentTo(world.sim, CUSTOMER_PHONE);
        expect(sent).toHaveLength(1);
        expect(await messageRow(world, message.id)).toMatchObject({ twilioSid: sent[0]!.sid });
        expect(await attemptsOf(world, message.id)).toMatchObject([{ state: 'accepted', twilioSid: sent[0]!.sid }]);
      },
      CLIENT_TIMEOUT_CASE_MS,
    );

    it('a status callback that names an attempt left unknown by a 5xx settles it, so the recheck sends nothing', async () => {
      world = await createTwilioWorld(engine, { env: { SEND_RECHECK_SECONDS: '2' } });
      world.sim.setFaults({ nextCreateFaults: ['server-error'] });
      const message = await text('Twilio answered 500 but had it');
      const [attempt] = await eventually(async () => {
        const attempts = await attemptsOf(world, message.id);
        return attempts[0]?.state === 'unknown' && attempts;
      }, { what: 'an unknown attempt' });
      // What Twilio would send if it had created the message despite its 500.
      const sid = 'SM' + 'ab'.repeat(16);
      const url = `${world.publicUrl}/webhooks/twilio/status?attempt=${attempt!.id}`;
      const params = { AccountSid: world.account.sid, MessageSid: sid, MessageStatus: 'sent', To: CUSTOMER_PHONE, From: SUPPORT_NUMBER };
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(world.account.authToken, url, params) },
        body: new URLSearchParams(params),
      });
      expect(res.status).toBe(200);
      expect(await messageRow(world, message.id)).toMatchObject({ status: 'sent', twilioSid: sid });
      await eventually(async () => (await jobsLeft()) === 0, { what: 'the send job to finish' });
      expect(sentTo(world.sim, CUSTOMER_PHONE)).toHaveLength(0);
      expect(await attemptsOf(world, message.id)).toMatchObject([{ state: 'accepted', twilioSid: sid }]);
    });

    describe('when Twilio rewrote what it kept (docs/twilio.md)', () => {
      /**
       * Parley's create answers 500 and leaves the attempt unknown; meanwhile Twilio has `count`
       * messages from the support number to the customer, as if the create had gone through. The
       * recheck then finds them only by sender, number (or its redacted form) and time.
       */
      async function unknownSendWithMessagesAtTwilio(bodies: string[], body = 'Your order has shipped') {
        world.sim.setFaults({ nextCreateFaults: ['server-error'] });
        const message = await text(body);
        await eventually(async () => (await attemptsOf(world, message.id))[0]?.state === 'unknown', { what: 'an unknown attempt' });
        const client = clientFor(world.server.ctx, { accountSid: world.account.sid, authToken: world.account.authToken });
        for (const b of bodies) await client.messages.create({ to: CUSTOMER_PHONE, from: SUPPORT_NUMBER, body: b });
        return message;
      }

      it('with Message Redaction on, the one message from that sender to the redacted number is taken as this send — not sent twice', async () => {
        world = await createTwilioWorld(engine, { env: { SEND_RECHECK_SECONDS: '3' } });
        world.sim.updateAccount(world.account.sid, { redaction: { body: true, phoneNumbers: true } });
        const message = await unknownSendWithMessagesAtTwilio(['Your order has shipped']);
        await eventually(async () => (await jobsLeft()) === 0, { what: 'the send job to finish', timeoutMs: 20_000 });
        const sent = sentTo(world.sim, CUSTOMER_PHONE);
        expect(sent).toHaveLength(1);
        expect(await messageRow(world, message.id)).toMatchObject({ twilioSid: sent[0]!.sid });
        expect(await attemptsOf(world, message.id)).toMatchObject([{ state: 'accepted', twilioSid: sent[0]!.sid }]);
      });

      it('with Smart Encoding rewriting the body, the one message in the attempt\'s minute is taken as this send', async () => {
        world = await createTwilioWorld(engine, { env: { SEND_RECHECK_SECONDS: '3' } });
        const message = await unknownSendWithMessagesAtTwilio(["Don't worry"], 'Don\u2019t worry');
        await eventually(async () => (await jobsLeft()) === 0, { what: 'the send job to finish', timeoutMs: 20_000 });
        const sent = sentTo(world.sim, CUSTOMER_PHONE);
        expect(sent).toHaveLength(1);
        expect(await messageRow(world, message.id)).toMatchObject({ twilioSid: sent[0]!.sid });
      });

      it('two candidates: the message fails for an agent to check, and nothing is sent again', async () => {
        world = await createTwilioWorld(engine, { env: { SEND_RECHECK_SECONDS: '3' } });
        world.sim.updateAccount(world.account.sid, { redaction: { body: true, phoneNumbers: true } });
        const message = await unknownSendWithMessagesAtTwilio(['Your order has shipped', 'Your order has shipped']);
        await eventually(async () => (await messageRow(world, message.id)).status === 'failed', { what: 'the message to fail', timeoutMs: 20_000 });
        await eventually(async () => (await jobsLeft()) === 0, { what: 'the send job to finish' });
        expect(await messageRow(world, message.id)).toMatchObject({ errorCode: null, errorMessage: 'Twilio may have sent this: check before retrying', twilioSid: null });
        expect(sentTo(world.sim, CUSTOMER_PHONE)).toHaveLength(2);
        expect(await attemptsOf(world, message.id)).toMatchObject([{ state: 'failed' }]);

        // The agent checked and retries: that sends afresh.
        expect((await world.agent.api.post(`/api/messages/${message.id}/retry`)).status).toBe(202);
        await eventually(async () => (await messageRow(world, message.id)).status === 'delivered', { what: 'the retried message to be delivered' });
        expect(sentTo(world.sim, CUSTOMER_PHONE)).toHaveLength(3);
      });
    });
  });
}

import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { receiveStatusCallback } from '../../src/features/outbound/status.js';
import { newId } from '../../src/ids.js';
import { eventually } from '../helpers/api.js';
import { attemptsOf, messageRow, multipartBody, PNG, recordEvents, rowCounts, sentTo, statusesSeen } from '../helpers/outbound.js';
import { ENGINES } from '../helpers/server.js';
import { recordStatements } from '../helpers/statements.js';
import { createTwilioWorld, CUSTOMER_PHONE, SUPPORT_NUMBER, type TwilioWorld } from '../helpers/twilio-world.js';

for (const engine of ENGINES) {
  describe(`delivery status callbacks and retries (${engine})`, () => {
    let world: TwilioWorld;
    afterEach(() => world?.destroy());
    const text = async (body: string, phone = CUSTOMER_PHONE) =>
      (await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone, body })).body.message as { id: string };
    const settled = (id: string, status: string) =>
      eventually(async () => (await messageRow(world, id)).status === status, { what: `message ${status}`, timeoutMs: 15_000 });

    /** POSTs a status callback as Twilio would, signed with `authToken`. */
    async function callback(query: string, params: Record<string, string>, authToken = world.account.authToken) {
      const url = `${world.publicUrl}/webhooks/twilio/status${query}`;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, url, params) },
        body: new URLSearchParams(params),
      });
      return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
    }

    it('applies statuses forward only: a final status that arrives before `sent` wins', async () => {
      world = await createTwilioWorld(engine);
      world.sim.setFaults({ callbackOrder: 'reversed', callbackDelayMs: 200 });
      const events = recordEvents(world);
      const message = await text('Out of order');
      await eventually(() => world.sim.webhooks({ kind: 'status-callback' }).length === 2, { what: 'both callbacks' });
      expect(world.sim.webhooks({ kind: 'status-callback' }).map((w) => [w.params.MessageStatus, w.status])).toEqual([
        ['delivered', 200],
        ['sent', 200],
      ]);
      expect((await messageRow(world, message.id)).status).toBe('delivered');
      await eventually(() => statusesSeen(events, message.id).includes('delivered'), { what: 'the delivered event' });
      expect(statusesSeen(events, message.id)).toEqual(['pending', 'queued', 'delivered']);
    });

    it('refuses forged callbacks and callbacks of unknown accounts with 403, changing nothing', async () => {
      world = await createTwilioWorld(engine);
      const message = await text('Real one');
      await settled(message.id, 'delivered');
      const [attempt] = await attemptsOf(world, message.id);
      const params = { AccountSid: world.account.sid, MessageSid: attempt!.twilioSid!, MessageStatus: 'failed', ErrorCode: '30008' };
      expect((await callback(`?attempt=${attempt!.id}`, params, 'not-the-auth-token')).status).toBe(403);
      const stranger = world.sim.createAccount();
      expect((await callback(`?attempt=${attempt!.id}`, { ...params, AccountSid: stranger.sid }, stranger.authToken)).status).toBe(403);
      expect((await messageRow(world, message.id)).status).toBe('delivered');
    });

    it('applies callbacks arriving together, each for its own message; a forged one among them is refused alone', async () => {
      world = await createTwilioWorld(engine);
      world.sim.setFaults({ dropStatusCallbacks: true });
      const events = recordEvents(world);
      const phones = Array.from({ length: 6 }, (_, i) => `+1212${2_000_000 + i}`);
      const messages = await Promise.all(phones.map((phone, i) => text(`Together ${i}`, phone)));
      for (const m of messages) await settled(m.id, 'queued');
      const named = await Promise.all(messages.map(async (m) => (await attemptsOf(world, m.id))[0]!));
      const params = (i: number, MessageStatus: string) => ({ AccountSid: world.account.sid, MessageSid: named[i]!.twilioSid!, MessageStatus });
      const answers = await Promise.all([
        ...named.map((a, i) => callback(`?attempt=${a.id}`, params(i, 'delivered'))),
        callback(`?attempt=${named[0]!.id}`, params(0, 'failed'), 'not-the-auth-token'),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 403]);
      for (const m of messages) expect(await messageRow(world, m.id)).toMatchObject({ status: 'delivered', errorCode: null });
      await eventually(() => messages.every((m) => statusesSeen(events, m.id).includes('delivered')), { what: 'every delivered event' });
    });

    it('applies a batch of callbacks as each alone would: two for one message, a wrong SID, an unknown attempt, a forged one', async () => {
      world = await createTwilioWorld(engine);
      world.sim.setFaults({ dropStatusCallbacks: true });
      const messages = await Promise.all([0, 1, 2, 3].map((i) => text(`Batch ${i}`, `+1212${2_000_100 + i}`)));
      for (const m of messages) await settled(m.id, 'queued');
      const [a0, a1, a2, a3] = await Promise.all(messages.map(async (m) => (await attemptsOf(world, m.id))[0]!));
      const { ctx } = world.server;
      const receive = (attemptId: string, params: Record<string, string>, authToken = world.account.authToken) => {
        const path = `/webhooks/twilio/status?attempt=${attemptId}`;
        const full = { AccountSid: world.account.sid, ...params };
        const signature = twilio.getExpectedTwilioSignature(authToken, ctx.config.publicUrl + path, full);
        return receiveStatusCallback(ctx, { path, signature, params: full }, attemptId).then(
          () => 'applied',
          (err: Error) => err.message,
        );
      };
      // Called in one turn of the event loop, so they share one group-committed batch.
      const answers = await Promise.all([
        receive(a0!.id, { MessageSid: a0!.twilioSid!, MessageStatus: 'sent' }),
        receive(a0!.id, { MessageSid: a0!.twilioSid!, MessageStatus: 'undelivered', ErrorCode: '30003' }),
        receive(a1!.id, { MessageSid: a1!.twilioSid!, MessageStatus: 'delivered' }),
        receive(a2!.id, { MessageSid: 'SM' + '2'.repeat(32), MessageStatus: 'failed' }),
        receive(a3!.id, { MessageSid: a3!.twilioSid!, MessageStatus: 'failed' }, 'not-the-auth-token'),
        receive(newId(), { MessageSid: 'SM' + '3'.repeat(32), MessageStatus: 'delivered' }),
      ]);
      expect(answers).toEqual(['applied', 'applied', 'applied', 'applied', 'Invalid X-Twilio-Signature', 'applied']);
      expect(await messageRow(world, messages[0]!.id)).toMatchObject({ status: 'undelivered', errorCode: 30003, errorMessage: expect.stringMatching(/.+/) });
      expect(await messageRow(world, messages[1]!.id)).toMatchObject({ status: 'delivered', errorCode: null });
      expect(await messageRow(world, messages[2]!.id)).toMatchObject({ status: 'queued', errorCode: null });
      expect(await messageRow(world, messages[3]!.id)).toMatchObject({ status: 'queued', errorCode: null });
    });

    it('moves the messages of a batch of usual callbacks in one statement on PostgreSQL, each as alone', async () => {
      world = await createTwilioWorld(engine);
      world.sim.setFaults({ dropStatusCallbacks: true });
      const events = recordEvents(world);
      // The first carries a picture: its events must still show it.
      const { payload, headers } = multipartBody('file', PNG, 'picture.png', 'image/png');
      const picture = (await world.agent.api.post('/api/media', payload, headers)).body as { id: string };
      const withPicture = (await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone: '+12122000200', body: 'Usual 0', mediaIds: [picture.id] })).body
        .message as { id: string };
      const messages = [withPicture, ...(await Promise.all([1, 2, 3, 4].map((i) => text(`Usual ${i}`, `+1212${2_000_200 + i}`))))];
      for (const m of messages) await settled(m.id, 'queued');
      const attempts = await Promise.all(messages.map(async (m) => (await attemptsOf(world, m.id))[0]!));
      const { ctx } = world.server;
      const receive = (attemptId: string, params: Record<string, string>) => {
        const path = `/webhooks/twilio/status?attempt=${attemptId}`;
        const full = { AccountSid: world.account.sid, ...params };
        return receiveStatusCallback(ctx, { path, signature: twilio.getExpectedTwilioSignature(world.account.authToken, ctx.config.publicUrl + path, full), params: full }, attemptId);
      };
      const statements = recordStatements();
      // In one turn of the event loop: one batch. The fifth message's `sent` comes after its `delivered`.
      await Promise.all([
        ...attempts.map((a) => receive(a.id, { MessageSid: a.twilioSid!, MessageStatus: 'delivered' })),
        receive(attempts[4]!.id, { MessageSid: attempts[4]!.twilioSid!, MessageStatus: 'sent' }),
      ]);
      statements.stop();
      const sent = statements.sent.map((s) => s.text);
      for (const m of messages) expect(await messageRow(world, m.id)).toMatchObject({ status: 'delivered', errorCode: null });
      await eventually(() => messages.every((m) => statusesSeen(events, m.id).includes('delivered')), { what: 'every delivered event' });
      expect(statusesSeen(events, messages[4]!.id)).toEqual(['pending', 'queued', 'delivered']);
      const deliveredMedia = messages.map((m) => {
        const e = events.find((x) => x.type === 'message.updated' && x.data.id === m.id && x.data.status === 'delivered');
        return e?.type === 'message.updated' ? e.data.media.map((item) => item.id) : undefined;
      });
      expect(deliveredMedia).toEqual([[picture.id], [], [], [], []]);
      if (engine === 'postgres') {
        // The five `delivered` in one statement; the late `sent`, not first of its attempt, alone (and changing nothing).
        expect(sent.filter((t) => t.includes('as i(attempt_id text, sid text, organization_id text, now bigint)'))).toHaveLength(1);
        expect(sent.filter((t) => t.startsWith('update "messages" set "status"') && t.includes('where "id" = (select "a"."message_id"'))).toHaveLength(1);
      }
    });

    it('answers 200 to callbacks for SIDs or attempts it does not know, and changes nothing', async () => {
      world = await createTwilioWorld(engine);
      const message = await text('Known');
      await settled(message.id, 'delivered');
      const before = await rowCounts(world);
      const unknownSid = await callback('', { AccountSid: world.account.sid, MessageSid: 'SM' + '0'.repeat(32), MessageStatus: 'failed' });
      expect(unknownSid).toMatchObject({ status: 200, body: '<Response/>' });
      expect(unknownSid.type).toMatch(/text\/xml/);
      const unknownAttempt = await callback(`?attempt=${newId()}`, { AccountSid: world.account.sid, MessageSid: 'SM' + '1'.repeat(32), MessageStatus: 'failed' });
      expect(unknownAttempt.status).toBe(200);
      // A callback naming a real attempt with a different SID is not that attempt's.
      const [attempt] = await attemptsOf(world, message.id);
      const otherSid = await callback(`?attempt=${attempt!.id}`, { AccountSid: world.account.sid, MessageSid: 'SM' + '2'.repeat(32), MessageStatus: 'failed' });
      expect(otherSid.status).toBe(200);
      expect(await rowCounts(world)).toEqual(before);
      expect(await messageRow(world, message.id)).toMatchObject({ status: 'delivered', errorCode: null });
    });

    it('retries a failed message as a new attempt; callbacks of the old attempt change nothing', async () => {
      world = await createTwilioWorld(engine);
      const events = recordEvents(world);
      world.sim.setFaults({ failedNumbers: [CUSTOMER_PHONE], callbackDelayMs: 200 });
      const message = await text('Please arrive');
      await settled(message.id, 'failed');
      const [first] = await attemptsOf(world, message.id);
      const oldCallback = await eventually(() => world.sim.webhooks({ kind: 'status-callback', messageSid: first!.twilioSid! })[0], { what: 'the failed callback answered' });

      world.sim.resetFaults();
      world.sim.setFaults({ callbackDelayMs: 200 });
      // The worker waits, so the retried message is still pending when the old callback comes back.
      await world.server.runner?.stop();
      const retried = await world.agent.api.post(`/api/messages/${message.id}/retry`);
      expect(retried.status).toBe(202);
      expect(retried.body).toMatchObject({ id: message.id, status: 'pending', errorCode: null, errorMessage: null, twilioSid: null });

      // Twilio repeats the first attempt's `failed` callback, exactly as it was signed then.
      const replay = await fetch(oldCallback.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': oldCallback.signature },
        body: new URLSearchParams(oldCallback.params),
      });
      expect(replay.status).toBe(200);
      expect(await messageRow(world, message.id)).toMatchObject({ status: 'pending', errorCode: null });

      world.server.runner?.start();
      await settled(message.id, 'delivered');
      const attempts = await attemptsOf(world, message.id);
      expect(attempts.map((a) => a.state)).toEqual(['superseded', 'accepted']);
      expect((await messageRow(world, message.id)).twilioSid).toBe(attempts[1]!.twilioSid);
      expect(sentTo(world.sim, CUSTOMER_PHONE).map((m) => m.status)).toEqual(['failed', 'delivered']);
      await eventually(() => statusesSeen(events, message.id).at(-1) === 'delivered', { what: 'the delivered event' });
      expect(statusesSeen(events, message.id)).toEqual(['pending', 'queued', 'failed', 'pending', 'queued', 'sent', 'delivered']);
    });

    it('retries only failed or undelivered outbound messages, with the checks of a new send', async () => {
      world = await createTwilioWorld(engine);
      world.sim.setFaults({ undeliveredNumbers: [CUSTOMER_PHONE] });
      const message = await text('Bounced');
      await settled(message.id, 'undelivered');
      const delivered = await text('Fine', '+14155550198');
      await settled(delivered.id, 'delivered');

      const notFailed = await world.agent.api.post(`/api/messages/${delivered.id}/retry`);
      expect(notFailed.status).toBe(409);
      expect(notFailed.body.error.message).toMatch(/delivered; only a failed or undelivered message/);
      expect((await world.agent.api.post(`/api/messages/${newId()}/retry`)).status).toBe(404);

      // The customer opted out since: the retry is refused like a new send, and nothing changes.
      const row = await messageRow(world, message.id);
      const customer = await world.server.ctx.db.selectFrom('conversations').select('customerId').where('id', '=', row.conversationId).executeTakeFirstOrThrow();
      await world.server.ctx.db.insertInto('optOuts').values({ customerId: customer.customerId, senderId: world.sender.id, organizationId: world.organizationId, at: Date.now() }).execute();
      const before = await rowCounts(world);
      const refused = await world.agent.api.post(`/api/messages/${message.id}/retry`);
      expect(refused.status).toBe(422);
      expect(refused.body.error.message).toMatch(/unsubscribed/);
      expect(await rowCounts(world)).toEqual(before);
      expect((await messageRow(world, message.id)).status).toBe('undelivered');

      // An inbound message is never "sent again".
      const inbound = newId();
      await world.server.ctx.db
        .insertInto('messages')
        .values({ ...row, id: inbound, direction: 'inbound', status: 'received', twilioSid: 'SM' + '9'.repeat(32), authorId: null })
        .execute();
      const notOutbound = await world.agent.api.post(`/api/messages/${inbound}/retry`);
      expect(notOutbound.status).toBe(409);
      expect(notOutbound.body.error.message).toMatch(/Only messages sent by agents/);
    });

    it('a message whose support number was removed after it was queued fails with that reason', async () => {
      world = await createTwilioWorld(engine);
      await world.server.runner?.stop();
      const message = await text('Queued, then the number goes');
      await world.server.ctx.db.updateTable('senders').set({ active: 0, removedAt: Date.now() }).where('id', '=', world.sender.id).execute();
      await world.server.runner?.drain();
      expect(await messageRow(world, message.id)).toMatchObject({ status: 'failed', errorCode: null, errorMessage: expect.stringMatching(/support number was removed/) });
      expect(sentTo(world.sim, CUSTOMER_PHONE)).toHaveLength(0);
      expect(world.sim.messages().filter((m) => m.from === SUPPORT_NUMBER)).toHaveLength(0);
    });
  });
}

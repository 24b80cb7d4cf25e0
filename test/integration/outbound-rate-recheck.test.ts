import { afterEach, describe, expect, it } from 'vitest';
import { clientFor } from '../../src/features/twilio/accounts.js';
import { claimSlot, claimSlotAndStart } from '../../src/features/outbound/rate.js';
import { CLOCK_SKEW_MS, findSentMessage, type Recheck } from '../../src/features/outbound/recheck.js';
import { newId } from '../../src/ids.js';
import { eventually } from '../helpers/api.js';
import { addSender, messageRow, sentTo } from '../helpers/outbound.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, CUSTOMER_PHONE, SUPPORT_NUMBER, type TwilioWorld } from '../helpers/twilio-world.js';

/** The SID the recheck took for the attempt, or what it concluded instead. */
const outcome = (r: Recheck) => (r.kind === 'found' ? r.message.sid : r.kind);

for (const engine of ENGINES) {
  describe(`send rate (${engine})`, () => {
    let world: TwilioWorld;
    afterEach(() => world?.destroy());

    it("claims each sender's slots one after another, shared through the database", async () => {
      world = await createTwilioWorld(engine);
      const { db } = world.server.ctx;
      const sender = { id: world.sender.id, ratePerSecond: 1 };
      const now = 1_000_000;
      expect(await claimSlot(db, sender, 1, now)).toBe(now);
      expect(await claimSlot(db, sender, 2, now)).toBe(now + 1000);
      expect(await claimSlot(db, sender, 1, now + 500)).toBe(now + 3000);
      // Once the sender has been idle, the next slot is now, not in the past.
      expect(await claimSlot(db, sender, 1, now + 10_000)).toBe(now + 10_000);
      const fast = await addSender(world, { type: 'short_code', address: '12345', ratePerSecond: 100 });
      expect(await claimSlot(db, { id: fast, ratePerSecond: 100 }, 1, now)).toBe(now);
      expect(await claimSlot(db, { id: fast, ratePerSecond: 100 }, 1, now)).toBe(now + 10);
      expect((await db.selectFrom('senders').select('nextSendAt').where('id', '=', world.sender.id).executeTakeFirstOrThrow()).nextSendAt).toBe(now + 11_000);
    });

    it('records a send as started with its slot only when the slot starts within the wait the worker takes', async () => {
      world = await createTwilioWorld(engine);
      const { db } = world.server.ctx;
      const { id } = (await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone: CUSTOMER_PHONE, body: 'hello' })).body.message;
      await eventually(async () => (await messageRow(world, id)).status === 'delivered', { what: 'delivered' });
      const { organizationId } = await messageRow(world, id);
      const now = Date.now() + 60_000;
      const attempt = (attemptId: string) => ({ id: attemptId, messageId: id, organizationId, startedAt: now });
      const sender = { id: world.sender.id, ratePerSecond: 1 };
      expect(await claimSlotAndStart(db, sender, 1, attempt('near'), 1000)).toBe(now);
      expect(await claimSlotAndStart(db, sender, 1, attempt('just'), 1000)).toBe(now + 1000);
      expect(await claimSlotAndStart(db, sender, 1, attempt('far'), 1000)).toBe(now + 2000);
      const started = await db.selectFrom('sendAttempts').select(['id', 'state', 'startedAt', 'twilioSid', 'finishedAt']).where('messageId', '=', id).where('startedAt', '=', now).orderBy('id').execute();
      expect(started).toEqual([
        { id: 'just', state: 'started', startedAt: now, twilioSid: null, finishedAt: null },
        { id: 'near', state: 'started', startedAt: now, twilioSid: null, finishedAt: null },
      ]);
      // The far slot was claimed all the same: the worker sleeps until it.
      expect((await db.selectFrom('senders').select('nextSendAt').where('id', '=', world.sender.id).executeTakeFirstOrThrow()).nextSendAt).toBe(now + 3000);
    });

    it('holds a one-per-second sender to one message a second', async () => {
      world = await createTwilioWorld(engine);
      const ids = [];
      for (const body of ['one', 'two', 'three']) {
        ids.push((await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone: CUSTOMER_PHONE, body })).body.message.id);
      }
      for (const id of ids) await eventually(async () => (await messageRow(world, id)).status === 'delivered', { what: 'delivered' });
      const created = sentTo(world.sim, CUSTOMER_PHONE).map((m) => m.dateCreated.getTime() / 1000);
      // Twilio's creation times have whole seconds: slots 1 s apart land in three different seconds.
      expect(new Set(created).size).toBe(3);
    });
  });

  describe(`finding an unconfirmed send at Twilio (${engine})`, () => {
    let world: TwilioWorld;
    afterEach(() => world?.destroy());

    it('matches sender, body and creation time, skipping SIDs another attempt owns', async () => {
      world = await createTwilioWorld(engine);
      await world.server.runner?.stop();
      const client = clientFor(world.server.ctx, { accountSid: world.account.sid, authToken: world.account.authToken });
      const send = (body: string, from = SUPPORT_NUMBER) => client.messages.create({ to: CUSTOMER_PHONE, from, body });
      world.sim.addIncomingNumber(world.account.sid, '+14155550112');
      const earlier = await send('ok');
      const other = await send('ok', '+14155550112');
      const unlike = await send('something else');
      const lookup = { to: CUSTOMER_PHONE, body: 'ok', sender: { from: SUPPORT_NUMBER }, startedAt: Date.now() };
      const { db } = world.server.ctx;

      expect(outcome(await findSentMessage(db, client, lookup))).toBe(earlier.sid);
      // The earlier "ok" already belongs to another message's attempt: it is not this one.
      const owner = await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone: CUSTOMER_PHONE, body: 'ok' });
      await db
        .insertInto('sendAttempts')
        .values({ id: newId(), messageId: owner.body.message.id, organizationId: world.organizationId, state: 'accepted', twilioSid: earlier.sid, startedAt: Date.now(), finishedAt: Date.now() })
        .execute();
      // No exact match left: the one other message from that sender in the attempt's minute is
      // taken for it, as Twilio may have rewritten its body (docs/twilio.md).
      expect(outcome(await findSentMessage(db, client, lookup))).toBe(unlike.sid);
      expect(outcome(await findSentMessage(db, client, { ...lookup, sender: { from: '+14155550112' } }))).toBe(other.sid);
      // Messages created well before the attempt began are not its message.
      expect(outcome(await findSentMessage(db, client, { ...lookup, sender: { from: '+14155550112' }, startedAt: Date.now() + CLOCK_SKEW_MS + 5000 }))).toBe('absent');
    });

    it('matches a Messaging Service send by its MessagingServiceSid', async () => {
      world = await createTwilioWorld(engine);
      await world.server.runner?.stop();
      world.sim.addIncomingNumber(world.account.sid, '+14155550113');
      const service = world.sim.addMessagingService(world.account.sid, { phoneNumbers: ['+14155550113'] });
      const client = clientFor(world.server.ctx, { accountSid: world.account.sid, authToken: world.account.authToken });
      const sent = await client.messages.create({ to: CUSTOMER_PHONE, messagingServiceSid: service.sid, body: 'via service' });
      const lookup = { to: CUSTOMER_PHONE, body: 'via service', startedAt: Date.now() };
      expect(outcome(await findSentMessage(world.server.ctx.db, client, { ...lookup, sender: { messagingServiceSid: service.sid } }))).toBe(sent.sid);
      expect(outcome(await findSentMessage(world.server.ctx.db, client, { ...lookup, sender: { messagingServiceSid: 'MG' + '0'.repeat(32) } }))).toBe('absent');
    });
  });
}

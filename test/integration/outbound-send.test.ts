import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/api.js';
import { addSender, attemptsOf, messageRow, recordEvents, sentTo, statusesSeen } from '../helpers/outbound.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, CUSTOMER_PHONE, SUPPORT_NUMBER, type TwilioWorld } from '../helpers/twilio-world.js';

for (const engine of ENGINES) {
  describe(`sending messages (${engine})`, () => {
    let world: TwilioWorld;
    afterEach(() => world?.destroy());

    it("texts a customer first: the phone gets it, and agents see queued → sent → delivered live", async () => {
      world = await createTwilioWorld(engine);
      // Callbacks a moment after Twilio's answer, as usual; an earlier one would skip `queued` (forward only).
      world.sim.setFaults({ callbackDelayMs: 200 });
      const events = recordEvents(world);
      const res = await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone: '(415) 555-0199', body: 'Hello from Acme support' });
      expect(res.status).toBe(202);
      const { conversation, message } = res.body;
      expect(conversation.customer.phone).toBe(CUSTOMER_PHONE);
      expect(conversation.senderId).toBe(world.sender.id);
      expect(message).toMatchObject({ direction: 'outbound', status: 'pending', body: 'Hello from Acme support', segments: 1, encoding: 'GSM-7', authorId: world.agent.id });
      // On PostgreSQL events travel through LISTEN/NOTIFY, so they arrive a moment later.
      await eventually(() => events.length >= 2, { what: 'the creation events' });
      expect(events.slice(0, 2).map((e) => e.type)).toEqual(['conversation.created', 'message.created']);

      const [delivered] = await eventually(() => world.sim.phoneInbox(CUSTOMER_PHONE).length === 1 && world.sim.phoneInbox(CUSTOMER_PHONE), { what: 'the phone to get the text' });
      expect(delivered).toMatchObject({ from: SUPPORT_NUMBER, body: 'Hello from Acme support' });
      await eventually(async () => (await messageRow(world, message.id)).status === 'delivered', { what: 'delivered status' });
      await eventually(() => statusesSeen(events, message.id).includes('delivered'), { what: 'the delivered event' });
      expect(statusesSeen(events, message.id)).toEqual(['pending', 'queued', 'sent', 'delivered']);

      const row = await messageRow(world, message.id);
      expect(row.twilioSid).toBe(delivered!.sid);
      const [attempt] = await attemptsOf(world, message.id);
      expect(attempt).toMatchObject({ state: 'accepted', twilioSid: delivered!.sid });
      // Twilio was asked to report on this attempt, at the public URL.
      expect(delivered!.statusCallback).toBe(`${world.publicUrl}/webhooks/twilio/status?attempt=${attempt!.id}`);
      // The simulator logs a callback once our answer is in, a moment after our commit.
      const callbacks = await eventually(() => {
        const logged = world.sim.webhooks({ kind: 'status-callback', messageSid: delivered!.sid });
        return logged.length === 2 && logged;
      }, { what: 'both status callbacks answered' });
      expect(callbacks.map((c) => [c.params.MessageStatus, c.status])).toEqual([
        ['sent', 200],
        ['delivered', 200],
      ]);
    });

    it('replies in a conversation from its own sender, counting segments and encoding', async () => {
      world = await createTwilioWorld(engine);
      const first = await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone: CUSTOMER_PHONE, body: 'Hi' });
      const conversationId = first.body.conversation.id;
      const body = 'Ça coûte 10 € — merci ! '.repeat(4);
      const res = await world.admin.api.post(`/api/conversations/${conversationId}/messages`, { body });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ conversationId, direction: 'outbound', status: 'pending', encoding: 'UCS-2', segments: 2, authorId: world.admin.id, media: [] });
      await eventually(() => world.sim.phoneInbox(CUSTOMER_PHONE).length === 2, { what: 'both texts' });
      expect(world.sim.phoneInbox(CUSTOMER_PHONE).map((m) => m.body)).toEqual(['Hi', body]);
      const conversation = await world.server.ctx.db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirstOrThrow();
      expect(conversation.preview).toBe(body.trim().replace(/\s+/g, ' ').slice(0, 140));
    });

    it('texting a customer first continues their recent conversation (threading), by id or by phone', async () => {
      world = await createTwilioWorld(engine);
      const first = await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone: CUSTOMER_PHONE, body: 'One' });
      const byId = await world.agent.api.post('/api/conversations', { senderId: world.sender.id, customerId: first.body.conversation.customer.id, body: 'Two' });
      const byPhone = await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone: '+1 415 555 0199', body: 'Three' });
      expect(byId.status).toBe(202);
      expect(byId.body.conversation.id).toBe(first.body.conversation.id);
      expect(byPhone.body.conversation.id).toBe(first.body.conversation.id);
      expect(byPhone.body.conversation.customer.id).toBe(first.body.conversation.customer.id);

      // Another sender never joins: a new conversation on that number.
      const other = await addSender(world, { type: 'phone_number', address: '+14155550111' });
      world.sim.addIncomingNumber(world.account.sid, '+14155550111');
      const fromOther = await world.agent.api.post('/api/conversations', { senderId: other, phone: CUSTOMER_PHONE, body: 'Four' });
      expect(fromOther.body.conversation.id).not.toBe(first.body.conversation.id);
      await eventually(() => world.sim.phoneInbox(CUSTOMER_PHONE).length === 4, { what: 'four texts' });
      expect(world.sim.phoneInbox(CUSTOMER_PHONE).find((m) => m.body === 'Four')?.from).toBe('+14155550111');
    });

    it('sends from a Messaging Service with MessagingServiceSid and no From', async () => {
      world = await createTwilioWorld(engine);
      world.sim.addIncomingNumber(world.account.sid, '+14155550122');
      const service = world.sim.addMessagingService(world.account.sid, { phoneNumbers: ['+14155550122'] });
      const senderId = await addSender(world, { type: 'messaging_service', address: service.sid });
      const res = await world.agent.api.post('/api/conversations', { senderId, phone: CUSTOMER_PHONE, body: 'Via the service' });
      expect(res.status).toBe(202);
      await eventually(async () => (await messageRow(world, res.body.message.id)).status === 'delivered', { what: 'delivered' });
      const [sent] = sentTo(world.sim, CUSTOMER_PHONE);
      expect(sent).toMatchObject({ messagingServiceSid: service.sid, from: '+14155550122', body: 'Via the service' });
    });

    it('sends from a short code', async () => {
      world = await createTwilioWorld(engine);
      world.sim.addShortCode(world.account.sid, '55555');
      const senderId = await addSender(world, { type: 'short_code', address: '55555', mmsCapable: 0 });
      const res = await world.agent.api.post('/api/conversations', { senderId, phone: CUSTOMER_PHONE, body: 'From a short code' });
      await eventually(async () => (await messageRow(world, res.body.message.id)).status === 'delivered', { what: 'delivered' });
      expect(sentTo(world.sim, CUSTOMER_PHONE)[0]).toMatchObject({ from: '55555', messagingServiceSid: null });
    });
  });
}

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import { addSender, rowCounts } from '../helpers/outbound.js';
import { senderRow } from '../helpers/seed.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, CUSTOMER_PHONE, type TwilioWorld } from '../helpers/twilio-world.js';

for (const engine of ENGINES) {
  describe(`refused sends store nothing (${engine})`, () => {
    let world: TwilioWorld;
    let conversationId: string;
    let customerId: string;
    let before: Awaited<ReturnType<typeof rowCounts>>;

    beforeAll(async () => {
      world = await createTwilioWorld(engine);
      // Nothing needs to go out here; a stopped worker keeps the row counts still between checks.
      await world.server.runner?.stop();
      const first = await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone: CUSTOMER_PHONE, body: 'First' });
      conversationId = first.body.conversation.id;
      customerId = first.body.conversation.customer.id;
    });
    afterAll(() => world?.destroy());
    beforeEach(async () => {
      before = await rowCounts(world);
    });

    const db = () => world.server.ctx.db;
    const reply = (payload: object) => world.agent.api.post(`/api/conversations/${conversationId}/messages`, payload);
    const start = (payload: object) => world.agent.api.post('/api/conversations', { senderId: world.sender.id, ...payload });

    /** A 422 naming the field, with a message that says what was wrong; and not one row changed. */
    async function expectRefusal(res: { status: number; body: any }, field: string, message: RegExp, status = 422) {
      expect(res.status).toBe(status);
      if (status === 422) expect(res.body.error).toMatchObject({ code: 'validation_failed', field });
      expect(res.body.error.message).toMatch(message);
      expect(await rowCounts(world)).toEqual(before);
    }

    async function uploadedMedia(overrides: { contentType?: string; size?: number; organizationId?: string; messageId?: string | null; uploadedBy?: string | null } = {}) {
      const id = newId();
      await db()
        .insertInto('media')
        .values({
          id,
          organizationId: overrides.organizationId ?? world.organizationId,
          messageId: overrides.messageId ?? null,
          contentType: overrides.contentType ?? 'image/png',
          size: overrides.size ?? 1000,
          status: 'ready',
          sourceUrl: null,
          errorMessage: null,
          position: 0,
          uploadedBy: overrides.uploadedBy === undefined ? world.agent.id : overrides.uploadedBy,
          createdAt: Date.now(),
        })
        .execute();
      before = await rowCounts(world);
      return id;
    }

    it('an empty message (no text, no pictures)', async () => {
      await expectRefusal(await reply({ body: '' }), 'body', /empty/);
      await expectRefusal(await reply({ body: '   \n ' }), 'body', /empty/);
      await expectRefusal(await reply({ body: '\u200b\u200d\ufeff \u00a0\u3000\u2060' }), 'body', /empty/);
      await expectRefusal(await start({ phone: '+14155550177', body: '' }), 'body', /empty/);
    });

    it('more than 1,600 characters, counted as the segment counter counts them', async () => {
      await expectRefusal(await reply({ body: 'a'.repeat(1601) }), 'body', /1601 characters.*at most 1600/);
      // The euro sign takes two GSM-7 septets: 1,599 letters and one € are 1,601 characters.
      await expectRefusal(await reply({ body: 'a'.repeat(1599) + '€' }), 'body', /1601 characters/);
      await expectRefusal(await start({ phone: '+14155550177', body: 'a'.repeat(1601) }), 'body', /1601 characters/);
    });

    it('exactly 1,600 characters is accepted', async () => {
      const res = await reply({ body: 'a'.repeat(1600) });
      expect(res.status).toBe(202);
      expect(res.body.segments).toBe(11);
    });

    it('more than 10 pictures, or the same picture twice', async () => {
      const ids = [];
      for (let i = 0; i < 11; i++) ids.push(await uploadedMedia());
      await expectRefusal(await reply({ body: 'x', mediaIds: ids }), 'mediaIds', /11 pictures.*at most 10/);
      await expectRefusal(await reply({ body: 'x', mediaIds: [ids[0], ids[0]] }), 'mediaIds', /same picture twice/);
    });

    it('pictures that are not JPEG, PNG or GIF', async () => {
      const webp = await uploadedMedia({ contentType: 'image/webp' });
      await expectRefusal(await reply({ body: 'x', mediaIds: [webp] }), 'mediaIds', /image\/webp.*only JPEG, PNG and GIF/);
    });

    it('pictures over 5 MB together', async () => {
      const a = await uploadedMedia({ size: 3 * 1024 * 1024 });
      const b = await uploadedMedia({ size: 3 * 1024 * 1024 });
      await expectRefusal(await reply({ body: 'x', mediaIds: [a, b] }), 'mediaIds', /6\.0 MB.*at most 5 MB/);
    });

    it("pictures that are not this organization's own unsent uploads", async () => {
      await expectRefusal(await reply({ body: 'x', mediaIds: [newId()] }), 'mediaIds', /not found.*POST \/api\/media/);
      const other = await world.server.ctx.db
        .insertInto('organizations')
        .values({ id: newId(), name: 'Other', threadingWindowHours: 24, createdAt: Date.now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      const foreign = await uploadedMedia({ organizationId: other.id });
      await expectRefusal(await reply({ body: 'x', mediaIds: [foreign] }), 'mediaIds', /not found/);
      const inbound = await uploadedMedia({ uploadedBy: null });
      await expectRefusal(await reply({ body: 'x', mediaIds: [inbound] }), 'mediaIds', /not found/);
      const firstMessage = await db().selectFrom('messages').select('id').where('conversationId', '=', conversationId).executeTakeFirstOrThrow();
      const sent = await uploadedMedia({ messageId: firstMessage.id });
      await expectRefusal(await reply({ body: 'x', mediaIds: [sent] }), 'mediaIds', /already attached/);
    });

    it('pictures from a sender that cannot send MMS', async () => {
      const textOnly = await addSender(world, { type: 'short_code', address: '77777', mmsCapable: 0 });
      const png = await uploadedMedia();
      await expectRefusal(await world.agent.api.post('/api/conversations', { senderId: textOnly, phone: CUSTOMER_PHONE, body: 'x', mediaIds: [png] }), 'mediaIds', /cannot send pictures/);
    });

    it('a customer opted out of that sender', async () => {
      await db().insertInto('optOuts').values({ customerId, senderId: world.sender.id, organizationId: world.organizationId, at: Date.now() }).execute();
      before = await rowCounts(world);
      await expectRefusal(await reply({ body: 'Still there?' }), 'customerId', /unsubscribed.*START/);
      await expectRefusal(await start({ customerId, body: 'Still there?' }), 'customerId', /unsubscribed/);
      await expectRefusal(await start({ phone: CUSTOMER_PHONE, body: 'Still there?' }), 'phone', /unsubscribed/);
      // Opted out of this sender only: another sender may still text them.
      const other = await addSender(world, { type: 'phone_number', address: '+14155550133' });
      world.sim.addIncomingNumber(world.account.sid, '+14155550133');
      expect((await world.agent.api.post('/api/conversations', { senderId: other, customerId, body: 'From elsewhere' })).status).toBe(202);
      await db().deleteFrom('optOuts').where('customerId', '=', customerId).execute();
    });

    it('a removed sender, or one whose account is disconnected', async () => {
      const removed = await addSender(world, { type: 'phone_number', address: '+14155550144' });
      await db().updateTable('senders').set({ active: 0, removedAt: Date.now() }).where('id', '=', removed).execute();
      await expectRefusal(await world.agent.api.post('/api/conversations', { senderId: removed, phone: CUSTOMER_PHONE, body: 'x' }), 'senderId', /removed/);

      const orphan = await addSender(world, { type: 'phone_number', address: '+14155550155' });
      // What a disconnect leaves: the sender inactive and without its account.
      await db().updateTable('senders').set({ twilioAccountId: null, active: 0, removedAt: Date.now() }).where('id', '=', orphan).execute();
      await expectRefusal(await world.agent.api.post('/api/conversations', { senderId: orphan, phone: CUSTOMER_PHONE, body: 'x' }), 'senderId', /disconnected/);
      const conversation = await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone: '+14155550188', body: 'x' });
      await db().updateTable('senders').set({ twilioAccountId: null }).where('id', '=', world.sender.id).execute();
      before = await rowCounts(world);
      await expectRefusal(await world.agent.api.post(`/api/conversations/${conversation.body.conversation.id}/messages`, { body: 'y' }), 'senderId', /disconnected/);
      await db().updateTable('senders').set({ twilioAccountId: world.account.id }).where('id', '=', world.sender.id).execute();
    });

    it('a number that is not a valid phone number', async () => {
      await expectRefusal(await start({ phone: '12345', body: 'x' }), 'phone', /not a valid phone number/);
      await expectRefusal(await start({ phone: 'call me', body: 'x' }), 'phone', /not a valid phone number/);
      const bad = await db()
        .insertInto('customers')
        .values({ id: newId(), organizationId: world.organizationId, name: null, phone: '+1555', email: null, notes: null, createdAt: Date.now(), updatedAt: Date.now(), searchText: '' })
        .returning('id')
        .executeTakeFirstOrThrow();
      before = await rowCounts(world);
      await expectRefusal(await start({ customerId: bad.id, body: 'x' }), 'customerId', /\+1555 is not a valid phone number/);
    });

    it('both or neither of customerId and phone', async () => {
      await expectRefusal(await start({ customerId, phone: CUSTOMER_PHONE, body: 'x' }), 'customerId', /either customerId or phone/);
      await expectRefusal(await start({ body: 'x' }), 'customerId', /either customerId or phone/);
    });

    it("records of another organization are not found", async () => {
      const now = Date.now();
      const org = newId();
      const customer = newId();
      const sender = newId();
      const conversation = newId();
      await db().insertInto('organizations').values({ id: org, name: 'Other', threadingWindowHours: 24, createdAt: now }).execute();
      await db().insertInto('customers').values({ id: customer, organizationId: org, name: null, phone: '+14155550166', email: null, notes: null, createdAt: now, updatedAt: now, searchText: '' }).execute();
      await db()
        .insertInto('senders')
        .values(senderRow({ id: sender, organizationId: org, address: '+14155550167', createdAt: now }))
        .execute();
      await db()
        .insertInto('conversations')
        .values({ id: conversation, organizationId: org, customerId: customer, senderId: sender, status: 'open', assigneeId: null, lastMessageAt: now, lastInboundAt: null, preview: '', createdAt: now })
        .execute();
      before = await rowCounts(world);
      await expectRefusal(await world.agent.api.post(`/api/conversations/${conversation}/messages`, { body: 'x' }), '', /Conversation not found/, 404);
      await expectRefusal(await start({ customerId: customer, body: 'x' }), '', /Customer not found/, 404);
      await expectRefusal(await world.agent.api.post('/api/conversations', { senderId: sender, phone: CUSTOMER_PHONE, body: 'x' }), '', /Sender not found/, 404);
    });

    it('unknown fields and signed-out callers', async () => {
      await expectRefusal(await reply({ body: 'x', from: '+14155550100' }), 'from', /unknown field/);
      const res = await world.anonymous.post(`/api/conversations/${conversationId}/messages`, { body: 'x' });
      expect(res.status).toBe(401);
    });
  });
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { touchConversation } from '../../src/features/conversations/threading.js';
import { newId } from '../../src/ids.js';
import { HOUR, addSender, countRows, inboundParams, manualClock, postWebhook } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

/**
 * docs/rules.md#threading at its boundaries, with the server's clock in the test's hand: a message
 * joins the newest conversation on the same sender if its last message (either direction) is
 * less than the organization's window ago.
 */
for (const engine of ENGINES) {
  describe(`inbound threading (${engine})`, () => {
    let w: TwilioWorld;
    let clock: ReturnType<typeof manualClock>;
    beforeEach(async () => {
      clock = manualClock();
      w = await createTwilioWorld(engine, { clock });
    });
    afterEach(async () => {
      await w.destroy();
    });

    const text = async (body: string, overrides: Record<string, string> = {}) => {
      const res = await postWebhook(w, inboundParams(w, { Body: body, ...overrides }));
      expect(res.status).toBe(200);
    };
    const conversationOf = async (body: string) => {
      const row = await w.server.ctx.db.selectFrom('messages').select('conversationId').where('body', '=', body).executeTakeFirstOrThrow();
      return row.conversationId;
    };

    it('joins just under the window and starts anew at the window', async () => {
      await text('first');
      clock.advance(24 * HOUR - 1);
      await text('just under');
      expect(await conversationOf('just under')).toBe(await conversationOf('first'));
      clock.advance(24 * HOUR);
      await text('at the window');
      expect(await conversationOf('at the window')).not.toBe(await conversationOf('first'));
      expect(await countRows(w.server.ctx.db)).toMatchObject({ customers: 1, conversations: 2 });
    });

    it("counts the window from the conversation's last message, so an agent's reply extends it", async () => {
      await text('question');
      const conversationId = await conversationOf('question');
      clock.advance(20 * HOUR);
      const now = clock.now();
      await w.server.ctx.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('messages')
          .values({
            id: newId(now), organizationId: w.organizationId, conversationId, direction: 'outbound', body: 'answer', status: 'delivered',
            errorCode: null, errorMessage: null, segments: 1, encoding: 'GSM-7', twilioSid: null, authorId: w.agent.id, createdAt: now, updatedAt: now,
          })
          .execute();
        await touchConversation(tx, conversationId, { direction: 'outbound', at: now, preview: 'answer' });
      });
      clock.advance(23 * HOUR); // 43 h after the question, 23 h after the answer
      await text('thanks');
      expect(await conversationOf('thanks')).toBe(conversationId);
    });

    it('reopens a closed conversation it joins', async () => {
      await text('first');
      const id = await conversationOf('first');
      expect((await w.agent.api.patch(`/api/conversations/${id}`, { status: 'closed' })).body.status).toBe('closed');
      clock.advance(HOUR);
      await text('one more thing');
      expect(await conversationOf('one more thing')).toBe(id);
      expect((await w.agent.api.get(`/api/conversations/${id}`)).body.status).toBe('open');
    });

    it('never joins a conversation on another sender', async () => {
      const other = '+14155550160';
      w.sim.addIncomingNumber(w.account.sid, other, { smsUrl: `${w.publicUrl}/webhooks/twilio/messages` });
      const otherId = await addSender(w, { address: other });
      await text('to the first number');
      clock.advance(1);
      await text('to the second number', { To: other });
      const [a, b] = [await conversationOf('to the first number'), await conversationOf('to the second number')];
      expect(a).not.toBe(b);
      const inbox = await w.agent.api.get('/api/conversations');
      expect(inbox.body.items.map((c: any) => c.senderId).sort()).toEqual([w.sender.id, otherId].sort());
    });

    it("follows the organization's window setting, fractions included", async () => {
      expect((await w.admin.api.patch('/api/settings', { threadingWindowHours: 1.5 })).status).toBe(200);
      await text('first');
      clock.advance(1.5 * HOUR - 1);
      await text('inside');
      clock.advance(1.5 * HOUR);
      await text('outside');
      expect(await conversationOf('inside')).toBe(await conversationOf('first'));
      expect(await conversationOf('outside')).not.toBe(await conversationOf('first'));
    });

    it('gives parallel messages from a known customer after the window one new conversation', async () => {
      await text('long ago');
      clock.advance(25 * HOUR);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => postWebhook(w, inboundParams(w, { Body: `again ${i}` }))));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(await countRows(w.server.ctx.db)).toMatchObject({ customers: 1, conversations: 2, messages: 9 });
      const ids = new Set(await Promise.all(Array.from({ length: 8 }, (_, i) => conversationOf(`again ${i}`))));
      expect(ids.size).toBe(1);
      expect(ids.has(await conversationOf('long ago'))).toBe(false);
    });
  });
}

import { afterEach, describe, expect, it } from 'vitest';
import { capturedLog } from '../helpers/twilio-integration.js';
import { inboundParams, postWebhook } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

const ONE_CUSTOMER = '+14155550111';
const manyCustomers = Array.from({ length: 64 }, (_, i) => `+1415556${String(1000 + i)}`);

/**
 * Issue 18: on PostgreSQL, webhooks arriving together more than a batch holds run in parallel
 * batches (src/db/group-commit.ts), so two batches may hold the same customer. Every message must land once, a customer's
 * messages must keep the order they were stored in, and no batch may fail on a deadlock.
 */
for (const engine of ENGINES) {
  describe(`inbound webhooks arriving together (${engine})`, () => {
    let w: TwilioWorld;
    afterEach(async () => {
      await w.destroy();
    });

    it('stores 64 texts from 64 customers and 64 from one customer once each, in order per customer, without a deadlock, new or known', async () => {
      const log = capturedLog();
      w = await createTwilioWorld(engine, { log: log.log });
      const round = (n: number) => [
        ...manyCustomers.map((from, i) => inboundParams(w, { From: from, Body: `many ${n}.${i}` })),
        ...Array.from({ length: 64 }, (_, i) => inboundParams(w, { From: ONE_CUSTOMER, Body: `one ${n}.${i}` })),
      ];
      // Interleaved, so both kinds share batches.
      const arrive = async (sent: Record<string, string>[]) => {
        const order = sent.map((_, i) => i).sort((a, b) => (a % 64) - (b % 64) || a - b);
        const answers = await Promise.all(order.map((i) => postWebhook(w, sent[i]!)));
        expect(answers.map((a) => a.status)).toEqual(order.map(() => 200));
      };
      // First every customer is new; then known, with a conversation, and some texts arrive twice
      // (Twilio's retries) in the same moment or again later.
      const first = round(1);
      await arrive(first);
      const second = round(2);
      await arrive([...second, ...second.slice(60, 68), ...first.slice(0, 4), ...first.slice(64, 68)]);
      const texts = [...first, ...second];

      const { db } = w.server.ctx;
      const messages = await db
        .selectFrom('messages as m')
        .innerJoin('conversations as c', 'c.id', 'm.conversationId')
        .innerJoin('customers as cu', 'cu.id', 'c.customerId')
        .select(['m.id', 'm.twilioSid', 'm.body', 'm.createdAt', 'cu.phone', 'c.id as conversationId'])
        .execute();
      // Each text exactly once.
      expect(messages.map((m) => m.twilioSid).sort()).toEqual(texts.map((t) => t.MessageSid).sort());
      expect(await db.selectFrom('customers').select('id').execute()).toHaveLength(65);
      expect(await db.selectFrom('conversations').select('id').execute()).toHaveLength(65);

      for (const phone of [...manyCustomers, ONE_CUSTOMER]) {
        const theirs = messages.filter((m) => m.phone === phone);
        // One conversation: racing texts never open a second one.
        expect(new Set(theirs.map((m) => m.conversationId)).size, phone).toBe(1);
        const conversation = await db.selectFrom('conversations').selectAll().where('id', '=', theirs[0]!.conversationId).executeTakeFirstOrThrow();
        // The thread's order (time, then id) is the order they were stored in: the conversation's
        // activity, moved by each message as it is stored, ends at the thread's last message.
        const thread = theirs.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
        const last = thread[thread.length - 1]!;
        expect({ preview: conversation.preview, lastMessageAt: conversation.lastMessageAt }, phone).toEqual({ preview: last.body, lastMessageAt: last.createdAt });
      }
      expect(log.text()).not.toMatch(/deadlock|40P01/i);
    });
  });
}

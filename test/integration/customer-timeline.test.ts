import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR, inboundParams, manualClock, postWebhook } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

const PHONE = '+14155550161';

/** docs/api.md#the-customer-timeline: a long-time customer's history, a page at a time. */
for (const engine of ENGINES) {
  describe(`customer timeline pages (${engine})`, () => {
    let w: TwilioWorld;
    let clock: ReturnType<typeof manualClock>;
    beforeEach(async () => {
      clock = manualClock();
      w = await createTwilioWorld(engine, { clock });
    });
    afterEach(async () => {
      await w.destroy();
    });

    const text = async (body: string) => {
      clock.advance(60_000);
      expect((await postWebhook(w, inboundParams(w, { From: PHONE, Body: body }))).status).toBe(200);
    };
    const get = async (path: string) => {
      const res = await w.agent.api.get(path);
      expect(res.status, path).toBe(200);
      return res.body;
    };

    it('pages hold every conversation and message once, in order, while new messages arrive between reads', async () => {
      // Conversations 0 to 3, two days apart, with 2, 3, 4 and 5 messages.
      const sent: string[][] = [];
      for (let c = 0; c < 4; c++) {
        if (c > 0) clock.advance(48 * HOUR);
        sent.push([]);
        for (let m = 0; m < c + 2; m++) {
          await text(`c${c} m${m}`);
          sent[c]!.push(`c${c} m${m}`);
        }
      }
      const customerId = (await get(`/api/customers?phone=${encodeURIComponent(PHONE)}`)).items[0].id;
      const oldest = (await get('/api/conversations?limit=100')).items.at(-1).id;

      const seen: { id: string; count: number; bodies: string[]; cursor: string | null }[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: any = await get(`/api/customers/${customerId}/timeline?limit=2&messages=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.conversations.length).toBeLessThanOrEqual(2);
        for (const c of page.conversations) {
          expect(c.messages.length).toBeLessThanOrEqual(2);
          seen.push({ id: c.id, count: c.messageCount, bodies: c.messages.map((m: any) => m.body), cursor: c.messagesCursor });
        }
        cursor = page.nextCursor;
        pages++;
        // Between page reads: a text in the newest conversation, a new conversation, and a
        // reply that makes the oldest conversation the latest active (it must not move pages).
        await text(`late ${pages}`);
        if (pages === 1) {
          clock.advance(60_000);
          expect((await w.agent.api.post(`/api/conversations/${oldest}/messages`, { body: 'agent reply' })).status).toBe(202);
          sent[0]!.push('agent reply');
          clock.advance(48 * HOUR);
          await text('a new conversation');
        }
      } while (cursor);
      expect(pages).toBe(2);

      // Each conversation's older messages, from its cursor through the thread, as the agent scrolls.
      for (const c of seen) {
        let older = c.cursor;
        while (older) {
          const thread: any = await get(`/api/conversations/${c.id}/messages?limit=2&cursor=${encodeURIComponent(older)}`);
          c.bodies.unshift(...thread.items.map((m: any) => m.body));
          older = thread.nextCursor;
          await text('while scrolling');
        }
      }

      expect(new Set(seen.map((c) => c.id)).size).toBe(4);
      expect(seen.map((c) => c.bodies)).toEqual([sent[3], sent[2], sent[1], sent[0]]);
      expect(seen.map((c) => c.count)).toEqual([5, 4, 3, 3]);
    });

    it('gives each page the opt-out changes of its span of time, so the pages hold each change once', async () => {
      // Three conversations two days apart; an agent's change before, between and after them.
      const customerId = async () => (await get(`/api/customers?phone=${encodeURIComponent(PHONE)}`)).items[0].id;
      const change = async (reason: string) => {
        clock.advance(60_000);
        const id = await customerId();
        expect((await w.agent.api.post(`/api/customers/${id}/opt-out`, { reason })).status).toBe(200);
        expect((await w.agent.api.post(`/api/customers/${id}/opt-in`, { reason })).status).toBe(200);
      };
      await text('c0');
      await change('during the first');
      clock.advance(48 * HOUR);
      await text('c1');
      await change('during the second');
      clock.advance(48 * HOUR);
      await text('c2');
      await change('during the third');

      const id = await customerId();
      const reasons = (page: any) => page.optOutChanges.map((c: any) => c.reason);
      const first = await get(`/api/customers/${id}/timeline?limit=2`);
      expect(reasons(first)).toEqual(['during the second', 'during the second', 'during the third', 'during the third']);
      const second = await get(`/api/customers/${id}/timeline?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`);
      expect(second.nextCursor).toBeNull();
      expect(reasons(second)).toEqual(['during the first', 'during the first']);
      // One page holding everything holds every change.
      expect(reasons(await get(`/api/customers/${id}/timeline?limit=10`))).toEqual([...reasons(second), ...reasons(first)]);
    });

    it('bounds the page and the messages shown, and refuses more than the maximum', async () => {
      for (let c = 0; c < 3; c++) {
        clock.advance(48 * HOUR);
        for (let m = 0; m < 8; m++) await text(`c${c} m${m}`);
      }
      const customerId = (await get(`/api/customers?phone=${encodeURIComponent(PHONE)}`)).items[0].id;
      const first = await get(`/api/customers/${customerId}/timeline`);
      expect(first.conversations.map((c: any) => [c.messageCount, c.messages.map((m: any) => m.body)])).toEqual([
        [8, ['c2 m3', 'c2 m4', 'c2 m5', 'c2 m6', 'c2 m7']],
        [8, ['c1 m3', 'c1 m4', 'c1 m5', 'c1 m6', 'c1 m7']],
        [8, ['c0 m3', 'c0 m4', 'c0 m5', 'c0 m6', 'c0 m7']],
      ]);
      expect(first.nextCursor).toBeNull();
      for (const [query, field] of [
        ['limit=51', 'limit'],
        ['messages=51', 'messages'],
        ['messages=0', 'messages'],
        ['cursor=nope', 'cursor'],
      ]) {
        const res = await w.agent.api.get(`/api/customers/${customerId}/timeline?${query}`);
        expect([res.status, res.body.error.field], query).toEqual([422, field]);
      }
    });
  });
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../helpers/api.js';
import { HOUR, inboundParams, manualClock, postWebhook, recordEvents } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { PASSWORD } from '../helpers/world.js';
import { createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

for (const engine of ENGINES) {
  describe(`customers API (${engine})`, () => {
    let w: TwilioWorld;
    let clock: ReturnType<typeof manualClock>;
    beforeEach(async () => {
      clock = manualClock();
      w = await createTwilioWorld(engine, { clock, env: { ALLOW_SIGNUP: 'true' } });
    });
    afterEach(async () => {
      await w.destroy();
    });

    const text = async (from: string, body: string) => {
      clock.advance(60_000);
      expect((await postWebhook(w, inboundParams(w, { From: from, Body: body }))).status).toBe(200);
    };
    const customerId = async (phone: string) => (await w.agent.api.get(`/api/customers?phone=${encodeURIComponent(phone)}`)).body.items[0].id as string;

    it('finds a customer by phone written any common way, and refuses what is not a phone number', async () => {
      await text('+14155550301', 'hi');
      for (const phone of ['+14155550301', '(415) 555-0301', '415.555.0301', '+1 415 555 0301']) {
        const res = await w.agent.api.get(`/api/customers?phone=${encodeURIComponent(phone)}`);
        expect(res.body.items.map((c: any) => c.phone), phone).toEqual(['+14155550301']);
      }
      expect((await w.agent.api.get('/api/customers?phone=%2B14155550302')).body).toEqual({ items: [], nextCursor: null });
      const bad = await w.agent.api.get('/api/customers?phone=call-me');
      expect(bad.status).toBe(422);
      expect(bad.body.error.field).toBe('phone');
    });

    it('searches name, email and phone digits, and pages newest first', async () => {
      for (let i = 0; i < 4; i++) await text(`+1415555031${i}`, 'hi');
      await w.agent.api.patch(`/api/customers/${await customerId('+14155550310')}`, { name: 'Ada Lovelace' });
      await w.agent.api.patch(`/api/customers/${await customerId('+14155550311')}`, { email: 'Babbage@Engines.test' });
      const phones = async (query: string) => (await w.agent.api.get(`/api/customers${query}`)).body.items.map((c: any) => c.phone);
      expect(await phones('?q=lovelace')).toEqual(['+14155550310']);
      expect(await phones('?q=engines')).toEqual(['+14155550311']);
      expect(await phones('?q=555-0312')).toEqual(['+14155550312']);
      const first = await w.agent.api.get('/api/customers?limit=3');
      expect(first.body.items.map((c: any) => c.phone)).toEqual(['+14155550313', '+14155550312', '+14155550311']);
      const rest = await w.agent.api.get(`/api/customers?limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      expect(rest.body).toEqual({ items: [expect.objectContaining({ phone: '+14155550310' })], nextCursor: null });
    });

    it('edits name, email and notes, emitting customer.updated, and clears a field with null or an empty string', async () => {
      await text('+14155550321', 'hi');
      const id = await customerId('+14155550321');
      const rec = recordEvents(w);
      await rec.reset();
      const res = await w.agent.api.patch(`/api/customers/${id}`, { name: '  Grace Hopper ', email: 'GRACE@navy.test', notes: 'Prefers texts in the morning' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, name: 'Grace Hopper', email: 'grace@navy.test', notes: 'Prefers texts in the morning', phone: '+14155550321' });
      await rec.settle();
      expect(rec.events).toEqual([expect.objectContaining({ type: 'customer.updated', data: res.body })]);
      expect((await w.agent.api.get(`/api/customers/${id}`)).body).toEqual(res.body);

      const cleared = await w.agent.api.patch(`/api/customers/${id}`, { email: '', notes: null });
      expect(cleared.body).toMatchObject({ name: 'Grace Hopper', email: null, notes: null });
      // The inbox shows the new name too.
      expect((await w.agent.api.get('/api/conversations')).body.items[0].customer.name).toBe('Grace Hopper');
      rec.stop();
    });

    it('refuses bad edits with 422 naming the field, changing nothing', async () => {
      await text('+14155550331', 'hi');
      const id = await customerId('+14155550331');
      await w.agent.api.patch(`/api/customers/${id}`, { name: 'Kept' });
      for (const [body, field] of [
        [{ email: 'not an email' }, 'email'],
        [{ name: 'x'.repeat(201) }, 'name'],
        [{ notes: 'x'.repeat(10_001) }, 'notes'],
        [{ name: 42 }, 'name'],
        [{ phone: '+14155550000' }, 'phone'],
      ] as const) {
        const res = await w.agent.api.patch(`/api/customers/${id}`, body);
        expect(res.status, JSON.stringify(body)).toBe(422);
        expect(res.body.error.field).toBe(field);
      }
      expect((await w.agent.api.get(`/api/customers/${id}`)).body).toMatchObject({ name: 'Kept', email: null, notes: null, phone: '+14155550331' });
    });

    it("answers 404 for another organization's customer", async () => {
      await text('+14155550341', 'hi');
      const id = await customerId('+14155550341');
      const other = await w.anonymous.post('/api/signup', { orgName: 'Other', name: 'Olga', email: 'olga@other.test', password: PASSWORD });
      const stranger = apiClient(w.server.app, other.body.token);
      expect((await stranger.get('/api/customers')).body.items).toEqual([]);
      expect((await stranger.get('/api/customers?phone=%2B14155550341')).body.items).toEqual([]);
      expect((await stranger.get(`/api/customers/${id}`)).status).toBe(404);
      expect((await stranger.get(`/api/customers/${id}/timeline`)).status).toBe(404);
      expect((await stranger.patch(`/api/customers/${id}`, { name: 'Mallory' })).status).toBe(404);
      expect((await w.agent.api.get(`/api/customers/${id}`)).body.name).toBeNull();
    });

    it('shows the timeline: conversations newest first, each with its count and newest messages', async () => {
      await text('+14155550351', 'monday 1');
      await text('+14155550351', 'monday 2');
      clock.advance(48 * HOUR);
      await text('+14155550351', 'wednesday');
      await text('+14155550352', 'someone else');
      const id = await customerId('+14155550351');
      const res = await w.agent.api.get(`/api/customers/${id}/timeline`);
      expect(res.status).toBe(200);
      expect(res.body.customer).toMatchObject({ id, phone: '+14155550351' });
      expect(res.body.conversations.map((c: any) => c.messages.map((m: any) => m.body))).toEqual([['wednesday'], ['monday 1', 'monday 2']]);
      expect(res.body.conversations[1]).toMatchObject({ customer: { id }, status: 'open', preview: 'monday 2', unread: true, messageCount: 2, messagesCursor: null });
      expect(res.body.nextCursor).toBeNull();
    });
  });
}

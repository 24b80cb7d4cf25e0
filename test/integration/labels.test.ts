import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient, eventually } from '../helpers/api.js';
import { inboundParams, manualClock, postWebhook, recordEvents } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';
import { PASSWORD } from '../helpers/world.js';

for (const engine of ENGINES) {
  describe(`labels (${engine})`, () => {
    let w: TwilioWorld;
    let clock: ReturnType<typeof manualClock>;
    beforeEach(async () => {
      clock = manualClock(Date.now());
      w = await createTwilioWorld(engine, { clock, env: { ALLOW_SIGNUP: 'true' } });
    });
    afterEach(() => w.destroy());

    const text = async (from: string, body: string) => {
      clock.advance(60_000);
      expect((await postWebhook(w, inboundParams(w, { From: from, Body: body }))).status).toBe(200);
    };
    const label = async (name: string, color = '#1f5f8b') => {
      const res = await w.admin.api.post('/api/labels', { name, color });
      expect(res.status).toBe(201);
      return res.body as { id: string; name: string; color: string };
    };
    const inbox = async (query: string) => (await w.agent.api.get(`/api/conversations${query}`)).body.items as any[];

    it('admins manage labels, unique per organization whatever the case; agents may only read them', async () => {
      const billing = await label('Billing', '#ABCDEF');
      expect(billing).toEqual({ id: expect.any(String), name: 'Billing', color: '#abcdef' });
      const duplicate = await w.admin.api.post('/api/labels', { name: 'billing', color: '#000000' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.error.message).toContain('billing');
      expect((await w.admin.api.post('/api/labels', { name: 'Bad', color: 'red' })).status).toBe(422);
      expect((await w.agent.api.post('/api/labels', { name: 'Mine', color: '#000000' })).status).toBe(403);
      expect((await w.agent.api.patch(`/api/labels/${billing.id}`, { name: 'x' })).status).toBe(403);

      const renamed = await w.admin.api.patch(`/api/labels/${billing.id}`, { name: 'Invoices', color: '#112233' });
      expect(renamed.body).toEqual({ id: billing.id, name: 'Invoices', color: '#112233' });
      await label('Urgent');
      expect((await w.admin.api.patch(`/api/labels/${billing.id}`, { name: 'URGENT' })).status).toBe(409);
      expect((await w.agent.api.get('/api/labels')).body.map((l: any) => l.name)).toEqual(['Invoices', 'Urgent']);

      // Another organization may use the same name, and cannot see or touch these.
      const other = await w.anonymous.post('/api/signup', { orgName: 'Other', name: 'Olga', email: 'olga@other.test', password: PASSWORD });
      const olga = apiClient(w.server.app, other.body.token);
      expect((await olga.post('/api/labels', { name: 'Invoices', color: '#000000' })).status).toBe(201);
      expect((await olga.patch(`/api/labels/${billing.id}`, { name: 'Mine' })).status).toBe(404);
      expect((await olga.delete(`/api/labels/${billing.id}`)).status).toBe(404);
      expect((await olga.get('/api/labels')).body.map((l: any) => l.name)).toEqual(['Invoices']);
    });

    it('any user labels a conversation; the inbox filters by label with status, assignee and search; events carry labels', async () => {
      const vip = await label('VIP', '#ffd700');
      const refund = await label('Refund', '#b42318');
      await text('+14155550301', 'from Grace');
      await text('+14155550302', 'from Linus');
      await text('+14155550303', 'from Ada');
      const all = await inbox('');
      const id = (preview: string) => all.find((c) => c.preview === preview).id as string;
      const events = recordEvents(w);

      const labelled = await w.agent.api.put(`/api/conversations/${id('from Grace')}/labels`, { labelIds: [vip.id, refund.id, vip.id] });
      expect(labelled.status).toBe(200);
      expect(labelled.body.labels).toEqual([refund, vip]);
      await w.agent.api.put(`/api/conversations/${id('from Linus')}/labels`, { labelIds: [vip.id] });
      await w.agent.api.put(`/api/conversations/${id('from Ada')}/labels`, { labelIds: [refund.id] });
      const update = await eventually(() => events.ofType('conversation.updated').find((e) => e.data.id === id('from Grace')), { what: 'the label event' });
      expect(update.data.labels).toEqual([refund, vip]);

      await w.agent.api.patch(`/api/conversations/${id('from Grace')}`, { assigneeId: w.agent.id });
      await w.agent.api.patch(`/api/conversations/${id('from Linus')}`, { status: 'closed' });
      const previews = async (query: string) => (await inbox(query)).map((c) => c.preview);
      expect(await previews(`?label=${vip.id}`)).toEqual(['from Linus', 'from Grace']);
      expect(await previews(`?label=${vip.id}&status=open`)).toEqual(['from Grace']);
      expect(await previews(`?label=${vip.id}&status=closed`)).toEqual(['from Linus']);
      expect(await previews(`?label=${refund.id}&assignee=me`)).toEqual(['from Grace']);
      expect(await previews(`?label=${refund.id}&assignee=unassigned`)).toEqual(['from Ada']);
      expect(await previews(`?label=${refund.id}&q=0303`)).toEqual(['from Ada']);
      expect((await inbox('')).find((c) => c.preview === 'from Grace').labels).toEqual([refund, vip]);

      // A new text keeps the labels in its event; a label taken off or deleted is gone everywhere.
      await events.reset();
      await text('+14155550301', 'Grace again');
      const inboundEvent = await eventually(() => events.ofType('conversation.updated').find((e) => e.data.id === id('from Grace')), { what: 'the inbound event' });
      expect(inboundEvent.data.labels).toEqual([refund, vip]);
      await w.agent.api.put(`/api/conversations/${id('from Ada')}/labels`, { labelIds: [] });
      expect(await previews(`?label=${refund.id}`)).toEqual(['Grace again']);
      expect((await w.admin.api.delete(`/api/labels/${refund.id}`)).status).toBe(204);
      expect(await previews(`?label=${refund.id}`)).toEqual([]);
      expect((await w.agent.api.get(`/api/conversations/${id('from Grace')}`)).body.labels).toEqual([vip]);
    });

    it("refuses a label of another organization (422) and another organization's conversation (404)", async () => {
      await text('+14155550311', 'hi');
      const conversation = (await inbox(''))[0];
      const other = await w.anonymous.post('/api/signup', { orgName: 'Other', name: 'Olga', email: 'olga@other.test', password: PASSWORD });
      const olga = apiClient(w.server.app, other.body.token);
      const theirs = (await olga.post('/api/labels', { name: 'Theirs', color: '#000000' })).body;
      const refused = await w.agent.api.put(`/api/conversations/${conversation.id}/labels`, { labelIds: [theirs.id] });
      expect(refused.status).toBe(422);
      expect(refused.body.error.message).toContain('labelIds');
      expect((await olga.put(`/api/conversations/${conversation.id}/labels`, { labelIds: [theirs.id] })).status).toBe(404);
      expect((await w.agent.api.get(`/api/conversations?label=${theirs.id}`)).body.items).toEqual([]);
    });
  });
}

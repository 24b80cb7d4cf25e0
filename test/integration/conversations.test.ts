import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../helpers/api.js';
import { HOUR, inboundParams, manualClock, postWebhook, recordEvents } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { PASSWORD } from '../helpers/world.js';
import { createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

for (const engine of ENGINES) {
  describe(`conversations API (${engine})`, () => {
    let w: TwilioWorld;
    let clock: ReturnType<typeof manualClock>;
    beforeEach(async () => {
      clock = manualClock();
      w = await createTwilioWorld(engine, { clock, env: { ALLOW_SIGNUP: 'true' } });
    });
    afterEach(async () => {
      await w.destroy();
    });

    /** A text from `from` one minute after the previous one, so activity order is the order sent. */
    const text = async (from: string, body: string, extra: Record<string, string> = {}) => {
      clock.advance(60_000);
      expect((await postWebhook(w, inboundParams(w, { From: from, Body: body, ...extra }))).status).toBe(200);
    };
    const setName = async (customerPhone: string, name: string) => {
      const found = await w.agent.api.get(`/api/customers?phone=${encodeURIComponent(customerPhone)}`);
      await w.agent.api.patch(`/api/customers/${found.body.items[0].id}`, { name });
    };
    const inbox = async (query = '', api = w.agent.api) => {
      const res = await api.get(`/api/conversations${query}`);
      expect(res.status).toBe(200);
      return res.body as { items: any[]; nextCursor: string | null };
    };

    it('lists newest activity first and pages with a cursor without repeats or gaps', async () => {
      for (let i = 0; i < 5; i++) await text(`+1415555021${i}`, `message ${i}`);
      await text('+14155550211', 'newest'); // moves an older conversation to the top
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { items: any[]; nextCursor: string | null } = await inbox(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        seen.push(...page.items.map((c) => c.preview));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(['newest', 'message 4', 'message 3', 'message 2', 'message 0']);
      expect((await inbox()).items).toHaveLength(5);
    });

    it('filters by status, assignee and a search on name or phone', async () => {
      await text('+14155550221', 'from Grace');
      await text('+14155550222', 'from Linus');
      await text('+14155550223', 'from nobody');
      await setName('+14155550221', 'Grace Hopper');
      await setName('+14155550222', 'Linus 50%_done');
      const all = await inbox();
      const id = (preview: string) => all.items.find((c) => c.preview === preview).id;
      await w.agent.api.patch(`/api/conversations/${id('from Grace')}`, { assigneeId: w.agent.id });
      await w.agent.api.patch(`/api/conversations/${id('from Linus')}`, { assigneeId: w.admin.id, status: 'closed' });

      const previews = async (query: string) => (await inbox(query)).items.map((c) => c.preview);
      expect(await previews('?status=open')).toEqual(['from nobody', 'from Grace']);
      expect(await previews('?status=closed')).toEqual(['from Linus']);
      expect(await previews('?assignee=me')).toEqual(['from Grace']);
      expect(await previews('?assignee=unassigned')).toEqual(['from nobody']);
      expect(await previews(`?assignee=${w.admin.id}`)).toEqual(['from Linus']);
      expect(await previews('?q=grace')).toEqual(['from Grace']);
      expect(await previews('?q=HOPPER')).toEqual(['from Grace']);
      expect(await previews(`?q=${encodeURIComponent('(415) 555-0223')}`)).toEqual(['from nobody']);
      expect(await previews('?q=0222')).toEqual(['from Linus']);
      // Wildcards are searched for, not obeyed.
      expect(await previews(`?q=${encodeURIComponent('50%_')}`)).toEqual(['from Linus']);
      expect(await previews(`?q=${encodeURIComponent('%_d')}`)).toEqual(['from Linus']);
      // Under 3 characters a query is the start of a name: "gr" finds Grace, "%" no one.
      expect(await previews('?q=gr')).toEqual(['from Grace']);
      expect(await previews('?q=ho')).toEqual([]);
      expect(await previews(`?q=${encodeURIComponent('%')}`)).toEqual([]);
      expect(await previews('?q=nobody-matches')).toEqual([]);
      expect(await previews('?status=open&assignee=unassigned&q=555')).toEqual(['from nobody']);
    });

    it('refuses bad list parameters with 422 naming them', async () => {
      for (const [query, field] of [
        ['?status=pending', 'status'],
        ['?limit=101', 'limit'],
        ['?limit=0', 'limit'],
        ['?cursor=not-a-cursor', 'cursor'],
        ['?sort=asc', 'sort'],
      ] as const) {
        const res = await w.agent.api.get(`/api/conversations${query}`);
        expect(res.status, query).toBe(422);
        expect(res.body.error.message).toContain(field);
      }
      expect((await w.anonymous.get('/api/conversations')).status).toBe(401);
    });

    it('keeps unread per agent: reading clears it for the reader only, a new text sets it again', async () => {
      await text('+14155550231', 'hello?');
      const [c] = (await inbox()).items;
      expect(c.unread).toBe(true);
      const read = await w.agent.api.post(`/api/conversations/${c.id}/read`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: c.id, unread: false });
      expect((await inbox()).items[0].unread).toBe(false);
      expect((await inbox('', w.admin.api)).items[0].unread).toBe(true);
      expect((await w.agent.api.get(`/api/conversations/${c.id}`)).body.unread).toBe(false);
      await text('+14155550231', 'anyone there?');
      expect((await inbox()).items[0].unread).toBe(true);
    });

    it('changes status and assignee, emitting conversation.updated', async () => {
      await text('+14155550241', 'help');
      const [c] = (await inbox()).items;
      const rec = recordEvents(w);
      await rec.reset();
      const res = await w.agent.api.patch(`/api/conversations/${c.id}`, { status: 'closed', assigneeId: w.agent.id });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: c.id, status: 'closed', assigneeId: w.agent.id });
      await rec.settle();
      expect(rec.events).toEqual([expect.objectContaining({ type: 'conversation.updated', data: expect.objectContaining({ id: c.id, status: 'closed', assigneeId: w.agent.id }) })]);
      const unassigned = await w.agent.api.patch(`/api/conversations/${c.id}`, { assigneeId: null, status: 'open' });
      expect(unassigned.body).toMatchObject({ status: 'open', assigneeId: null });
      expect((await w.agent.api.get(`/api/conversations/${c.id}`)).body).toMatchObject({ status: 'open', assigneeId: null });
      rec.stop();
    });

    it('refuses an assignee who is not an active user of the organization, and bad fields', async () => {
      await text('+14155550251', 'help');
      const [c] = (await inbox()).items;
      const leaver = await w.addUser('agent');
      await w.admin.api.delete(`/api/users/${leaver.id}`);
      const other = await w.anonymous.post('/api/signup', { orgName: 'Other', name: 'Olga', email: 'olga@other.test', password: PASSWORD });
      for (const assigneeId of [leaver.id, other.body.user.id, 'no-such-user']) {
        const res = await w.agent.api.patch(`/api/conversations/${c.id}`, { assigneeId });
        expect(res.status).toBe(422);
        expect(res.body.error.field).toBe('assigneeId');
      }
      expect((await w.agent.api.patch(`/api/conversations/${c.id}`, { status: 'archived' })).body.error.field).toBe('status');
      expect((await w.agent.api.patch(`/api/conversations/${c.id}`, { preview: 'x' })).body.error.field).toBe('preview');
      expect((await w.agent.api.get(`/api/conversations/${c.id}`)).body).toMatchObject({ status: 'open', assigneeId: null });
    });

    it("answers 404 for another organization's conversation, on every route", async () => {
      await text('+14155550261', 'private');
      const [c] = (await inbox()).items;
      const other = await w.anonymous.post('/api/signup', { orgName: 'Other', name: 'Olga', email: 'olga@other.test', password: PASSWORD });
      const stranger = apiClient(w.server.app, other.body.token);
      expect((await stranger.get('/api/conversations')).body.items).toEqual([]);
      expect((await stranger.get(`/api/conversations/${c.id}`)).status).toBe(404);
      expect((await stranger.get(`/api/conversations/${c.id}/messages`)).status).toBe(404);
      expect((await stranger.patch(`/api/conversations/${c.id}`, { status: 'closed' })).status).toBe(404);
      expect((await stranger.post(`/api/conversations/${c.id}/read`)).status).toBe(404);
      expect((await w.agent.api.get(`/api/conversations/${c.id}`)).body.status).toBe('open');
    });

    it('pages the thread from the newest messages back, each page oldest first', async () => {
      for (let i = 1; i <= 5; i++) await text('+14155550271', `m${i}`);
      const [c] = (await inbox()).items;
      const first = await w.agent.api.get(`/api/conversations/${c.id}/messages?limit=2`);
      expect(first.body.items.map((m: any) => m.body)).toEqual(['m4', 'm5']);
      const second = await w.agent.api.get(`/api/conversations/${c.id}/messages?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      expect(second.body.items.map((m: any) => m.body)).toEqual(['m2', 'm3']);
      const third = await w.agent.api.get(`/api/conversations/${c.id}/messages?limit=2&cursor=${encodeURIComponent(second.body.nextCursor)}`);
      expect(third.body).toMatchObject({ items: [expect.objectContaining({ body: 'm1' })], nextCursor: null });
      const all = await w.agent.api.get(`/api/conversations/${c.id}/messages`);
      expect(all.body.items.map((m: any) => m.body)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
      expect(all.body.nextCursor).toBeNull();
      expect((await w.agent.api.get(`/api/conversations/${c.id}/messages?cursor=xyz`)).status).toBe(422);
    });

    it('starts a new conversation after the window, and both stay listed', async () => {
      await text('+14155550281', 'monday');
      clock.advance(30 * HOUR);
      await text('+14155550281', 'wednesday');
      expect((await inbox()).items.map((c) => c.preview)).toEqual(['wednesday', 'monday']);
    });
  });
}

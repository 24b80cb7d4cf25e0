import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient, eventually } from '../helpers/api.js';
import { HOUR, inboundParams, manualClock, postWebhook, recordEvents } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, CUSTOMER_PHONE, type TwilioWorld } from '../helpers/twilio-world.js';
import { PASSWORD } from '../helpers/world.js';

for (const engine of ENGINES) {
  describe(`internal notes (${engine})`, () => {
    let w: TwilioWorld;
    let clock: ReturnType<typeof manualClock>;
    beforeEach(async () => {
      clock = manualClock(Date.now());
      w = await createTwilioWorld(engine, { clock, env: { ALLOW_SIGNUP: 'true' } });
    });
    afterEach(() => w.destroy());

    const text = async (body: string) => {
      expect((await postWebhook(w, inboundParams(w, { Body: body }))).status).toBe(200);
    };
    const firstConversation = async (api = w.agent.api) => (await api.get('/api/conversations')).body.items[0];

    it('adds a note to the thread that is never sent and is not customer activity', async () => {
      await text('Where is my refund?');
      const before = await firstConversation();
      const events = recordEvents(w);
      clock.advance(60_000);

      const res = await w.agent.api.post(`/api/conversations/${before.id}/notes`, { body: '  Checked: refund went out Monday  ' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        conversationId: before.id,
        direction: 'note',
        body: 'Checked: refund went out Monday',
        status: null,
        segments: null,
        encoding: null,
        twilioSid: null,
        authorId: w.agent.id,
        mentions: [],
        media: [],
      });
      const after = await firstConversation();
      expect(after).toMatchObject({ lastMessageAt: before.lastMessageAt, preview: before.preview });

      const thread = (await w.agent.api.get(`/api/conversations/${before.id}/messages`)).body.items;
      expect(thread.map((m: any) => [m.direction, m.body])).toEqual([
        ['inbound', 'Where is my refund?'],
        ['note', 'Checked: refund went out Monday'],
      ]);
      await eventually(() => events.ofType('message.created').some((e) => e.data.id === res.body.id), { what: 'the note published live' });
      expect(events.events.map((e) => e.type)).toEqual(['message.created']);

      // A reply sent after the note reaches the phone; the note never does.
      const reply = await w.agent.api.post(`/api/conversations/${before.id}/messages`, { body: 'It went out Monday' });
      expect(reply.status).toBe(202);
      await eventually(() => w.sim.phoneInbox(CUSTOMER_PHONE).length > 0, { what: 'the reply on the phone' });
      expect(w.sim.messages().map((m) => m.body)).not.toContain('Checked: refund went out Monday');
      const jobs = await w.server.ctx.db.selectFrom('jobs').select('subject').execute();
      expect(jobs.map((j) => j.subject)).not.toContain(res.body.id);
    });

    it('leaves threading alone: a note does not keep the conversation open for the next text', async () => {
      await text('first');
      const first = await firstConversation();
      clock.advance(23 * HOUR);
      await w.agent.api.post(`/api/conversations/${first.id}/notes`, { body: 'follow up tomorrow' });
      clock.advance(2 * HOUR); // 25 hours after the customer's last text, 2 after the note
      await text('second');
      const items = (await w.agent.api.get('/api/conversations')).body.items;
      expect(items.map((c: any) => c.preview)).toEqual(['second', 'first']);
    });

    it('marks the conversation unread only for the active users it mentions', async () => {
      await text('help');
      const conversation = await firstConversation();
      const grace = await w.addUser('agent', 'grace@acme.test');
      await w.admin.api.patch(`/api/users/${grace.id}`, { name: 'Grace Hopper' });
      const gone = await w.addUser('agent', 'gone@acme.test');
      await w.admin.api.patch(`/api/users/${gone.id}`, { name: 'Gone User' });
      await w.admin.api.delete(`/api/users/${gone.id}`);
      for (const u of [w.agent, grace, w.admin]) await u.api.post(`/api/conversations/${conversation.id}/read`);
      clock.advance(1000);

      const agentName = (await w.agent.api.get('/api/me')).body.user.name as string;
      const events = recordEvents(w);
      const res = await w.admin.api.post(`/api/conversations/${conversation.id}/notes`, {
        body: `@${agentName.toUpperCase()} please call; cc @Gone User and @Grace, @Ada Admin`,
      });
      expect(res.status).toBe(201);
      // "@Grace" is not Grace Hopper's name; the deactivated user is not mentioned; the author may name themself.
      expect(new Set(res.body.mentions)).toEqual(new Set([w.agent.id, w.admin.id]));
      const published = await eventually(() => events.ofType('message.created').find((e) => e.data.id === res.body.id), { what: 'the note event' });
      expect(new Set(published.data.mentions)).toEqual(new Set([w.agent.id, w.admin.id]));

      expect((await firstConversation(w.agent.api)).unread).toBe(true);
      expect((await firstConversation(grace.api)).unread).toBe(false);
      expect((await firstConversation(w.admin.api)).unread).toBe(false);
      expect((await w.agent.api.get(`/api/conversations/${conversation.id}`)).body.unread).toBe(true);

      clock.advance(1000);
      await w.agent.api.post(`/api/conversations/${conversation.id}/read`);
      expect((await firstConversation(w.agent.api)).unread).toBe(false);
    });

    it('a mention of someone who never opened the conversation keeps its texts unread too', async () => {
      await text('hello?');
      const conversation = await firstConversation();
      const agentName = (await w.agent.api.get('/api/me')).body.user.name as string;
      await w.admin.api.post(`/api/conversations/${conversation.id}/notes`, { body: `@${agentName} yours` });
      expect((await firstConversation(w.agent.api)).unread).toBe(true);
      // An inbound text after the agent read the mention is unread again, as always.
      clock.advance(1000);
      await w.agent.api.post(`/api/conversations/${conversation.id}/read`);
      clock.advance(1000);
      await text('anyone?');
      expect((await firstConversation(w.agent.api)).unread).toBe(true);
    });

    it("answers 404 for another organization's conversation and 422 for an empty or too long note", async () => {
      await text('hi');
      const conversation = await firstConversation();
      const other = await w.anonymous.post('/api/signup', { orgName: 'Other', name: 'Olga', email: 'olga@other.test', password: PASSWORD });
      const olga = apiClient(w.server.app, other.body.token);
      const stranger = await olga.post(`/api/conversations/${conversation.id}/notes`, { body: 'peek' });
      expect(stranger.status).toBe(404);
      expect(stranger.body.error.code).toBe('not_found');

      const empty = await w.agent.api.post(`/api/conversations/${conversation.id}/notes`, { body: '   ' });
      expect(empty.status).toBe(422);
      expect(empty.body.error.message).toContain('body');
      const long = await w.agent.api.post(`/api/conversations/${conversation.id}/notes`, { body: 'x'.repeat(10_001) });
      expect(long.status).toBe(422);
      expect((await w.agent.api.post(`/api/conversations/${conversation.id}/notes`, { body: 'x'.repeat(10_000) })).status).toBe(201);
      const thread = (await w.agent.api.get(`/api/conversations/${conversation.id}/messages`)).body.items;
      expect(thread.filter((m: any) => m.direction === 'note')).toHaveLength(1);
    });
  });
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_MS } from '../../src/features/events/routes.js';
import { eventually } from '../helpers/api.js';
import { markerCustomer, openEventStream } from '../helpers/inbound.js';
import { ENGINES, startTestServer, type TestServer } from '../helpers/server.js';
import { PASSWORD } from '../helpers/world.js';
import { CUSTOMER_PHONE, createTwilioWorld, freePort, type TwilioWorld } from '../helpers/twilio-world.js';

for (const engine of ENGINES) {
  describe(`event stream (${engine})`, () => {
    let w: TwilioWorld;
    const cleanup: Array<() => Promise<unknown>> = [];
    beforeEach(async () => {
      w = await createTwilioWorld(engine, { env: { ALLOW_SIGNUP: 'true' } });
    });
    afterEach(async () => {
      vi.useRealTimers();
      for (const c of cleanup.splice(0).reverse()) await c();
      await w.destroy();
    });

    const stream = async (token = w.agent.token, base = w.publicUrl) => {
      const s = await openEventStream(base, token);
      cleanup.push(() => s.close());
      return s;
    };

    it("shows a customer's text on an agent's open stream within a second", async () => {
      const s = await stream();
      expect(s.status).toBe(200);
      expect(s.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      const started = Date.now();
      const sent = w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'is anyone there?' });
      const frame = await eventually(() => s.frames.find((f) => f.type === 'message.created'), { timeoutMs: 1000, what: 'message.created within a second' });
      expect(Date.now() - started).toBeLessThan(1000);
      await sent;
      expect(frame.data).toMatchObject({ direction: 'inbound', body: 'is anyone there?', status: 'received' });
      expect(s.frames.map((f) => f.type)).toEqual(['conversation.created', 'message.created']);
      expect(s.frames[0]!.data).toMatchObject({ customer: { phone: CUSTOMER_PHONE }, preview: 'is anyone there?', unread: true });
    });

    it('sends each event as a bare data frame, so EventSource.onmessage receives every type', async () => {
      const s = await stream();
      await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'hi' });
      await eventually(() => s.frames.length >= 2, { what: 'two events' });
      const frames = s.rawFrames.filter((f) => f.includes('data:'));
      for (const f of frames) {
        expect(f).toMatch(/^data: \{"type":"[a-z.]+","data":\{.*\}\}$/);
        expect(f).not.toMatch(/^event:/m);
      }
      expect(JSON.parse(frames[1]!.slice(6))).toEqual({ type: 'message.created', data: expect.objectContaining({ body: 'hi' }) });
    });

    it("carries only the caller's organization", async () => {
      const other = await w.anonymous.post('/api/signup', { orgName: 'Other', name: 'Olga', email: 'olga@other.test', password: PASSWORD });
      const theirs = await stream(other.body.token);
      const ours = await stream();
      await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'for Acme only' });
      await eventually(() => ours.frames.length >= 2, { what: 'our events' });
      // A marker published to the other organization after ours proves their stream is caught up.
      const marker = markerCustomer('marker');
      await w.server.ctx.events.publish({ type: 'customer.updated', organizationId: other.body.organization.id, data: marker });
      await eventually(() => theirs.frames.length >= 1, { what: 'the marker' });
      expect(theirs.frames).toEqual([{ type: 'customer.updated', data: marker }]);
    });

    it('refuses a request without a session', async () => {
      const res = await fetch(`${w.publicUrl}/api/events`);
      expect(res.status).toBe(401);
      const forged = await fetch(`${w.publicUrl}/api/events`, { headers: { authorization: 'Bearer nope' } });
      expect(forged.status).toBe(401);
    });

    it('unsubscribes when the client goes away', async () => {
      let active = 0;
      const subscribe = w.server.ctx.events.subscribe.bind(w.server.ctx.events);
      vi.spyOn(w.server.ctx.events, 'subscribe').mockImplementation((org, listener) => {
        active++;
        const off = subscribe(org, listener);
        return () => {
          active--;
          off();
        };
      });
      const a = await stream();
      const b = await stream();
      await eventually(() => active === 2, { what: 'two subscriptions' });
      await a.close();
      await eventually(() => active === 1, { what: 'one subscription left' });
      await b.close();
      await eventually(() => active === 0, { what: 'no subscription left' });
    });

    it('sends a heartbeat, and ends the stream once the session has ended', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const s = await stream();
      await eventually(() => s.rawFrames.length >= 1, { what: 'the opening comment' });
      vi.advanceTimersByTime(HEARTBEAT_MS);
      await eventually(() => s.rawFrames.includes(': heartbeat'), { what: 'a heartbeat' });
      expect(s.ended).toBe(false);
      await w.admin.api.delete(`/api/users/${w.agent.id}`);
      vi.advanceTimersByTime(HEARTBEAT_MS);
      await eventually(() => s.ended, { what: 'the stream to end' });
    });

    it('lets the server shut down with streams open', async () => {
      const s = await stream();
      await w.server.app.close();
      await eventually(() => s.ended, { what: 'the stream to end' });
    });

    if (engine === 'postgres') {
      it('reaches a second server process on the same database, both ways', async () => {
        const port = await freePort();
        const second: TestServer = await startTestServer('postgres', {
          pgSchema: w.server.ctx.database.pgSchema,
          env: { PUBLIC_URL: `http://127.0.0.1:${port}`, TWILIO_API_URL: w.sim.url },
        });
        cleanup.push(() => second.destroy());
        await second.app.listen({ port, host: '127.0.0.1' });
        const onSecond = await stream(w.agent.token, `http://127.0.0.1:${port}`);
        const onFirst = await stream(w.admin.token);

        await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'seen everywhere' });
        const created = await eventually(() => onSecond.frames.find((f) => f.type === 'message.created'), { what: 'the event on the second server' });
        expect(created.data.body).toBe('seen everywhere');

        const res = await second.app.inject({
          method: 'PATCH',
          url: `/api/conversations/${created.data.conversationId}`,
          headers: { authorization: `Bearer ${w.agent.token}` },
          payload: { status: 'closed' },
        });
        expect(res.statusCode).toBe(200);
        const updated = await eventually(() => onFirst.frames.find((f) => f.type === 'conversation.updated' && f.data.status === 'closed'), { what: 'the update on the first server' });
        expect(updated.data.id).toBe(created.data.conversationId);
      });
    }
  });
}

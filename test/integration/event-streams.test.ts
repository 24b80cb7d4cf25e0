import { Writable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SESSION_IDLE_MS } from '../../src/features/accounts/sessions.js';
import { createPgBus, type StreamSignal } from '../../src/features/events/bus.js';
import { HEARTBEAT_MS, MAX_STREAMS_PER_SESSION } from '../../src/features/events/routes.js';
import { eventually } from '../helpers/api.js';
import { markerCustomer, openEventStream } from '../helpers/inbound.js';
import { ENGINES, startTestServer } from '../helpers/server.js';
import { PASSWORD } from '../helpers/world.js';
import { CUSTOMER_PHONE, createTwilioWorld, freePort, type TwilioWorld } from '../helpers/twilio-world.js';

/** A logger whose lines the test can read (the bus logs its listener's backend pid). */
function capturedLog() {
  const lines: Array<Record<string, any>> = [];
  const log = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
  const listenerPids = () => lines.filter((l) => l.msg === 'event listener connected').map((l) => l.backendPid as number);
  return { log, lines, listenerPids };
}

async function terminateBackend(pid: number) {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    expect((await client.query('select pg_terminate_backend($1) as ok', [pid])).rows[0].ok).toBe(true);
  } finally {
    await client.end();
  }
}

for (const engine of ENGINES) {
  describe(`event streams end with their session (${engine})`, () => {
    let w: TwilioWorld;
    const cleanup: Array<() => Promise<unknown>> = [];
    afterEach(async () => {
      vi.useRealTimers();
      for (const c of cleanup.splice(0).reverse()) await c();
      await w?.destroy();
    });

    const stream = async (token: string, base = w.publicUrl) => {
      const s = await openEventStream(base, token);
      cleanup.push(() => s.close());
      return s;
    };
    const signIn = async (email: string) => (await w.anonymous.post('/api/login', { email, password: PASSWORD })).body.token as string;

    it("ends a session's streams at once when it signs out, and no other session's", async () => {
      w = await createTwilioWorld(engine);
      const other = await signIn(w.agent.email);
      const signedOut = await stream(w.agent.token);
      const stays = await stream(other);
      expect((await w.agent.api.post('/api/logout')).status).toBe(204);
      // Well before the next heartbeat: the sign-out itself ends the stream.
      await eventually(() => signedOut.ended, { timeoutMs: HEARTBEAT_MS / 2, what: 'the signed-out stream to end' });
      await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'still here?' });
      await eventually(() => stays.frames.some((f) => f.type === 'message.created'), { what: 'the event on the other session' });
      expect(stays.ended).toBe(false);
      expect(signedOut.frames).toEqual([]);
    });

    it('ends the streams of a deactivated user at once', async () => {
      w = await createTwilioWorld(engine);
      const s = await stream(w.agent.token);
      const admin = await stream(w.admin.token);
      expect((await w.admin.api.delete(`/api/users/${w.agent.id}`)).status).toBe(200);
      await eventually(() => s.ended, { timeoutMs: HEARTBEAT_MS / 2, what: "the deactivated user's stream to end" });
      expect(admin.ended).toBe(false);
    });

    it('ends the other sessions\' streams when the password changes', async () => {
      w = await createTwilioWorld(engine);
      const elsewhere = await stream(await signIn(w.agent.email));
      const here = await stream(w.agent.token);
      const changed = await w.agent.api.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'another horse battery' });
      expect(changed.status).toBeLessThan(300);
      await eventually(() => elsewhere.ended, { timeoutMs: HEARTBEAT_MS / 2, what: 'the other session\'s stream to end' });
      expect(here.ended).toBe(false);
    });

    it('does not count an open stream as use: an idle session expires and its stream ends', async () => {
      let offset = 0;
      w = await createTwilioWorld(engine, { clock: { now: () => Date.now() + offset } });
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const s = await stream(w.agent.token);
      const heartbeats = () => s.rawFrames.filter((f) => f === ': heartbeat').length;
      offset = SESSION_IDLE_MS - 3600_000;
      vi.advanceTimersByTime(HEARTBEAT_MS);
      await eventually(() => heartbeats() === 1, { what: 'a heartbeat' });
      offset = SESSION_IDLE_MS + 3600_000;
      vi.advanceTimersByTime(HEARTBEAT_MS);
      await eventually(() => s.ended, { what: 'the expired session\'s stream to end' });
      expect((await w.agent.api.get('/api/me')).status).toBe(401);
    });

    it(`caps a session at ${MAX_STREAMS_PER_SESSION} open streams with a 429 that says why`, async () => {
      w = await createTwilioWorld(engine);
      const open = [];
      for (let i = 0; i < MAX_STREAMS_PER_SESSION; i++) open.push(await stream(w.agent.token));
      expect(open.map((s) => s.status)).toEqual(Array(MAX_STREAMS_PER_SESSION).fill(200));
      const refused = await fetch(`${w.publicUrl}/api/events`, { headers: { authorization: `Bearer ${w.agent.token}` } });
      expect(refused.status).toBe(429);
      const { error } = (await refused.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('too_many_requests');
      expect(error.message).toMatch(new RegExp(`already has ${MAX_STREAMS_PER_SESSION} open event streams`));
      // Another session of the same user is counted on its own, and a closed stream frees its place.
      expect((await stream(await signIn(w.agent.email))).status).toBe(200);
      await open[0]!.close();
      await eventually(async () => (await stream(w.agent.token)).status === 200, { what: 'a freed place' });
    });

    if (engine === 'postgres') {
      it('ends a stream served by another process when the session signs out', async () => {
        w = await createTwilioWorld(engine);
        const port = await freePort();
        const second = await startTestServer('postgres', {
          pgSchema: w.server.ctx.database.pgSchema,
          env: { PUBLIC_URL: `http://127.0.0.1:${port}`, TWILIO_API_URL: w.sim.url },
        });
        cleanup.push(() => second.destroy());
        await second.app.listen({ port, host: '127.0.0.1' });
        const onSecond = await stream(w.agent.token, `http://127.0.0.1:${port}`);
        expect((await w.agent.api.post('/api/logout')).status).toBe(204);
        await eventually(() => onSecond.ended, { timeoutMs: HEARTBEAT_MS / 2, what: 'the stream on the other process to end' });
      });
    }
  });
}

if (ENGINES.includes('postgres')) {
  describe('the PostgreSQL listener (postgres)', () => {
    let w: TwilioWorld;
    afterEach(async () => {
      vi.restoreAllMocks();
      await w?.destroy();
    });

    it("reconnects after its backend is terminated, and every open stream of the process gets a resync", async () => {
      const logs = capturedLog();
      w = await createTwilioWorld('postgres', { log: logs.log });
      const a = await openEventStream(w.publicUrl, w.agent.token);
      const b = await openEventStream(w.publicUrl, w.admin.token);
      try {
        const [pid] = logs.listenerPids();
        await terminateBackend(pid!);
        await eventually(() => a.frames.some((f) => f.type === 'resync') && b.frames.some((f) => f.type === 'resync'), { what: 'a resync on both streams' });
        expect(a.frames.find((f) => f.type === 'resync')).toEqual({ type: 'resync', data: {} });
        expect(logs.listenerPids()).toHaveLength(2);
        // Events flow again through the new connection.
        await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'after the reconnect' });
        await eventually(() => a.frames.some((f) => f.type === 'message.created' && f.data.body === 'after the reconnect'), { what: 'an event after the reconnect' });
        expect(a.ended).toBe(false);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('sends what is published together in a few statements of one name, every event once and in the order published', async () => {
      w = await createTwilioWorld('postgres');
      const pool = w.server.ctx.database.pgPool!;
      let statements = 0;
      const counted = {
        connect: pool.connect.bind(pool) as pg.Pool['connect'],
        query: ((...args: Parameters<pg.Pool['query']>) => (statements++, pool.query(...args))) as pg.Pool['query'],
      };
      // What reaches the connection: the statement-naming client gives the NOTIFY its name there.
      const names = new Set<string | undefined>();
      const query = pg.Client.prototype.query;
      vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
        const [first] = args as [string | { name?: string; text: string }];
        const text = typeof first === 'string' ? first : first.text;
        if (text.includes('pg_notify')) names.add(typeof first === 'string' ? undefined : first.name);
        return (query as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof query);
      const bus = await createPgBus(counted, pino({ level: 'silent' }));
      const heard: string[] = [];
      bus.subscribe('org-1', (e) => heard.push(e.data.id as string));
      try {
        // A message's event and its conversation's, published by one call, go in one statement.
        await bus.publish(['one', 'two'].map((id) => ({ type: 'customer.updated', organizationId: 'org-1', data: markerCustomer(id) })));
        expect(statements).toBe(1);
        await eventually(() => heard.length === 2, { what: 'both events' });
        heard.length = 0;
        statements = 0;
        const published = Array.from({ length: 40 }, (_, call) => Array.from({ length: 5 }, (_, n) => `c${call}-e${n}`));
        await Promise.all(published.map((ids) => bus.publish(ids.map((id) => ({ type: 'customer.updated', organizationId: 'org-1', data: markerCustomer(id) })))));
        await eventually(() => heard.length >= 200, { what: 'all 200 events' });
        expect(heard).toEqual(published.flat());
        // One statement per event, or per publish call, would be 200 or 40.
        expect(statements).toBeLessThan(10);
        // Named, so a connection parses and plans it once, not at every send.
        expect(names.size).toBe(1);
        expect([...names][0]).toEqual(expect.any(String));
      } finally {
        await bus.close();
      }
    });

    it('carries any text intact, line breaks, quotes, backslashes and NUL included, however many events go together', async () => {
      w = await createTwilioWorld('postgres');
      const bus = await createPgBus(w.server.ctx.database.pgPool!, pino({ level: 'silent' }));
      const heard: unknown[] = [];
      bus.subscribe('org-1', (e) => heard.push(e.data));
      try {
        const texts = ['line one\nline two\r\n', 'say "hi", {a}\\n [b]', 'nul \u0000 and \u2028 and \t', '😀 é ,', '', '\\'];
        const sent = texts.map((notes, i) => ({ ...markerCustomer(`t${i}`), notes }));
        await Promise.all(sent.map((data) => bus.publish({ type: 'customer.updated', organizationId: 'org-1', data })));
        await eventually(() => heard.length === sent.length, { what: 'every event' });
        expect(heard).toEqual(sent);
      } finally {
        await bus.close();
      }
    });

    it('keeps retrying, with backoff, while the database refuses connections', async () => {
      const logs = capturedLog();
      w = await createTwilioWorld('postgres');
      const pool = w.server.ctx.database.pgPool!;
      let refusals = 0;
      let attempts = 0;
      const flaky = {
        query: pool.query.bind(pool) as pg.Pool['query'],
        connect: async () => {
          // The first connection works; then the database is "down" for five attempts.
          if (attempts++ > 0 && refusals < 5) {
            refusals++;
            throw new Error('the database system is starting up');
          }
          return pool.connect();
        },
      } as Pick<pg.Pool, 'connect' | 'query'>;
      const bus = await createPgBus(flaky, logs.log, { firstRetryMs: 5, maxRetryMs: 20 });
      const signals: StreamSignal[] = [];
      const heard: unknown[] = [];
      bus.onSignal((s) => signals.push(s));
      bus.subscribe('org-1', (e) => heard.push(e.data));
      try {
        await terminateBackend(logs.listenerPids()[0]!);
        await eventually(() => signals.some((s) => s.type === 'resync'), { what: 'a resync after the reconnect' });
        expect(refusals).toBe(5);
        expect(signals).toEqual([{ type: 'resync' }]);
        expect(logs.lines.filter((l) => l.msg === 'event listener reconnect failed; retrying')).toHaveLength(5);
        await bus.publish({ type: 'customer.updated', organizationId: 'org-1', data: markerCustomer('after') });
        await eventually(() => heard.length === 1, { what: 'an event on the new connection' });
      } finally {
        await bus.close();
      }
    });
  });
}

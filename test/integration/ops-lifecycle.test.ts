/**
 * docs/operations.md: request ids, /readyz, and what a stopping process does with the
 * requests, streams and jobs it holds.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/queue.js';
import type { JobHandler } from '../../src/jobs/runner.js';
import { eventually } from '../helpers/api.js';
import { openEventStream } from '../helpers/inbound.js';
import { dropTestData, ENGINES, startTestServer, type TestServer } from '../helpers/server.js';
import { capturedLog } from '../helpers/twilio-integration.js';
import { freePort } from '../helpers/twilio-world.js';
import { createWorld, type World } from '../helpers/world.js';

/** A job that runs until the test lets it go. */
function heldJob() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const started: string[] = [];
  const handler: JobHandler = {
    kind: 'held',
    maxAttempts: 3,
    run: async (_payload, job) => {
      started.push(job.id);
      await released;
    },
  };
  return { handler, release, started };
}

/** Raw HTTP/1.1 on one socket, so a second request can ride a connection the server is still busy with. */
function rawConnection(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (received += d));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    send: (method: string, path: string) => socket.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`),
    received: () => received,
    closed,
  };
}

for (const engine of ENGINES) {
  describe(`operations: request ids, readiness, draining (${engine})`, () => {
    let world: World | undefined;
    let server: TestServer | undefined;
    /** Servers the test closed itself; only their data is left to remove. */
    const closed: TestServer[] = [];
    afterEach(async () => {
      await world?.destroy();
      await server?.destroy();
      for (const s of closed.splice(0)) await dropTestData(s);
      world = server = undefined;
    });
    const closedByTest = (s: TestServer) => {
      closed.push(s);
      if (s === server) server = undefined;
      if (s === world?.server) world = undefined;
    };

    it('gives every request an id, keeps a sane one from the caller, and names it in error answers and log lines', async () => {
      const log = capturedLog();
      world = await createWorld(engine, { log: log.log, env: { LOG_LEVEL: 'debug' } });
      const app = world.server.app;

      const given = await app.inject({ method: 'GET', url: '/api/conversations/nope', headers: { authorization: `Bearer ${world.admin.token}`, 'x-request-id': 'lb-7f3a.42' } });
      expect(given.statusCode).toBe(404);
      expect(given.headers['x-request-id']).toBe('lb-7f3a.42');
      expect(given.json().error).toMatchObject({ code: 'not_found', requestId: 'lb-7f3a.42' });

      const minted = await app.inject({ method: 'GET', url: '/api/me' });
      expect(minted.statusCode).toBe(401);
      expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(minted.json().error.requestId).toBe(minted.headers['x-request-id']);

      // A header that could forge or flood log lines is replaced, not echoed.
      for (const bad of ['a b', 'x'.repeat(200), 'id\u0007']) {
        const res = await app.inject({ method: 'GET', url: '/api/me', headers: { 'x-request-id': bad } });
        expect(res.headers['x-request-id']).not.toBe(bad);
        expect(res.json().error.requestId).toBe(res.headers['x-request-id']);
      }

      const failing = await app.inject({ method: 'POST', url: '/api/login', payload: { email: world.admin.email, password: 'wrong password!' }, headers: { 'x-request-id': 'trace-me-1' } });
      expect(failing.statusCode).toBe(401);
      const lines = log.text().split('\n').filter((l) => l.includes('"requestId":"trace-me-1"'));
      expect(lines.length).toBeGreaterThan(0);
    });

    it('/readyz answers 200 when serving and 503 while draining', async () => {
      server = await startTestServer(engine);
      let letGo!: () => void;
      const held = new Promise<void>((resolve) => (letGo = resolve));
      let inFlight = false;
      server.app.get('/test/held', async () => {
        inFlight = true;
        await held;
        return { done: true };
      });
      const port = await freePort();
      await server.app.listen({ port, host: '127.0.0.1' });
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

      const conn = rawConnection(port);
      conn.send('GET', '/test/held');
      await eventually(() => inFlight, { what: 'the request to be in flight' });
      const s = server;
      closedByTest(s);
      const closing = s.close();
      expect(s.readiness.state).toBe('draining');
      // The busy connection is still open, so a second request on it is served while draining.
      conn.send('GET', '/readyz');
      await new Promise((r) => setImmediate(r));
      letGo();
      await closing;
      await conn.closed;
      const statuses = [...conn.received().matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
      expect(statuses).toEqual([200, 503]);
      expect(conn.received()).toContain('"state":"draining"');
    });

    it('lets a running job finish before closing the database', async () => {
      const job = heldJob();
      server = await startTestServer(engine, { jobs: { kinds: ['held'], handlers: () => [job.handler] } });
      server.runner!.start();
      const id = await enqueue(server.ctx.db, 'held', {}, { now: Date.now() });
      server.ctx.wakeWorker();
      await eventually(() => job.started.includes(id), { what: 'the job to start' });
      const db = server.ctx.db;
      let done = false;
      const s = server;
      closedByTest(s);
      const closing = s.close(10_000).then(() => (done = true));
      await new Promise((r) => setImmediate(r));
      expect(done).toBe(false);
      // The database is still open for the job's last writes.
      expect(await db.selectFrom('jobs').select('id').where('id', '=', id).executeTakeFirst()).toEqual({ id });
      job.release();
      await closing;
    });

    it('hands a job still running at the deadline back, uncounted, for another worker to take at once', async () => {
      const job = heldJob();
      const first = await startTestServer(engine, { jobs: { kinds: ['held'], handlers: () => [job.handler] } });
      server = first;
      server.runner!.start();
      const id = await enqueue(server.ctx.db, 'held', {}, { now: Date.now() });
      server.ctx.wakeWorker();
      await eventually(() => job.started.includes(id), { what: 'the job to start' });
      closedByTest(first);
      await first.close(200);
      job.release();

      // The same database, opened again: the job is free and due, its cut-short run not counted.
      server = await startTestServer(engine, { dataDir: first.dataDir, pgSchema: first.ctx.database.pgSchema, keepData: true, jobs: { kinds: ['held'], handlers: () => [heldJob().handler] } });
      const row = await server.ctx.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ lockedBy: null, lockedUntil: null, attempts: 0, status: 'pending' });
    });

    it('tells open event streams to reconnect, then ends them', async () => {
      world = await createWorld(engine);
      const port = await freePort();
      await world.server.app.listen({ port, host: '127.0.0.1' });
      const stream = await openEventStream(`http://127.0.0.1:${port}`, world.agent.token);
      expect(stream.status).toBe(200);
      const s = world.server;
      closedByTest(s);
      await s.close();
      await eventually(() => stream.ended, { what: 'the stream to end' });
      expect(stream.rawFrames.at(-1)).toContain('retry: 1000');
    });
  });
}

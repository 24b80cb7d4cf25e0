/**
 * docs/operations.md#several-processes: two ROLE=web and two ROLE=worker processes on one
 * PostgreSQL database share the work. Events reach every stream of either web process, each job
 * runs once, a worker killed mid-send has its job taken over without a double send, and losing
 * every database connection (what a PostgreSQL restart or failover does) ends no process:
 * listeners reconnect, streams are told to resync, and nothing is lost. SQLite has one writer,
 * so this set-up exists only on PostgreSQL.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { eventually } from '../helpers/api.js';
import { startChildServer, type ChildServer } from '../helpers/child-server.js';
import { postSignedWebhook, seedDesk, sharedStorage, type Cleanup } from '../helpers/fleet.js';
import { openEventStream } from '../helpers/inbound.js';
import { sentTo } from '../helpers/outbound.js';
import { ENGINES } from '../helpers/server.js';
import { freePort, SUPPORT_NUMBER } from '../helpers/twilio-world.js';

const customer = (n: number) => `+1415555${String(4000 + n)}`;
const METRICS = 'metrics-token-for-the-fleet-01';
/** Generous: four processes start on a CI machine that is busy with other tests too. */
const START_MS = 60_000;
const WAIT_MS = 60_000;

/** parley_messages_sent_total of one process. */
async function scrapeSent(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith('parley_messages_sent_total '));
  return Number(line?.split(' ')[1] ?? 0);
}

for (const engine of ENGINES.filter((e) => e === 'postgres')) {
  describe(`several processes on one database (${engine})`, () => {
    const cleanup: Cleanup = [];
    afterEach(async () => {
      for (const step of cleanup.reverse()) await step();
      cleanup.length = 0;
    });

    it('shares events, jobs and failures across two web and two worker processes', async () => {
      const sim = await startSimulator();
      cleanup.push(() => sim.stop());
      const { env, database } = await sharedStorage(engine, cleanup);
      const ports = [await freePort(), await freePort()];
      const workerPorts = [await freePort(), await freePort()];
      const publicUrl = `http://127.0.0.1:${ports[0]}`;
      const common = { ...env, PUBLIC_URL: publicUrl, TWILIO_API_URL: sim.url, TWILIO_MESSAGING_API_URL: sim.url, SEND_RECHECK_SECONDS: '1', METRICS_TOKEN: METRICS };
      const startWorker = (n: number) => startChildServer({ ...common, ROLE: 'worker' }, workerPorts[n]!, START_MS);
      const processes: ChildServer[] = [];
      cleanup.push(() => Promise.all(processes.map((p) => p.stop())).then(() => undefined));
      const webs = [await startChildServer({ ...common, ROLE: 'web' }, ports[0]!, START_MS), await startChildServer({ ...common, ROLE: 'web' }, ports[1]!, START_MS)];
      processes.push(...webs);
      const workers = [await startWorker(0), await startWorker(1)];
      processes.push(...workers);
      const account = sim.createAccount();
      const number = sim.addIncomingNumber(account.sid, SUPPORT_NUMBER, { smsUrl: `${publicUrl}/webhooks/twilio/messages` });
      const desk = await seedDesk(webs[0]!.url, database(), { sid: account.sid, authToken: account.authToken, numberSid: number.sid });
      const db = database().db;
      const api = (web: number, path: string, body: unknown) =>
        fetch(webs[web]!.url + path, { method: 'POST', headers: { authorization: `Bearer ${desk.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

      const streams = [await openEventStream(webs[0]!.url, desk.token), await openEventStream(webs[1]!.url, desk.token)];
      cleanup.push(() => Promise.all(streams.map((s) => s.close())).then(() => undefined));
      const createdIds = (stream: (typeof streams)[number]) => new Set(stream.frames.filter((f) => f.type === 'message.created').map((f) => f.data.id as string));

      // Webhooks and sends spread over both web processes.
      const inbound = await Promise.all(Array.from({ length: 10 }, (_, n) => postSignedWebhook(webs[n % 2]!.url, publicUrl, desk, customer(n), `inbound ${n}`)));
      expect(inbound.map((r) => r.status)).toEqual(inbound.map(() => 200));
      const sends = await Promise.all(Array.from({ length: 4 }, (_, n) => api(n % 2, '/api/conversations', { senderId: desk.senderId, phone: customer(20 + n), body: `outbound ${n}` })));
      expect(sends.map((r) => r.status)).toEqual([202, 202, 202, 202]);
      const outboundIds = await Promise.all(sends.map(async (r) => ((await r.json()) as { message: { id: string } }).message.id));

      // Every stream, on either process, sees every message of its organization.
      const allIds = [...(await db.selectFrom('messages').select('id').execute()).map((r) => r.id)];
      expect(allIds).toHaveLength(14);
      for (const stream of streams) {
        await eventually(() => allIds.every((id) => createdIds(stream).has(id)), { what: 'every message.created on both streams', timeoutMs: WAIT_MS });
      }
      // Each send ran once: one message at Twilio per customer, each delivered.
      await eventually(async () => (await db.selectFrom('messages').select('status').where('id', 'in', outboundIds).execute()).every((m) => m.status === 'delivered'), {
        what: 'every send delivered',
        timeoutMs: WAIT_MS,
      });
      for (let n = 0; n < 4; n++) expect(sentTo(sim, customer(20 + n))).toHaveLength(1);
      // Workers serve their own health and metrics, and nothing else. Each send is counted once,
      // by the process that learnt Twilio took it (its worker, or the web process a status
      // callback that beat the send's answer reached).
      const sentCounts = await Promise.all([...workers, ...webs].map((p) => scrapeSent(p.url)));
      expect(sentCounts.reduce((x, y) => x + y, 0)).toBe(4);
      expect((await fetch(`${workers[0]!.url}/readyz`)).status).toBe(200);
      expect((await fetch(`${workers[0]!.url}/api/me`, { headers: { authorization: `Bearer ${desk.token}` } })).status).toBe(404);

      // Every database connection is ended, as by a restart or failover: no process dies,
      // each web process's streams are told to resync, and the work goes on.
      await terminateConnections(new URL(env.DATABASE_URL!).pathname.slice(1));
      for (const stream of streams) await eventually(() => stream.frames.some((f) => f.type === 'resync'), { what: 'a resync on each stream', timeoutMs: WAIT_MS });
      for (const p of processes) expect(p.process.exitCode, p.output()).toBeNull();
      const after = await Promise.all([0, 1].map((n) => postSignedWebhook(webs[n]!.url, publicUrl, desk, customer(40 + n), `after the restart ${n}`)));
      expect(after.map((r) => r.status)).toEqual([200, 200]);
      const afterIds = (await db.selectFrom('messages').select('id').where('body', 'like', 'after the restart%').execute()).map((r) => r.id);
      expect(afterIds).toHaveLength(2);
      for (const stream of streams) await eventually(() => afterIds.every((id) => createdIds(stream).has(id)), { what: 'events after the restart on both streams', timeoutMs: WAIT_MS });

      // A worker killed mid-send: Twilio has the message but the answer never came back. The
      // other worker takes the job over after the lease and checks with Twilio before sending.
      await workers[1]!.stop();
      sim.setFaults({ nextCreateFaults: ['accept-then-timeout'], hangMs: 120_000, dropStatusCallbacks: true });
      const lost = await api(0, '/api/conversations', { senderId: desk.senderId, phone: customer(60), body: 'sent as the worker died' });
      const lostId = ((await lost.json()) as { message: { id: string } }).message.id;
      await eventually(() => sentTo(sim, customer(60)).length === 1, { what: 'Twilio to have the message', timeoutMs: WAIT_MS });
      await workers[0]!.crash();
      sim.setFaults({ dropStatusCallbacks: false });
      // The dead worker's lease (60 s) would run out on its own; the test moves that moment to now.
      await db.updateTable('jobs').set({ lockedUntil: Date.now() - 1 }).where('lockedBy', 'is not', null).execute();
      workers[1] = await startWorker(1);
      processes.push(workers[1]);
      await eventually(async () => (await db.selectFrom('messages').select('twilioSid').where('id', '=', lostId).executeTakeFirstOrThrow()).twilioSid !== null, {
        what: 'the other worker to adopt the send',
        timeoutMs: WAIT_MS,
      });
      const [sent, ...again] = sentTo(sim, customer(60));
      expect(again).toHaveLength(0);
      expect((await db.selectFrom('messages').select('twilioSid').where('id', '=', lostId).executeTakeFirstOrThrow()).twilioSid).toBe(sent!.sid);
    }, 400_000);
  });
}

/** pg_terminate_backend on every connection to one database: what clients see when PostgreSQL restarts. */
async function terminateConnections(database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
  } finally {
    await admin.end();
  }
}

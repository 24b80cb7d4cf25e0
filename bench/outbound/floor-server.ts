import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import twilio from 'twilio';
import { TwilioTransport } from '../../src/features/twilio/transport.js';
import { openFloorPool, openFloorSqlite } from '../common/floor-db.js';
import { statementsSent } from '../common/round-trips.js';
import { benchInFlight } from '../common/server-config.js';
import type { FloorFromServer, FloorToServer, ServerEnv } from './protocol.js';

/**
 * The floor of outbound dispatch: the least a send must do on this machine. Texts wait in one
 * table of the same engine as Parley. SEND_CONCURRENCY at a time (as many as Parley's worker), each
 * goes through the official twilio library, over the same transport as Parley, with a
 * StatusCallback to this process, and its SID is stored with one UPDATE. Each status callback is
 * parsed, its signature checked and its status stored with one UPDATE. Nothing else: no claim,
 * no attempt, no rate, no conversation, no event.
 */
const SEND_CONCURRENCY = benchInFlight();
const env = process.env as unknown as ServerEnv;
const publicUrl = `http://127.0.0.1:${env.BENCH_PORT}`;
const TABLE = 'create table if not exists outbox (id integer primary key, sender text not null, recipient text not null, body text not null, sid text unique, status text)';

interface FloorStore {
  fill(rows: { id: number; sender: string; recipient: string; body: string }[]): Promise<void>;
  unsent(): Promise<{ id: number; sender: string; recipient: string; body: string }[]>;
  accepted(id: number, sid: string, status: string): Promise<void> | void;
  status(sid: string, status: string): Promise<void> | void;
  close(): Promise<void>;
}

function sqliteStore(): FloorStore {
  const db = openFloorSqlite(env, 'outbound-floor.db', TABLE);
  const insert = db.prepare('insert into outbox (id, sender, recipient, body) values (@id, @sender, @recipient, @body)');
  const accept = db.prepare('update outbox set sid = ?, status = ? where id = ?');
  const status = db.prepare('update outbox set status = ? where sid = ?');
  return {
    fill: async (rows) => db.transaction(() => rows.forEach((row) => insert.run(row)))(),
    unsent: async () => db.prepare('select id, sender, recipient, body from outbox where sid is null order by id').all() as Awaited<ReturnType<FloorStore['unsent']>>,
    accepted: (id, sid, s) => void accept.run(sid, s, id),
    status: (sid, s) => void status.run(s, sid),
    close: async () => void db.close(),
  };
}

async function postgresStore(): Promise<FloorStore> {
  const pool = await openFloorPool(env, TABLE);
  return {
    fill: async (rows) =>
      void (await pool.query('insert into outbox (id, sender, recipient, body) select * from json_to_recordset($1::json) as r(id int, sender text, recipient text, body text)', [
        JSON.stringify(rows),
      ])),
    unsent: async () => (await pool.query('select id, sender, recipient, body from outbox where sid is null order by id')).rows,
    accepted: async (id, sid, s) => void (await pool.query('update outbox set sid = $1, status = $2 where id = $3', [sid, s, id])),
    status: async (sid, s) => void (await pool.query('update outbox set status = $1 where sid = $2', [s, sid])),
    close: async () => void (await pool.end()),
  };
}

const store = env.BENCH_DATABASE_URL ? await postgresStore() : sqliteStore();
const client = twilio(env.BENCH_ACCOUNT_SID, env.BENCH_AUTH_TOKEN, { httpClient: new TwilioTransport(30_000) as unknown as twilio.RequestClient, autoRetry: false });
client.api.baseUrl = env.BENCH_TWILIO_API_URL;

const app = Fastify({ logger: false });
await app.register(formbody, { bodyLimit: 64 * 1024 });
app.post('/status', async (req, reply) => {
  const params = req.body as Record<string, string>;
  const signature = req.headers['x-twilio-signature'];
  if (typeof signature !== 'string' || !twilio.validateRequest(env.BENCH_AUTH_TOKEN, signature, publicUrl + req.url, params)) return reply.status(403).send();
  await store.status(params.MessageSid!, params.MessageStatus!);
  return reply.status(204).send();
});
await app.listen({ port: Number(env.BENCH_PORT), host: '127.0.0.1' });

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Sends every unsent text; the clock runs from the first send to the last acceptance stored. */
async function run(): Promise<FloorFromServer> {
  const rows = await store.unsent();
  const cpuBefore = cpuMs();
  const statementsBefore = statementsSent();
  const started = Date.now();
  let next = 0;
  let accepted = 0;
  let errors = 0;
  let lastAcceptedAt = started;
  await Promise.all(
    Array.from({ length: SEND_CONCURRENCY }, async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        try {
          const message = await client.messages.create({ from: row.sender, to: row.recipient, body: row.body, statusCallback: `${publicUrl}/status` });
          await store.accepted(row.id, message.sid, message.status);
          accepted++;
          lastAcceptedAt = Date.now();
        } catch {
          errors++;
        }
      }
    }),
  );
  return { type: 'ran', accepted, errors, ms: lastAcceptedAt - started, cpuMs: cpuMs() - cpuBefore, statements: env.BENCH_DATABASE_URL ? statementsSent() - statementsBefore : undefined };
}

process.on('message', (msg: FloorToServer) => {
  if (msg.type === 'fill') void store.fill(msg.rows).then(() => process.send!({ type: 'filled' } satisfies FloorFromServer));
  if (msg.type === 'run') void run().then((ran) => process.send!(ran));
  if (msg.type === 'stop') void app.close().then(() => store.close()).then(() => process.exit(0));
});
process.send!({ type: 'floor-ready' } satisfies FloorFromServer);

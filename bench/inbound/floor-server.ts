import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import twilio from 'twilio';
import { openFloorPool, openFloorSqlite } from '../common/floor-db.js';
import { statementsSent } from '../common/round-trips.js';
import { serveParent, WEBHOOK_PATH, type ServerEnv } from './protocol.js';

/**
 * The floor: the least any inbound webhook must do. Parse the same form, check the same
 * signature with the same library, insert one row into the same engine as Parley (SQLite in the
 * same mode, WAL and NORMAL; PostgreSQL through a pool of Parley's size), answer empty TwiML.
 * Nothing else.
 */
const env = process.env as unknown as ServerEnv;
const publicUrl = env.BENCH_PUBLIC_URL ?? `http://127.0.0.1:${env.BENCH_PORT}`;
const TABLE = 'create table if not exists inbound (sid text primary key, sender text not null, recipient text not null, body text not null, created_at bigint not null)';

interface FloorStore {
  insert(sid: string, from: string, to: string, body: string): Promise<void> | void;
  count(): Promise<number>;
  close(): Promise<void>;
}

function sqliteStore(): FloorStore {
  const db = openFloorSqlite(env, 'floor.db', TABLE);
  const insert = db.prepare('insert into inbound (sid, sender, recipient, body, created_at) values (?, ?, ?, ?, ?)');
  return {
    insert: (...values) => void insert.run(...values, Date.now()),
    count: async () => (db.prepare('select count(*) as n from inbound').get() as { n: number }).n,
    close: async () => void db.close(),
  };
}

async function postgresStore(): Promise<FloorStore> {
  const pool = await openFloorPool(env, TABLE);
  const end = async () => void (await pool.end());
  return {
    insert: async (...values) => void (await pool.query('insert into inbound (sid, sender, recipient, body, created_at) values ($1, $2, $3, $4, $5)', [...values, Date.now()])),
    count: async () => (await pool.query<{ n: number }>('select count(*)::int as n from inbound')).rows[0]!.n,
    close: end,
  };
}

const store = env.BENCH_DATABASE_URL ? await postgresStore() : sqliteStore();
const app = Fastify({ logger: false });
await app.register(formbody, { bodyLimit: 64 * 1024 });
app.post(WEBHOOK_PATH, async (req, reply) => {
  const params = req.body as Record<string, string>;
  const signature = req.headers['x-twilio-signature'];
  if (typeof signature !== 'string' || !twilio.validateRequest(env.BENCH_AUTH_TOKEN, signature, publicUrl + req.url, params)) {
    return reply.status(403).send();
  }
  await store.insert(params.MessageSid!, params.From!, params.To!, params.Body ?? '');
  return reply.header('Content-Type', 'text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
});
await app.listen({ port: Number(env.BENCH_PORT), host: '127.0.0.1' });
serveParent(
  () => store.count(),
  async () => {
    await app.close();
    await store.close();
  },
  env.BENCH_DATABASE_URL ? statementsSent : undefined,
);
process.send!({ type: 'ready', port: Number(env.BENCH_PORT) });

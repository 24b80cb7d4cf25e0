import formbody from '@fastify/formbody';
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';
import path from 'node:path';
import twilio from 'twilio';
import { serveParent, WEBHOOK_PATH, type ServerEnv } from './protocol.js';

/**
 * The floor: the least any inbound webhook must do. Parse the same form, check the same
 * signature with the same library, insert one row into SQLite in the same mode (WAL, NORMAL),
 * answer empty TwiML. Nothing else.
 */
const env = process.env as unknown as ServerEnv;
const publicUrl = `http://127.0.0.1:${env.BENCH_PORT}`;
const db = new BetterSqlite3(path.join(env.BENCH_DATA_DIR, 'floor.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('create table if not exists inbound (sid text primary key, sender text not null, recipient text not null, body text not null, created_at integer not null)');
const insert = db.prepare('insert into inbound (sid, sender, recipient, body, created_at) values (?, ?, ?, ?, ?)');

const app = Fastify({ logger: false });
await app.register(formbody, { bodyLimit: 64 * 1024 });
app.post(WEBHOOK_PATH, async (req, reply) => {
  const params = req.body as Record<string, string>;
  const signature = req.headers['x-twilio-signature'];
  if (typeof signature !== 'string' || !twilio.validateRequest(env.BENCH_AUTH_TOKEN, signature, publicUrl + req.url, params)) {
    return reply.status(403).send();
  }
  insert.run(params.MessageSid, params.From, params.To, params.Body ?? '', Date.now());
  return reply.header('Content-Type', 'text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
});
await app.listen({ port: Number(env.BENCH_PORT), host: '127.0.0.1' });
serveParent(
  async () => (db.prepare('select count(*) as n from inbound').get() as { n: number }).n,
  async () => {
    await app.close();
    db.close();
  },
);
process.send!({ type: 'ready', port: Number(env.BENCH_PORT) });

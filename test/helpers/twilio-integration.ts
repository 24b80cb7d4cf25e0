import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pino, { type Logger } from 'pino';
import { newId } from '../../src/ids.js';
import type { TestServer } from './server.js';
import type { TwilioWorld } from './twilio-world.js';

/** A trace-level logger whose every line is kept, to prove a secret never reaches the log. */
export function capturedLog(): { log: Logger; text(): string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: pino({ level: 'trace' }, stream), text: () => lines.join('') };
}

/** Connects the world's simulated account through the API. */
export async function connectViaApi(world: TwilioWorld, creds: { sid?: string; authToken?: string } = {}) {
  const res = await world.admin.api.put('/api/integrations/twilio', { accountSid: creds.sid ?? world.account.sid, authToken: creds.authToken ?? world.account.authToken });
  if (res.status !== 200) throw new Error(`connect failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A customer with one conversation and message on a sender, written directly (the inbound feature is not under test). */
export async function seedConversation(server: TestServer, organizationId: string, senderId: string) {
  const db = server.ctx.db;
  const now = Date.now();
  const customerId = newId(now);
  const conversationId = newId(now);
  const messageId = newId(now);
  await db.insertInto('customers').values({ id: customerId, organizationId, name: null, phone: '+14155550199', email: null, notes: null, createdAt: now, updatedAt: now, searchText: '' }).execute();
  await db
    .insertInto('conversations')
    .values({ id: conversationId, organizationId, customerId, senderId, status: 'open', assigneeId: null, lastMessageAt: now, lastInboundAt: now, preview: 'Hello', createdAt: now })
    .execute();
  await db
    .insertInto('messages')
    .values({
      id: messageId,
      organizationId,
      conversationId,
      direction: 'inbound',
      body: 'Hello',
      status: 'received',
      errorCode: null,
      errorMessage: null,
      segments: 1,
      encoding: 'GSM-7',
      twilioSid: 'SM' + 'a'.repeat(32),
      authorId: null,
      createdAt: now,
      updatedAt: now,
    })
    .execute();
  return { customerId, conversationId, messageId };
}

/** The needles found anywhere in the database: every byte of the SQLite files, or every text column on PostgreSQL. */
export async function databaseTraces(server: TestServer, needles: string[]): Promise<string[]> {
  if (server.engine === 'sqlite') {
    const file = path.join(server.dataDir, 'parley.db');
    const bytes = [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f));
    return needles.filter((n) => bytes.some((b) => b.includes(Buffer.from(n, 'utf8'))));
  }
  const db = server.ctx.db;
  const schema = server.ctx.database.pgSchema!;
  const columns = await sql<{ tableName: string; columnName: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = ${schema} and data_type in ('text', 'character varying')`.execute(db);
  const found = new Set<string>();
  for (const { tableName, columnName } of columns.rows) {
    for (const needle of needles) {
      const hit = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(tableName)} where strpos(${sql.ref(columnName)}, ${needle}) > 0`.execute(db);
      if ((hit.rows[0]?.n ?? 0) > 0) found.add(needle);
    }
  }
  return [...found];
}

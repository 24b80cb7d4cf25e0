import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Database } from '../../src/db/database.js';
import * as initial from '../../src/db/migrations/0001_initial.js';
import { searchTerms } from '../../src/domain/search.js';
import { listCustomers } from '../../src/features/customers/queries.js';
import { searchMessages } from '../../src/features/search/queries.js';
import { queryWords } from '../../src/domain/message-search.js';
import { createPgSchema, ENGINES } from '../helpers/server.js';

for (const engine of ENGINES) {
  describe(`migrations (${engine})`, () => {
    let cleanup: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const c of cleanup.reverse()) await c();
      cleanup = [];
    });

    /** A database as the first release left it: only 0001 applied. */
    async function atFirstRelease(): Promise<Database> {
      const schema = engine === 'postgres' ? await createPgSchema() : undefined;
      const database = openDatabase(engine === 'postgres' ? { url: process.env.TEST_DATABASE_URL, pgSchema: schema!.name } : { sqliteFile: ':memory:' });
      cleanup.push(async () => {
        await database.destroy();
        await schema?.drop();
      });
      await sql`create table parley_migrations (name text primary key, applied_at bigint not null)`.execute(database.db);
      await initial.up(database.db, engine);
      await sql`insert into parley_migrations (name, applied_at) values ('0001_initial', 0)`.execute(database.db);
      return database;
    }

    it('0002 gives queued jobs the subject and organization of their payload, whatever its key order', async () => {
      const database = await atFirstRelease();
      const job = (id: string, kind: string, payload: unknown) => ({ id, kind, payload: JSON.stringify(payload), status: 'pending' as const, runAt: 1, attempts: 0, createdAt: 1 });
      await database.db
        .insertInto('jobs')
        .values([
          job('j1', 'message.send', { messageId: 'm1', organizationId: 'o1' }),
          job('j2', 'message.send', { organizationId: 'o2', slotAt: 5, messageId: 'm2' }),
          job('j3', 'media.download', { mediaId: 'md1', accountId: 'a1' }),
        ] as never)
        .execute();
      await migrate(database);
      const rows = await database.db.selectFrom('jobs').select(['id', 'subject', 'organizationId']).orderBy('id').execute();
      expect(rows).toEqual([
        { id: 'j1', subject: 'm1', organizationId: 'o1' },
        { id: 'j2', subject: 'm2', organizationId: 'o2' },
        { id: 'j3', subject: 'md1', organizationId: null },
      ]);
    });

    it('0009 makes the customers already stored findable by name, email and phone digits', async () => {
      const database = await atFirstRelease();
      await database.db.insertInto('organizations').values({ id: 'o1', name: 'Acme', threadingWindowHours: 24, createdAt: 1 }).execute();
      const row = (id: string, name: string | null, email: string | null, phone: string) => ({ id, organizationId: 'o1', name, email, phone, notes: null, createdAt: 1, updatedAt: 1 });
      await database.db
        .insertInto('customers')
        .values([row('c1', 'José Müller', null, '+14155550101'), row('c2', null, 'Zoe@Example.com', '+14155550102')] as never)
        .execute();
      await migrate(database);
      const found = async (q: string) =>
        (await listCustomers(database.db, { organizationId: 'o1', search: searchTerms(q), limit: 10 })).map((c) => c.id).sort();
      expect(await found('jose')).toEqual(['c1']);
      expect(await found('zoe@')).toEqual(['c2']);
      expect(await found('555010')).toEqual(['c1', 'c2']);
      expect(await found('(415) 555-0102')).toEqual(['c2']);
    });

    it('0011 makes the messages already stored findable, in time order, and indexes new ones', async () => {
      const database = await atFirstRelease();
      const { db } = database;
      await db.insertInto('organizations').values([{ id: 'o1', name: 'Acme', threadingWindowHours: 24, createdAt: 1 }, { id: 'o2', name: 'Other', threadingWindowHours: 24, createdAt: 1 }]).execute();
      await db.insertInto('customers').values({ id: 'cu1', organizationId: 'o1', name: null, phone: '+14155550199', email: null, notes: null, createdAt: 1, updatedAt: 1 } as never).execute();
      await db
        .insertInto('senders')
        .values({ id: 's1', organizationId: 'o1', twilioAccountId: null, type: 'phone_number', phoneNumber: '+14155550100', shortCode: null, messagingServiceSid: null, address: '+14155550100', twilioSid: null, smsCapable: 1, mmsCapable: 1, ratePerSecond: 1, nextSendAt: 0, active: 1, createdAt: 1, removedAt: null } as never)
        .execute();
      await db.insertInto('conversations').values({ id: 'c1', organizationId: 'o1', customerId: 'cu1', senderId: 's1', status: 'open', assigneeId: null, lastMessageAt: 1, lastInboundAt: 1, preview: 'hi', createdAt: 1 }).execute();
      const message = (id: string, body: string, createdAt: number, organizationId = 'o1') =>
        ({ id, organizationId, conversationId: 'c1', direction: 'inbound', body, status: 'received', errorCode: null, errorMessage: null, segments: 1, encoding: 'GSM-7', twilioSid: null, authorId: null, createdAt, updatedAt: createdAt }) as never;
      // Three in one millisecond, stored out of time order, and one of another organization.
      await db
        .insertInto('messages')
        .values([message('m3', 'Refund sent, Herr Müller', 5_000), message('m1', 'Where is my refund?', 2_000), message('m2a', 'refund policy', 3_000), message('m2b', 'Refunds take a week', 3_000), message('m2c', 'refunded?', 3_000), message('x1', 'refund elsewhere', 4_000, 'o2')])
        .execute();

      await migrate(database);

      const found = async (q: string) => (await searchMessages(db, { organizationId: 'o1', words: queryWords(q), limit: 10 })).map((m) => m.id);
      expect(await found('refun')).toEqual(['m3', 'm2c', 'm2b', 'm2a', 'm1']);
      expect(await found('muller')).toEqual(['m3']);
      await db.insertInto('messages').values([message('m4', 'refund again', 3_000), message('m5', 'the newest refund', 9_000)]).execute();
      const all = await found('refund');
      expect(all[0]).toBe('m5');
      expect([...all].sort()).toEqual(['m1', 'm2a', 'm2b', 'm2c', 'm3', 'm4', 'm5']);
      expect(all.slice(-1)).toEqual(['m1']);

      // A thousand and more in one millisecond (SQLite's keys hold 1000 a millisecond): the rest are still stored and found.
      const burst = Array.from({ length: 1_002 }, (_, i) => message(`b${String(i).padStart(4, '0')}`, 'burst', 6_000));
      for (let i = 0; i < burst.length; i += 500) await db.insertInto('messages').values(burst.slice(i, i + 500)).execute();
      await db.insertInto('messages').values(message('m6', 'burst after', 6_001)).execute();
      const bursts = await searchMessages(db, { organizationId: 'o1', words: ['burst'], limit: 2_000 });
      expect(bursts).toHaveLength(1_003);
      expect(new Set(bursts.map((m) => m.id)).size).toBe(1_003);
    });

    if (engine === 'postgres')
      it('0012 writes new words straight into the GIN index, leaving no pending list for searches to read', async () => {
        const database = await atFirstRelease();
        await migrate(database);
        const { rows } = await sql<{ options: string[] | null }>`
          select c.reloptions as options from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relname = 'message_search_words' and n.nspname = current_schema()`.execute(database.db);
        expect(rows).toEqual([{ options: ['fastupdate=off'] }]);
      });

    if (engine === 'postgres')
      it('0013 lets a status callback rewrite a message in place: no index names its status, and pages keep room', async () => {
        const database = await atFirstRelease();
        await migrate(database);
        const { db } = database;
        await db.insertInto('organizations').values({ id: 'o1', name: 'Acme', threadingWindowHours: 24, createdAt: 1 }).execute();
        await db.insertInto('customers').values({ id: 'cu1', organizationId: 'o1', name: null, phone: '+14155550199', email: null, notes: null, createdAt: 1, updatedAt: 1 } as never).execute();
        await db
          .insertInto('senders')
          .values({ id: 's1', organizationId: 'o1', twilioAccountId: null, type: 'phone_number', phoneNumber: '+14155550100', shortCode: null, messagingServiceSid: null, address: '+14155550100', twilioSid: null, smsCapable: 1, mmsCapable: 1, ratePerSecond: 1, nextSendAt: 0, active: 1, createdAt: 1, removedAt: null } as never)
          .execute();
        await db.insertInto('conversations').values({ id: 'c1', organizationId: 'o1', customerId: 'cu1', senderId: 's1', status: 'open', assigneeId: null, lastMessageAt: 1, lastInboundAt: null, preview: 'hi', createdAt: 1 }).execute();
        await db
          .insertInto('messages')
          .values({ id: 'm1', organizationId: 'o1', conversationId: 'c1', direction: 'outbound', body: 'hi', status: 'queued', errorCode: null, errorMessage: null, segments: 1, encoding: 'GSM-7', twilioSid: 'SM1', authorId: null, createdAt: 1, updatedAt: 1 } as never)
          .execute();
        const hotUpdates = await db.transaction().execute(async (tx) => {
          await tx.updateTable('messages').set({ status: 'sent', updatedAt: 2 }).where('id', '=', 'm1').execute();
          await tx.updateTable('messages').set({ status: 'delivered', updatedAt: 3 }).where('id', '=', 'm1').execute();
          return (await sql<{ n: string }>`select pg_stat_get_xact_tuples_hot_updated('messages'::regclass) as n`.execute(tx)).rows[0]!.n;
        });
        expect(Number(hotUpdates)).toBe(2);
        const { rows } = await sql<{ options: string[] | null }>`
          select c.reloptions as options from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relname = 'messages' and n.nspname = current_schema()`.execute(db);
        expect(rows).toEqual([{ options: ['fillfactor=80'] }]);
      });

    it('0007 lets the thread hold notes, keeps every message, its media and its indexes, and records Twilio\'s blocks', async () => {
      const database = await atFirstRelease();
      const { db } = database;
      await db.insertInto('organizations').values({ id: 'o1', name: 'Acme', threadingWindowHours: 24, createdAt: 1 }).execute();
      await db.insertInto('users').values({ id: 'u1', organizationId: 'o1', email: 'a@a.test', name: 'Ada', role: 'admin', passwordHash: 'x', active: 1, createdAt: 1 }).execute();
      await db.insertInto('customers').values({ id: 'cu1', organizationId: 'o1', name: null, phone: '+14155550199', email: null, notes: null, createdAt: 1, updatedAt: 1 } as never).execute();
      await db
        .insertInto('senders')
        .values({ id: 's1', organizationId: 'o1', twilioAccountId: null, type: 'phone_number', phoneNumber: '+14155550100', shortCode: null, messagingServiceSid: null, address: '+14155550100', twilioSid: null, smsCapable: 1, mmsCapable: 1, ratePerSecond: 1, nextSendAt: 0, active: 1, createdAt: 1, removedAt: null } as never)
        .execute();
      await db.insertInto('conversations').values({ id: 'c1', organizationId: 'o1', customerId: 'cu1', senderId: 's1', status: 'open', assigneeId: null, lastMessageAt: 1, lastInboundAt: 1, preview: 'hi', createdAt: 1 }).execute();
      const message = { id: 'm1', organizationId: 'o1', conversationId: 'c1', direction: 'inbound' as const, body: 'hi', status: 'received' as const, errorCode: null, errorMessage: null, segments: 1, encoding: 'GSM-7' as const, twilioSid: 'SM1', authorId: null, createdAt: 1, updatedAt: 1 };
      await db.insertInto('messages').values(message as never).execute();
      await db.insertInto('optOuts').values({ customerId: 'cu1', senderId: 's1', organizationId: 'o1', at: 5 }).execute();
      await db.insertInto('media').values({ id: 'md1', organizationId: 'o1', messageId: 'm1', contentType: 'image/png', size: 1, status: 'ready', sourceUrl: null, errorMessage: null, position: 0, uploadedBy: null, createdAt: 1 }).execute();

      await migrate(database);

      // SQLite's search key (0011) is the message's time × 1000.
      expect(await db.selectFrom('messages').selectAll().execute()).toEqual([{ ...message, mentions: null, automatic: 0, ...(engine === 'sqlite' ? { searchKey: 1000 } : {}) }]);
      expect((await db.selectFrom('media').select('messageId').executeTakeFirstOrThrow()).messageId).toBe('m1');
      // Every opt-out so far came from a STOP or a 21610, so Twilio blocks it too.
      expect(await db.selectFrom('twilioOptOuts').selectAll().execute()).toEqual([{ customerId: 'cu1', senderId: 's1', organizationId: 'o1', at: 5 }]);
      await db.insertInto('messages').values({ ...message, id: 'n1', direction: 'note', twilioSid: null, mentions: '["u1"]' }).execute();
      await expect(db.insertInto('messages').values({ ...message, id: 'x1', direction: 'bogus' as never, twilioSid: null }).execute()).rejects.toThrow();
      // Foreign keys and the unique SID still hold on the rebuilt table.
      await expect(db.insertInto('messages').values({ ...message, id: 'x2', conversationId: 'nope', twilioSid: null }).execute()).rejects.toThrow();
      await expect(db.insertInto('messages').values({ ...message, id: 'x3' }).execute()).rejects.toThrow();
      const indexes =
        engine === 'postgres'
          ? (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'messages' and schemaname = current_schema()`.execute(db)).rows
          : (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'messages'`.execute(db)).rows;
      expect(indexes.map((i) => i.name)).toContain('messages_thread');
      // 0013: no index names a message's status or updated_at, which every status callback changes.
      expect(indexes.map((i) => i.name)).not.toContain('messages_unfinished');
    });
  });
}

import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Db, Tx } from '../../src/db/database.js';
import { holdInsert, holdUpdate, holdWrites, sendHeldWrites } from '../../src/db/held-writes.js';
import { putReadAhead, takeReadAhead } from '../../src/db/tx-memo.js';
import { newId } from '../../src/ids.js';
import { freshDatabase } from '../helpers/database.js';
import { senderRow } from '../helpers/seed.js';
import { ENGINES } from '../helpers/server.js';

const now = 1_700_000_000_000;
const organizationId = newId(now);
const customer = (phone: string) => ({ id: newId(now), organizationId, name: null, phone, email: null, notes: null, createdAt: now, updatedAt: now, searchText: phone });
const conversation = (customerId: string, senderId: string) => ({
  id: newId(now),
  organizationId,
  customerId,
  senderId,
  status: 'open' as const,
  assigneeId: null,
  lastMessageAt: now,
  lastInboundAt: null,
  preview: '',
  createdAt: now,
  awaySentAt: null,
});

const conversations = (conn: Db | Tx) => conn.selectFrom('conversations').select(['id', 'customerId', 'preview', 'lastMessageAt']).orderBy('id').execute();

for (const engine of ENGINES) {
  describe(`writes held back by a batch (${engine})`, () => {
    let drop: (() => Promise<void>) | undefined;
    afterEach(async () => {
      vi.restoreAllMocks();
      await drop?.();
      drop = undefined;
    });
    const setup = async () => {
      const fresh = await freshDatabase(engine);
      drop = fresh.drop;
      const { db } = fresh.database;
      await db.insertInto('organizations').values({ id: organizationId, name: 'Org', threadingWindowHours: 24, createdAt: now }).execute();
      const sender = senderRow({ organizationId, address: '+14155550000', createdAt: now });
      await db.insertInto('senders').values(sender).execute();
      return { db, senderId: sender.id };
    };

    it('are not held unless the transaction holds writes: the caller writes at once', async () => {
      const { db } = await setup();
      await db.transaction().execute(async (tx) => {
        expect(holdInsert(tx, 'customers', customer('+14155550100'))).toBe(false);
        expect(holdUpdate(tx, 'conversations', 'any', { preview: 'x' })).toBe(false);
      });
    });

    // Held writes go out in one PostgreSQL statement; SQLite batches never hold them (src/features/inbound/service.ts readAheadBatch).
    if (engine !== 'postgres') return;

    it('go out together before the commit: inserts in the order of their foreign keys, an update of a held row merged into its insert', async () => {
      const { db, senderId } = await setup();
      const known = customer('+14155550101');
      const knownConversation = conversation(known.id, senderId);
      await db.insertInto('customers').values(known).execute();
      await db.insertInto('conversations').values(knownConversation).execute();
      const fresh = customer('+14155550102');
      const freshConversation = conversation(fresh.id, senderId);
      await db.transaction().execute(async (tx) => {
        holdWrites(tx);
        // Held in the opposite order of their foreign keys: the conversation before its customer.
        expect(holdInsert(tx, 'conversations', freshConversation)).toBe(true);
        expect(holdInsert(tx, 'customers', fresh)).toBe(true);
        holdUpdate(tx, 'conversations', freshConversation.id, { preview: 'new', lastMessageAt: now + 1 });
        holdUpdate(tx, 'conversations', knownConversation.id, { preview: 'first', lastMessageAt: now + 1 });
        holdUpdate(tx, 'conversations', knownConversation.id, { preview: 'second', lastMessageAt: now + 2 });
        expect(await conversations(tx)).toHaveLength(1);
        await sendHeldWrites(tx);
        expect(await conversations(tx)).toEqual(
          [
            { id: knownConversation.id, customerId: known.id, preview: 'second', lastMessageAt: now + 2 },
            { id: freshConversation.id, customerId: fresh.id, preview: 'new', lastMessageAt: now + 1 },
          ].sort((a, b) => (a.id < b.id ? -1 : 1)),
        );
        // Sent once: nothing is held any more.
        await sendHeldWrites(tx);
      });
      expect(await db.selectFrom('customers').select('phone').orderBy('phone').execute()).toEqual([{ phone: known.phone }, { phone: fresh.phone }]);
    });

    it('go out before a read the batch did not read ahead, so it sees them; an answer read ahead is taken without sending', async () => {
      const { db, senderId } = await setup();
      const fresh = customer('+14155550103');
      await db.transaction().execute(async (tx) => {
        holdWrites(tx);
        holdInsert(tx, 'customers', fresh);
        holdInsert(tx, 'conversations', conversation(fresh.id, senderId));
        putReadAhead(tx, 'answer', 'read ahead');
        expect(await takeReadAhead(tx, 'answer', async () => 'read')).toBe('read ahead');
        expect(await conversations(tx)).toHaveLength(0);
        expect(await takeReadAhead(tx, 'answer', async () => (await conversations(tx)).length)).toBe(1);
      });
    });

    it('a row that leaves a column out gets its default, and a row that names it keeps its value, whichever comes first', async () => {
      const { db } = await setup();
      const { name: _unnamed, ...plain } = customer('+14155550106');
      const named = { ...customer('+14155550107'), name: 'Ada Lovelace' };
      // The same columns in another order.
      const reordered = Object.fromEntries(Object.entries({ ...customer('+14155550108'), name: 'Grace Hopper' }).reverse());
      await db.transaction().execute(async (tx) => {
        holdWrites(tx);
        holdInsert(tx, 'customers', named);
        holdInsert(tx, 'customers', plain);
        holdInsert(tx, 'customers', reordered);
        await sendHeldWrites(tx);
      });
      expect(await db.selectFrom('customers').select(['phone', 'name']).orderBy('phone').execute()).toEqual([
        { phone: plain.phone, name: null },
        { phone: named.phone, name: 'Ada Lovelace' },
        { phone: reordered.phone, name: 'Grace Hopper' },
      ]);
    });

    it('go out as a named statement whose text holds no count: batches of 3 and 4 updates send one text, 5 another, and every row is updated', async () => {
      const { db, senderId } = await setup();
      const stored = await Promise.all(
        Array.from({ length: 5 }, async (_, i) => {
          const c = customer(`+1415555020${i}`);
          const conv = conversation(c.id, senderId);
          await db.insertInto('customers').values(c).execute();
          await db.insertInto('conversations').values(conv).execute();
          return conv.id;
        }),
      );
      const sent: { name?: string; text: string }[] = [];
      const query = pg.Client.prototype.query;
      vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
        const [first] = args as [string | { name?: string; text: string }];
        if (typeof first !== 'string' && first.text.startsWith('update conversations')) sent.push({ name: first.name, text: first.text });
        return (query as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof query);
      for (const [count, preview] of [[3, 'three'], [4, 'four'], [5, 'five']] as const) {
        await db.transaction().execute(async (tx) => {
          holdWrites(tx);
          for (const id of stored.slice(0, count)) holdUpdate(tx, 'conversations', id, { preview, lastMessageAt: now + count });
          await sendHeldWrites(tx);
        });
      }
      expect(sent).toHaveLength(3);
      expect(sent.every((s) => s.name !== undefined)).toBe(true);
      expect(sent[1]).toEqual(sent[0]);
      expect(sent[2]!.text).not.toBe(sent[0]!.text);
      expect((await conversations(db)).map((c) => c.preview).sort()).toEqual(['five', 'five', 'five', 'five', 'five']);
    });

    it('that break a constraint fail the transaction, which stores none of them', async () => {
      const { db } = await setup();
      const taken = customer('+14155550104');
      await db.insertInto('customers').values(taken).execute();
      const failed = db.transaction().execute(async (tx) => {
        holdWrites(tx);
        holdInsert(tx, 'customers', customer('+14155550105'));
        holdInsert(tx, 'customers', { ...customer(taken.phone) });
        await sendHeldWrites(tx);
      });
      await expect(failed).rejects.toThrow(/unique|UNIQUE/);
      expect(await db.selectFrom('customers').select('phone').execute()).toEqual([{ phone: taken.phone }]);
    });
  });
}

import pg from 'pg';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { holdWrites } from '../../src/db/held-writes.js';
import { threadingWindowHours } from '../../src/features/accounts/service.js';
import { findOrganization } from '../../src/features/accounts/queries.js';
import { conversationLabels, isMessageStored } from '../../src/features/conversations/service.js';
import { noConversationYet, threadConversation } from '../../src/features/conversations/threading.js';
import { latestConversation } from '../../src/features/conversations/queries.js';
import { findCustomerByPhone, findOrCreateCustomerLocked } from '../../src/features/customers/service.js';
import { readAheadAndLock, readAheadThreads, type AheadText } from '../../src/features/inbound/read-ahead.js';
import { findInboundSender } from '../../src/features/twilio/messaging.js';
import { findAccountBySid } from '../../src/features/twilio/queries.js';
import { accountOfWebhook } from '../../src/features/twilio/webhook.js';
import { newId } from '../../src/ids.js';
import { freshDatabase } from '../helpers/database.js';
import { senderRow } from '../helpers/seed.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, SUPPORT_NUMBER, type TwilioWorld } from '../helpers/twilio-world.js';

const now = Date.now();

/**
 * Two organizations, each with its account, a number (and the first a Messaging Service), known
 * customers with conversations and labels, and one MessageSid stored.
 */
async function seed(db: Db) {
  const orgs = [newId(now), newId(now)];
  for (const [i, id] of orgs.entries()) await db.insertInto('organizations').values({ id, name: `Org ${i}`, threadingWindowHours: 12 + i, createdAt: now }).execute();
  const accounts = orgs.map((organizationId, i) => ({ id: newId(now), organizationId, accountSid: `AC${i}`.padEnd(34, '0'), authTokenSealed: 'sealed', connectedAt: now, connectedBy: null, pausedAt: null }));
  await db.insertInto('twilioAccounts').values(accounts).execute();
  const senders = [
    senderRow({ organizationId: orgs[0]!, twilioAccountId: accounts[0]!.id, address: '+14155550100', createdAt: now }),
    senderRow({ organizationId: orgs[0]!, twilioAccountId: accounts[0]!.id, address: 'MG'.padEnd(34, '1'), type: 'messaging_service', createdAt: now }),
    senderRow({ organizationId: orgs[1]!, twilioAccountId: accounts[1]!.id, address: '+14155550200', createdAt: now }),
  ];
  await db.insertInto('senders').values(senders).execute();
  // The same phone is a customer of both organizations.
  const customers = [
    { organizationId: orgs[0]!, phone: '+15005550001' },
    { organizationId: orgs[0]!, phone: '+15005550002' },
    { organizationId: orgs[1]!, phone: '+15005550001' },
  ].map((c) => ({ id: newId(now), ...c, name: null, email: null, notes: null, createdAt: now, updatedAt: now, searchText: c.phone }));
  await db.insertInto('customers').values(customers).execute();
  const conversation = (customer: (typeof customers)[number], senderId: string, lastMessageAt: number) => ({
    id: newId(now),
    organizationId: customer.organizationId,
    customerId: customer.id,
    senderId,
    status: 'open' as const,
    assigneeId: null,
    lastMessageAt,
    lastInboundAt: lastMessageAt,
    preview: 'hi',
    createdAt: lastMessageAt,
    awaySentAt: null,
  });
  // The first customer has an older and a newer conversation on the number; the second has none.
  const conversations = [conversation(customers[0]!, senders[0]!.id, now - 3_600_000), conversation(customers[0]!, senders[0]!.id, now - 60_000), conversation(customers[2]!, senders[2]!.id, now - 60_000)];
  await db.insertInto('conversations').values(conversations).execute();
  const labels = [
    { id: newId(now), organizationId: orgs[0]!, name: 'vip', color: '#ff0000', createdAt: now },
    { id: newId(now), organizationId: orgs[0]!, name: 'billing', color: '#00ff00', createdAt: now },
    { id: newId(now), organizationId: orgs[1]!, name: 'urgent', color: '#0000ff', createdAt: now },
  ];
  await db.insertInto('labels').values(labels).execute();
  await db
    .insertInto('conversationLabels')
    .values([
      { conversationId: conversations[1]!.id, labelId: labels[0]!.id, organizationId: orgs[0]! },
      { conversationId: conversations[1]!.id, labelId: labels[1]!.id, organizationId: orgs[0]! },
      { conversationId: conversations[2]!.id, labelId: labels[2]!.id, organizationId: orgs[1]! },
    ])
    .execute();
  const stored = 'SM'.padEnd(34, 'a');
  await db
    .insertInto('messages')
    .values({ id: newId(now), organizationId: orgs[0]!, conversationId: conversations[1]!.id, direction: 'inbound', body: 'hi', status: 'received', errorCode: null, errorMessage: null, segments: 1, encoding: 'GSM-7', twilioSid: stored, authorId: null, createdAt: now, updatedAt: now })
    .execute();
  return { orgs, accounts, senders, customers, conversations, stored };
}

/** What each step reads on its own, outside any batch. */
async function plainReads(db: Db, t: AheadText) {
  const account = await findAccountBySid(db, t.accountSid);
  const sender = account && (await findInboundSender(db, account, t.addresses));
  const customer = sender && (await findCustomerByPhone(db, account.organizationId, t.phone));
  const latest = customer && (await latestConversation(db, customer.id, sender.id));
  return {
    account,
    sender,
    stored: account ? await isMessageStored(db, t.messageSid) : undefined,
    customer,
    latest,
    labels: latest ? await conversationLabels(db, latest.organizationId, latest.id) : undefined,
    window: sender ? (await findOrganization(db, sender.organizationId))!.threadingWindowHours : undefined,
  };
}

for (const engine of ENGINES) {
  // SQLite reads per webhook in-process and never reads ahead (src/features/inbound/service.ts readAheadBatch).
  if (engine !== 'postgres') continue;

  describe(`a batch's reads ahead (${engine})`, () => {
    let drop: (() => Promise<void>) | undefined;
    let world: TwilioWorld | undefined;
    afterEach(async () => {
      vi.restoreAllMocks();
      await drop?.();
      drop = undefined;
      await world?.destroy();
      world = undefined;
    });

    it('serve a text that arrives alone too: it reads ahead and holds its writes as a batch does, so its transaction is three or four statements', async () => {
      const w = (world = await createTwilioWorld(engine));
      await w.sim.phoneSend({ from: '+14155550123', to: SUPPORT_NUMBER, body: 'first' });
      const statements = vi.spyOn(pg.Client.prototype, 'query');
      const sent = async (from: string, body: string) => {
        statements.mockClear();
        expect((await w.sim.phoneSend({ from, to: SUPPORT_NUMBER, body })).webhookStatus).toBe(200);
        return statements.mock.calls
          .map(([query]) => (typeof query === 'string' ? query : (query as { text: string }).text).trim())
          .filter((text) => !text.startsWith('select pg_notify') && !text.includes('"jobs"'))
          .map((text) => text.split(/\s+/).slice(0, 3).join(' '));
      };
      // The account, sender, duplicate check and locked customer in one read; the latest conversation and its labels in another.
      expect(await sent('+14155550123', 'second')).toEqual(['with texts as', 'with wanted as', 'with held_0 as', 'commit']);
      // A new customer has no conversation to read: customer, conversation and message go in one statement.
      expect(await sent('+14155550124', 'hello')).toEqual(['with texts as', 'with held_0 as', 'commit']);
      expect(await w.server.ctx.db.selectFrom('messages').select('body').orderBy('createdAt').execute()).toEqual([{ body: 'first' }, { body: 'second' }, { body: 'hello' }]);
    });

    it('answer every step of a batch mixing accounts, organizations, unknown numbers, new customers and duplicates as the steps would read, in two statements, with the served customers locked', async () => {
      const fresh = await freshDatabase(engine);
      drop = fresh.drop;
      const { db } = fresh.database;
      const s = await seed(db);
      const sid = (n: number) => `SM${String(n)}`.padEnd(34, '0');
      const texts: AheadText[] = [
        { accountSid: s.accounts[0]!.accountSid, addresses: ['+14155550100'], phone: s.customers[0]!.phone, messageSid: sid(1) },
        // The same customer again, through the Messaging Service (whose sender comes first), with a stored MessageSid.
        { accountSid: s.accounts[0]!.accountSid, addresses: [s.senders[1]!.address, '+14155550100'], phone: s.customers[0]!.phone, messageSid: s.stored },
        { accountSid: s.accounts[0]!.accountSid, addresses: ['+14155550100'], phone: s.customers[1]!.phone, messageSid: sid(2) },
        { accountSid: s.accounts[0]!.accountSid, addresses: ['+14155550100'], phone: '+15005550009', messageSid: sid(3) },
        { accountSid: s.accounts[1]!.accountSid, addresses: ['+14155550200'], phone: s.customers[2]!.phone, messageSid: sid(4) },
        // The other organization's number named with the first account: no sender serves it, so no lock.
        { accountSid: s.accounts[0]!.accountSid, addresses: ['+14155550200'], phone: s.customers[2]!.phone, messageSid: sid(5) },
        // A number no one has, and an account no one has.
        { accountSid: s.accounts[1]!.accountSid, addresses: ['+14155550999'], phone: s.customers[1]!.phone, messageSid: sid(6) },
        { accountSid: 'AC'.padEnd(34, '9'), addresses: ['+14155550100'], phone: s.customers[1]!.phone, messageSid: sid(7) },
      ];
      // What each step reads on its own, outside any batch.
      const plain: Awaited<ReturnType<typeof plainReads>>[] = [];
      for (const t of texts) plain.push(await plainReads(db, t));
      expect(plain.map((p) => [!!p.account, !!p.sender, p.stored ?? null, !!p.customer, !!p.latest])).toEqual([
        [true, true, false, true, true],
        [true, true, true, true, false],
        [true, true, false, true, false],
        [true, true, false, false, false],
        [true, true, false, true, true],
        [true, false, false, false, false],
        [true, false, false, false, false],
        [false, false, null, false, false],
      ]);
      expect(plain[0]!.labels!.map((l) => l.name)).toEqual(['billing', 'vip']);
      expect(plain[4]!.labels!.map((l) => l.name)).toEqual(['urgent']);

      const statements = vi.spyOn(pg.Client.prototype, 'query');
      await db.transaction().execute(async (tx) => {
        holdWrites(tx);
        const sentBefore = statements.mock.calls.length;
        await readAheadThreads(tx, await readAheadAndLock(tx, texts));
        expect(statements.mock.calls.length - sentBefore).toBe(2);

        // Another connection finds exactly the served known customers locked.
        const lockedNow = await sql<{ phone: string; organizationId: string }>`select organization_id, phone from customers c
          where not exists (select 1 from customers d where d.id = c.id for update skip locked)`.execute(db);
        expect(lockedNow.rows.map((r) => `${r.organizationId} ${r.phone}`).sort()).toEqual(
          [s.customers[0]!, s.customers[1]!, s.customers[2]!].map((c) => `${c.organizationId} ${c.phone}`).sort(),
        );

        const sentAhead = statements.mock.calls.length;
        for (const [i, t] of texts.entries()) {
          const expected = plain[i]!;
          const account = await accountOfWebhook(tx, t.accountSid);
          expect(account).toEqual(expected.account);
          if (!account) continue;
          const sender = await findInboundSender(tx, account, t.addresses);
          expect(sender).toEqual(expected.sender);
          expect(await isMessageStored(tx, t.messageSid)).toBe(expected.stored);
          if (!sender) continue;
          expect(await threadingWindowHours(tx, sender.organizationId)).toBe(expected.window);
          const customer = await findOrCreateCustomerLocked(tx, sender.organizationId, t.phone, now);
          if (expected.customer) expect(customer).toEqual(expected.customer);
          else {
            expect(customer.created).toBe(true);
            noConversationYet(tx, customer.id, sender.id);
          }
          // The customer's second text in the batch threads by what the first one left, which the steps put back themselves.
          if (i === 1) continue;
          const thread = await threadConversation(tx, { organizationId: sender.organizationId, customerId: customer.id, senderId: sender.id, now });
          if (expected.latest) {
            expect(thread).toMatchObject({ conversation: expected.latest, created: false });
            expect(await conversationLabels(tx, sender.organizationId, thread.conversation.id)).toEqual(expected.labels);
          } else expect(thread.created).toBe(true);
        }
        // Every answer came from the reads ahead: not one statement more.
        expect(statements.mock.calls.length - sentAhead).toBe(0);
      });
    });

    it("read a customer's latest conversation after the lock: what the lock's holder committed meanwhile (an agent's first text) is seen", async () => {
      const fresh = await freshDatabase(engine);
      drop = fresh.drop;
      const { db } = fresh.database;
      const s = await seed(db);
      const customer = s.customers[1]!;
      const opened = { ...s.conversations[0]!, id: newId(now), customerId: customer.id, lastMessageAt: now - 1_000, createdAt: now - 1_000 };
      let batch: Promise<unknown> | undefined;
      await db.transaction().execute(async (agent) => {
        await agent.selectFrom('customers').select('id').where('id', '=', customer.id).forUpdate().execute();
        batch = db.transaction().execute(async (tx) => {
          holdWrites(tx);
          const text: AheadText = { accountSid: s.accounts[0]!.accountSid, addresses: ['+14155550100'], phone: customer.phone, messageSid: 'SM'.padEnd(34, 'b') };
          await readAheadThreads(tx, await readAheadAndLock(tx, [text]));
          return threadConversation(tx, { organizationId: customer.organizationId, customerId: customer.id, senderId: s.senders[0]!.id, now });
        });
        // The batch's first statement waits for the agent's lock.
        await expect.poll(async () => (await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%for update of c%'`.execute(db)).rows[0]!.n).toBeGreaterThan(0);
        await agent.insertInto('conversations').values(opened).execute();
      });
      expect(await batch).toMatchObject({ conversation: { id: opened.id }, created: false });
    });
  });
}

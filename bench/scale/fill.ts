import { hashPassword } from '../../src/features/accounts/passwords.js';
import { indexCustomerSearch } from '../../src/features/customers/queries.js';
import type { Db, Tx } from '../../src/db/database.js';
import type { NewRow } from '../../src/db/schema.js';
import { customerSearchText } from '../../src/domain/search.js';
import { newId } from '../../src/ids.js';
import { createKeyring } from '../../src/secrets.js';
import { accountRow, senderRow } from '../../test/helpers/seed.js';

/**
 * The scale benchmark's desk, written straight through the product's schema and query layer
 * (no HTTP, so a million messages take minutes): customers with their search text and index
 * entry as the product writes them, conversations and messages with the product's columns.
 * Filler customer i has 4 messages: two conversations of two, or one of four. One long-time
 * customer, written early, has 5,000: one thread of 2,000 and 30 conversations of 100.
 */
export const PASSWORD = 'bench password 1';
export const ADMIN_EMAIL = 'admin@bench.test';
export const LONG_CUSTOMER_PHONE = '+16175550100';
/** Where the long-time customer goes among the fillers, so it exists at the small size too. */
const LONG_CUSTOMER_AT = 1_000;
const MESSAGES_PER_CUSTOMER = 4;
const LONG_THREAD = 2_000;
const LONG_CUSTOMER_CONVERSATIONS = 30;
const LONG_CONVERSATION = 100;
const STEP_MS = 60_000;
const BATCH_CUSTOMERS = 500;

const FIRST = ['Ada', 'Grace', 'Linus', 'Zoë', 'José', 'Amélie', 'Noah', 'Liam', 'Olivia', 'Emma', 'Mia', 'Lucas', 'Sofía', 'Hugo', 'Chloé', 'Björn', 'Aiko', 'Ravi', 'Fatima', 'Omar', 'Ingrid', 'Mateo', 'Léa', 'Yusuf', 'Priya', 'Kenji', 'Elena', 'Pablo', 'Nadia', 'Tomás'];
const SYLLABLES = ['ka', 'ro', 'mi', 'lé', 'an', 'tor', 'vel', 'is', 'bur', 'nó', 'da', 'gri', 'sen', 'ul', 'fa', 'wen', 'pa', 'tri', 'ço', 'ham', 'ber', 'lin', 'dez', 'ova', 'kis', 'mar', 'sto', 'ñe', 'qua', 'zel'];
const AREAS = ['212', '310', '415', '503', '617', '702', '808', '917', '206', '305'];

export interface Desk {
  organizationId: string;
  senderId: string;
  accountSid: string;
  authToken: string;
  supportNumber: string;
}

/** Filler customer i's name: one of 30 first names and a surname of three of 30 syllables. */
export function fillerName(i: number): string {
  const s = (k: number) => SYLLABLES[Math.floor(i / 30 ** k) % 30]!;
  const surname = s(1) + s(2) + s(3);
  return `${FIRST[i % 30]} ${surname[0]!.toUpperCase()}${surname.slice(1)}`;
}

/** Filler customer i's phone: distinct for every i below 10^7, digits spread like real numbers. */
export function fillerPhone(i: number): string {
  return `+1${AREAS[i % 10]}${String((i * 7_919 + 1_234_567) % 10_000_000).padStart(7, '0')}`;
}

export async function createDesk(db: Db, appSecret: string, now: number): Promise<Desk> {
  const desk = { organizationId: newId(now), senderId: '', accountSid: `AC${'5'.repeat(32)}`, authToken: 'b'.repeat(32), supportNumber: '+14155550100' };
  const keyring = createKeyring(appSecret);
  const passwordHash = await hashPassword(PASSWORD);
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('organizations').values({ id: desk.organizationId, name: 'Scale', threadingWindowHours: 24, createdAt: now }).execute();
    await tx.insertInto('users').values({ id: newId(now), organizationId: desk.organizationId, email: ADMIN_EMAIL, name: 'Bench Admin', role: 'admin', passwordHash, active: 1, createdAt: now }).execute();
    const account = accountRow(keyring, { organizationId: desk.organizationId, accountSid: desk.accountSid, authToken: desk.authToken, now });
    await tx.insertInto('twilioAccounts').values(account).execute();
    const sender = senderRow({ organizationId: desk.organizationId, twilioAccountId: account.id, address: desk.supportNumber, createdAt: now });
    await tx.insertInto('senders').values(sender).execute();
    desk.senderId = sender.id;
  });
  return desk;
}

interface Batch {
  customers: NewRow<'customers'>[];
  conversations: NewRow<'conversations'>[];
  messages: NewRow<'messages'>[];
}

/** What message number n says (the search benchmark varies it; scale keeps two texts). */
export type BodyOf = (n: number, inbound: boolean, createdAt: number) => string;

const orderBodies: BodyOf = (_n, inbound, createdAt) =>
  inbound ? `Hello, this is about order ${createdAt % 100_000}: it has not arrived yet.` : 'Thanks for writing! We are looking into it and will text you back today.';

/** Messages of one conversation, alternating customer and agent, a step apart from `at`. */
function conversation(desk: Desk, batch: Batch, customerId: string, at: number, count: number, open: boolean, bodyOf: BodyOf = orderBodies, stored = 0): number {
  const id = newId(at);
  for (let k = 0; k < count; k++) {
    const inbound = k % 2 === 0;
    const createdAt = at + k * STEP_MS;
    batch.messages.push({
      id: newId(createdAt),
      organizationId: desk.organizationId,
      conversationId: id,
      direction: inbound ? 'inbound' : 'outbound',
      body: bodyOf(stored + batch.messages.length, inbound, createdAt),
      status: inbound ? 'received' : 'delivered',
      errorCode: null,
      errorMessage: null,
      segments: 1,
      encoding: 'GSM-7',
      twilioSid: `SM${createdAt.toString(16)}${batch.messages.length.toString(16)}${Math.random().toString(16).slice(2, 10)}`.padEnd(34, '0').slice(0, 34),
      authorId: null,
      createdAt,
      updatedAt: createdAt,
    });
  }
  const last = at + (count - 1) * STEP_MS;
  batch.conversations.push({ id, organizationId: desk.organizationId, customerId, senderId: desk.senderId, status: open ? 'open' : 'closed', assigneeId: null, lastMessageAt: last, lastInboundAt: last - (count % 2 === 0 ? STEP_MS : 0), preview: 'last words', createdAt: at });
  return last + STEP_MS;
}

function customer(desk: Desk, batch: Batch, name: string, phone: string, email: string | null, at: number): string {
  const id = newId(at);
  batch.customers.push({ id, organizationId: desk.organizationId, name, phone, email, notes: null, createdAt: at, updatedAt: at, searchText: customerSearchText({ name, email, phone }) });
  return id;
}

async function write(tx: Tx, batch: Batch): Promise<void> {
  const chunks = <T>(rows: T[], size: number) => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));
  for (const rows of chunks(batch.customers, 500)) await tx.insertInto('customers').values(rows).execute();
  for (const c of batch.customers) await indexCustomerSearch(tx, c.id);
  for (const rows of chunks(batch.conversations, 500)) await tx.insertInto('conversations').values(rows).execute();
  for (const rows of chunks(batch.messages, 1_000)) await tx.insertInto('messages').values(rows).execute();
}

/**
 * Adds filler customers from number `from` until the desk holds `messages` messages, one
 * transaction per batch. `clock` is the time of the next message; returns it and the next number.
 */
export async function fill(db: Db, desk: Desk, from: number, messages: number, clock: number, stored: number, bodyOf?: BodyOf): Promise<{ next: number; clock: number }> {
  let i = from;
  while (stored < messages) {
    const batch: Batch = { customers: [], conversations: [], messages: [] };
    for (let n = 0; n < BATCH_CUSTOMERS && stored + batch.messages.length < messages; n++, i++) {
      if (i === LONG_CUSTOMER_AT) clock = longCustomer(desk, batch, clock);
      const name = fillerName(i);
      const email = i % 3 === 0 ? `${name.toLowerCase().replace(/\s/g, '.')}.${i}@example.com` : null;
      const id = customer(desk, batch, name, fillerPhone(i), email, clock);
      const open = i % 10 === 0;
      if (i % 2 === 0) {
        clock = conversation(desk, batch, id, clock, 2, false, bodyOf, stored);
        clock = conversation(desk, batch, id, clock, 2, open, bodyOf, stored);
      } else {
        clock = conversation(desk, batch, id, clock, MESSAGES_PER_CUSTOMER, open, bodyOf, stored);
      }
    }
    await db.transaction().execute((tx) => write(tx, batch));
    stored += batch.messages.length;
  }
  return { next: i, clock };
}

function longCustomer(desk: Desk, batch: Batch, clock: number): number {
  const id = customer(desk, batch, 'Marguerite Long-Standing', LONG_CUSTOMER_PHONE, 'marguerite@example.com', clock);
  for (let c = 0; c < LONG_CUSTOMER_CONVERSATIONS; c++) clock = conversation(desk, batch, id, clock, LONG_CONVERSATION, false);
  return conversation(desk, batch, id, clock, LONG_THREAD, true);
}

import { CompiledQuery } from 'kysely';
import type { Tx } from '../../db/database.js';
import { parseOncePerConnection } from '../../db/pg-statements.js';
import type { Row } from '../../db/schema.js';
import { putOrganization } from '../accounts/service.js';
import { putConversationLabels, putStoredSids } from '../conversations/service.js';
import { putLatestConversation } from '../conversations/threading.js';
import { putLockedCustomer } from '../customers/service.js';
import { findInboundSender, putActiveSenders } from '../twilio/messaging.js';
import { putAccountOfWebhook } from '../twilio/webhook.js';

/** A webhook of the batch as far as its reads go: its account, the addresses its sender may have, its customer's number, its MessageSid. */
export interface AheadText {
  accountSid: string;
  addresses: [string] | [string, string];
  phone: string;
  messageSid: string;
}

/** A customer the batch holds locked, and the sender its text came to. */
export interface LockedText {
  customerId: string;
  senderId: string;
}

/**
 * PostgreSQL only (SQLite reads per webhook in-process, see readAheadBatch). The first of a batch's
 * two reads ahead, in one statement: the accounts its webhooks name, the active senders at their
 * addresses, the organizations they serve, which MessageSids are stored already, and the known
 * customers, locked. A webhook's customer is locked only when its account and a sender of that
 * account serve it, as its own steps find, and the locks are taken in the order of (organization
 * id, phone) that every batch locks in, so two batches never wait on each other in a circle (the
 * ids compared as bytes, as batches sorted them before this statement). The answers go where each
 * step's own read looks first (src/db/tx-memo.ts), so those steps send nothing. Returns the
 * known customers now locked, each with its text's sender, for readAheadThreads.
 */
export async function readAheadAndLock(tx: Tx, texts: AheadText[]): Promise<LockedText[]> {
  if (texts.length === 0) return [];
  const input = texts.map((t) => ({ account_sid: t.accountSid, first: t.addresses[0], second: t.addresses[1] ?? t.addresses[0], phone: t.phone, message_sid: t.messageSid }));
  const { rows } = await tx.executeQuery<{
    accounts: Row<'twilioAccounts'>[];
    senders: Row<'senders'>[];
    organizations: Row<'organizations'>[];
    stored: string[];
    customers: Row<'customers'>[];
  }>(CompiledQuery.raw(AHEAD_AND_LOCK, [JSON.stringify(input)]));
  const { accounts, senders, organizations, stored, customers } = rows[0]!;
  for (const organization of organizations) putOrganization(tx, organization);
  const storedSids = new Set(stored);
  const locked = new Map<string, LockedText>();
  for (const t of texts) {
    const account = accounts.find((a) => a.accountSid === t.accountSid);
    putAccountOfWebhook(tx, t.accountSid, account);
    if (!account) continue;
    putActiveSenders(tx, t.addresses, senders);
    putStoredSids(tx, [t.messageSid], storedSids);
    // The webhook's own step 5, answered from what was just put: no statement.
    const sender = await findInboundSender(tx, account, t.addresses);
    if (!sender) continue;
    const customer = customers.find((c) => c.organizationId === account.organizationId && c.phone === t.phone);
    putLockedCustomer(tx, account.organizationId, t.phone, customer);
    if (customer) locked.set(`${customer.id} ${sender.id}`, { customerId: customer.id, senderId: sender.id });
  }
  return [...locked.values()];
}

/**
 * PostgreSQL only, the second read ahead, in one statement: each locked customer's latest
 * conversation on its text's sender (one `limit 1` each), with those conversations' labels for the
 * events. It must be a statement after the locks': a statement sees the database as it was when
 * it began, and a lock it waited for may have been held by a transaction (another batch, an
 * agent's first text) that wrote the customer's conversation before committing.
 */
export async function readAheadThreads(tx: Tx, texts: LockedText[]): Promise<void> {
  if (texts.length === 0) return;
  const input = texts.map((t) => ({ customer_id: t.customerId, sender_id: t.senderId }));
  const { rows } = await tx.executeQuery<{
    conversations: Row<'conversations'>[];
    links: { conversationId: string; labelId: string }[];
    labels: Row<'labels'>[];
  }>(CompiledQuery.raw(THREADS, [JSON.stringify(input)]));
  const { conversations, links, labels } = rows[0]!;
  for (const t of texts) putLatestConversation(tx, t.customerId, t.senderId, conversations.find((c) => c.customerId === t.customerId && c.senderId === t.senderId));
  putConversationLabels(tx, conversations, links, labels);
}

/*
 * Each lookup is by key, written so that PostgreSQL plans index lookups although it takes a JSON
 * parameter for 100 rows (a batch holds a few): `= any(array(…))` rather than `in (select …)`,
 * and the latest conversation as one `limit 1` per text. Joined to 100 rows, a table of a few
 * thousand is on paper cheaper to read whole into a hash, and a connection keeps a named
 * statement's plan until the table's statistics change. In the benchmark that read every message
 * and every conversation once a batch: 5.2 ms a statement at 15,000 messages, 0.3 with lookups.
 */
const AHEAD_AND_LOCK = `
with texts as (
  select * from json_to_recordset($1::json) as t(account_sid text, first text, second text, phone text, message_sid text)
), accounts as (
  select * from twilio_accounts where account_sid = any(array(select account_sid from texts))
), active_senders as (
  select * from senders where active = 1 and address = any(array(select first from texts union select second from texts))
), served as (
  select distinct a.organization_id, t.phone
  from texts t join accounts a on a.account_sid = t.account_sid
  where exists (
    select 1 from active_senders s
    where s.twilio_account_id = a.id and s.organization_id = a.organization_id and s.address in (t.first, t.second)
  )
), locked as (
  select c.* from customers c join served on c.organization_id = served.organization_id and c.phone = served.phone
  order by c.organization_id collate "C", c.phone
  for update of c
)
select
  (select coalesce(json_agg(a), '[]') from accounts a) as accounts,
  (select coalesce(json_agg(s), '[]') from active_senders s) as senders,
  (select coalesce(json_agg(o), '[]') from organizations o where o.id = any(array(select organization_id from served))) as organizations,
  (select coalesce(json_agg(m.twilio_sid), '[]') from messages m
    where m.twilio_sid = any(array(select t.message_sid from texts t join accounts a on a.account_sid = t.account_sid))) as stored,
  (select coalesce(json_agg(l), '[]') from locked l) as customers`;

const THREADS = `
with wanted as (
  select * from json_to_recordset($1::json) as w(customer_id text, sender_id text)
), latest as (
  select c.* from wanted w cross join lateral (
    select * from conversations c
    where c.customer_id = w.customer_id and c.sender_id = w.sender_id
    order by c.last_message_at desc, c.id desc
    limit 1
  ) c
), links as (
  select conversation_id, label_id from conversation_labels where conversation_id = any(array(select id from latest))
)
select
  (select coalesce(json_agg(l), '[]') from latest l) as conversations,
  (select coalesce(json_agg(k), '[]') from links k) as links,
  (select coalesce(json_agg(b), '[]') from labels b
    where b.id = any(array(select label_id from links)) and b.organization_id = any(array(select organization_id from latest))) as labels`;

// Sent for every batch: each connection parses them once.
parseOncePerConnection(AHEAD_AND_LOCK);
parseOncePerConnection(THREADS);

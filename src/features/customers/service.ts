import type { Context } from '../../context.js';
import type { Conn, Tx } from '../../db/database.js';
import { holdInsert, holdsWrites, sendHeldWrites } from '../../db/held-writes.js';
import { putReadAhead, takeReadAhead } from '../../db/tx-memo.js';
import { cursorKey, pageOf } from '../../domain/cursor.js';
import { optOutChange } from '../../domain/opt-out.js';
import { toE164 } from '../../domain/phone.js';
import { customerSearchText, searchTerms, type SearchTerms } from '../../domain/search.js';
import { invalid, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import type { AuthUser } from '../accounts/sessions.js';
import { customerTimelinePage, type TimelineQuery } from '../conversations/service.js';
import { customerUpdatedEvent } from '../events/app-event.js';
import { publishCommitted } from '../events/publish.js';
import { presentCustomer, presentOptOutChange } from './presenters.js';
import * as q from './queries.js';

/**
 * The organization's customer with this E.164 phone, created (name unknown) if new, and locked
 * for the rest of the transaction. Two first messages from one new number give one customer.
 */
/* For other features: outbound reads and locks customers through these. */

export const findCustomer = (conn: Conn, organizationId: string, id: string) => q.findCustomer(conn, organizationId, id);
export const findCustomerByPhone = (conn: Conn, organizationId: string, phone: string) => q.findCustomerByPhone(conn, organizationId, phone);
/** The customer row, locked until the transaction ends (see findOrCreateCustomerLocked). */
export const lockCustomer = (tx: Tx, organizationId: string, id: string) => q.lockCustomer(tx, organizationId, id);
export const isOptedOut = (conn: Conn, customerId: string, senderId: string) => q.isOptedOut(conn, customerId, senderId);
/** The organization's customers a search finds, as a subquery of their ids (the inbox filters by it). */
export const customersMatching = (conn: Conn, organizationId: string, search: SearchTerms) => q.customersMatching(conn, organizationId, search);

export async function findOrCreateCustomerLocked(tx: Tx, organizationId: string, phone: string, now: number): Promise<q.CustomerRow & { created?: true }> {
  // Most messages come from known customers: look first, and write only for a new number.
  const key = lockedKey(organizationId, phone);
  const known = await takeReadAhead(tx, key, () => q.lockCustomerByPhone(tx, organizationId, phone));
  // Nothing else in a batch changes the row: its next text from this customer takes it too.
  if (holdsWrites(tx) && known) putReadAhead(tx, key, known);
  if (known) return known;
  const searchText = customerSearchText({ name: null, email: null, phone });
  const row = { id: newId(now), organizationId, name: null, phone, email: null, notes: null, createdAt: now, updatedAt: now, searchText };
  // A batch holding writes inserts it with the others (a racing batch's insert of the same number fails it, and its webhooks run again alone).
  if (holdInsert(tx, 'customers', row)) {
    putReadAhead(tx, key, { ...row, searchKey: null });
    return { ...row, searchKey: null, created: true };
  }
  const created = await q.insertCustomerIfAbsent(tx, { id: row.id, organizationId, phone, searchText, now });
  if (created) return { ...created, searchKey: (await q.indexCustomerSearch(tx, created.id)) ?? created.searchKey, created: true };
  // Created meanwhile by another transaction, which PostgreSQL's insert waited for: lock that one.
  const customer = await q.lockCustomerByPhone(tx, organizationId, phone);
  if (!customer) throw new Error(`customer ${phone} vanished inside its own transaction`);
  return customer;
}

const lockedKey = (organizationId: string, phone: string) => `customer-locked ${organizationId} ${phone}`;

/**
 * For a batch of webhooks: the organization's customer with this phone (undefined: none yet),
 * locked by the batch's read ahead, for findOrCreateCustomerLocked to answer from. The caller
 * locks a batch's customers in one statement in the order of (organization id, phone), the
 * order every batch locks in, so two never wait on each other in a circle.
 */
export const putLockedCustomer = (tx: Tx, organizationId: string, phone: string, row: q.CustomerRow | undefined) => putReadAhead(tx, lockedKey(organizationId, phone), row);

/**
 * docs/rules.md#opt-out: kept per customer and sender. Returns whether the customer's opt-out
 * state changed, so the caller can publish `customer.updated`.
 */
export async function applyOptOutKeyword(
  tx: Tx,
  input: { organizationId: string; customerId: string; senderId: string; body: string; optOutType?: string; now: number },
): Promise<boolean> {
  const change = optOutChange(input.body, input.optOutType);
  if (change === null) return false;
  await sendHeldWrites(tx); // the customer may be one the batch holds
  const { organizationId, customerId, senderId, now } = input;
  if (change === 'opt_out') {
    const blocked = await q.insertTwilioOptOut(tx, { customerId, senderId, organizationId, at: now });
    const was = await q.isOptedOut(tx, customerId, senderId);
    if (!was) await q.insertOptOut(tx, { customerId, senderId, organizationId, at: now });
    return blocked || !was;
  }
  // START lifts Twilio's block as well as Parley's opt-out (which an agent may have lifted already).
  const unblocked = await q.deleteTwilioOptOut(tx, customerId, senderId);
  const was = await q.isOptedOut(tx, customerId, senderId);
  if (was) await q.deleteOptOut(tx, customerId, senderId);
  return unblocked || was;
}

/** Twilio's 21610 on a send means Twilio blocks the customer: record it like a STOP. */
export async function markOptedOut(tx: Tx, input: { organizationId: string; customerId: string; senderId: string; now: number }): Promise<void> {
  const row = { customerId: input.customerId, senderId: input.senderId, organizationId: input.organizationId, at: input.now };
  await q.insertOptOut(tx, row);
  await q.insertTwilioOptOut(tx, row);
}

export async function customerWithOptOuts(tx: Tx | Parameters<typeof q.findCustomer>[0], organizationId: string, id: string) {
  const customer = await q.findCustomer(tx, organizationId, id);
  if (!customer) return null;
  return { customer, state: { optOuts: await q.optOutsOf(tx, [id]), twilioOptOuts: await q.twilioOptOutsOf(tx, [id]) } };
}

export interface CustomerQuery {
  phone?: string;
  q?: string;
  cursor?: string;
  limit: number;
}

/** Find customers by exact phone (any common way of writing it) or by a search on name, phone or email. */
export async function listCustomers(ctx: Context, auth: AuthUser, input: CustomerQuery) {
  let phone: string | undefined;
  if (input.phone !== undefined) {
    phone = toE164(input.phone) ?? undefined;
    if (!phone) throw invalid('phone', 'is not a valid phone number; include the country code, e.g. +14155550100');
  }
  const search = input.q?.trim() ? searchTerms(input.q) : undefined;
  const rows = await q.listCustomers(ctx.db, { organizationId: auth.organizationId, phone, search, after: cursorKey(input.cursor), limit: input.limit + 1 });
  const { page, nextCursor } = pageOf(rows, input.limit, (c) => ({ at: c.createdAt, id: c.id }));
  const ids = page.map((c) => c.id);
  const [optOuts, twilioOptOuts] = [await q.optOutsOf(ctx.db, ids), await q.twilioOptOutsOf(ctx.db, ids)];
  const of = <T extends { customerId: string }>(rows: T[], id: string) => rows.filter((o) => o.customerId === id);
  return {
    items: page.map((c) => presentCustomer(c, { optOuts: of(optOuts, c.id), twilioOptOuts: of(twilioOptOuts, c.id) })),
    nextCursor,
  };
}

async function customerOrNotFound(conn: Conn, auth: AuthUser, id: string) {
  const found = await customerWithOptOuts(conn, auth.organizationId, id);
  if (!found) throw notFound('Customer');
  return found;
}

export async function getCustomer(ctx: Context, auth: AuthUser, id: string) {
  const { customer, state } = await customerOrNotFound(ctx.db, auth, id);
  return presentCustomer(customer, state);
}

/** Agents keep a customer's name, email and notes; everyone sees the change live. */
export async function updateCustomer(ctx: Context, auth: AuthUser, id: string, changes: { name?: string | null; email?: string | null; notes?: string | null }) {
  const { customer: before } = await customerOrNotFound(ctx.db, auth, id);
  if (Object.keys(changes).length > 0) {
    // The search index changes in the same transaction as what it indexes.
    const searchText = customerSearchText({ ...before, ...changes });
    await ctx.db.transaction().execute(async (tx) => {
      await q.updateCustomer(tx, auth.organizationId, id, { ...changes, searchText, updatedAt: ctx.clock.now() });
      await q.indexCustomerSearch(tx, id);
    });
  }
  const { customer, state } = await customerOrNotFound(ctx.db, auth, id);
  const presented = presentCustomer(customer, state);
  if (Object.keys(changes).length > 0) {
    await publishCommitted(ctx, [customerUpdatedEvent(auth.organizationId, presented)]);
  }
  return presented;
}

/**
 * A page of the customer's conversations, newest first, each with its newest messages (see
 * customerTimelinePage), and the opt-outs agents changed in the page's span of time, oldest first:
 * from its oldest conversation's start (the last page: from the beginning) to where the previous
 * page ended. Together the pages hold each change once, and no page grows with the history.
 */
export async function customerTimeline(ctx: Context, auth: AuthUser, id: string, input: TimelineQuery) {
  const { customer, state } = await customerOrNotFound(ctx.db, auth, id);
  const page = await customerTimelinePage(ctx.db, auth, id, input);
  const oldest = page.nextCursor === null ? undefined : page.conversations.at(-1);
  const span = { from: oldest && Date.parse(oldest.createdAt), before: cursorKey(input.cursor)?.at };
  const optOutChanges = (await q.optOutChangesOf(ctx.db, id, span)).map(presentOptOutChange);
  return { customer: presentCustomer(customer, state), ...page, optOutChanges };
}

/** For events: the customer as the API shows it. */
export async function presentedCustomer(conn: Conn, organizationId: string, id: string) {
  const found = await customerWithOptOuts(conn, organizationId, id);
  return found ? presentCustomer(found.customer, found.state) : null;
}

import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { isPostgres, type Conn } from '../../db/database.js';
import { after } from '../../db/keyset.js';
import { prepared } from '../../db/prepared.js';
import type { DB, NewRow, Row, RowUpdate } from '../../db/schema.js';
import type { CursorKey } from '../../domain/cursor.js';
import { ftsPhrases, isFragment, likePattern, prefixRange, type SearchTerms } from '../../domain/search.js';

export type CustomerRow = Row<'customers'>;
export type OptOutRow = Row<'optOuts'>;

/**
 * Creates a customer known only by phone unless one with that phone exists (the unique constraint
 * settles races), returning the new row, which stays the transaction's own until it commits;
 * undefined when the phone was taken.
 */
export const insertCustomerIfAbsent = async (conn: Conn, row: { id: string; organizationId: string; phone: string; searchText: string; now: number }) =>
  (await insertCustomerQuery(conn, row.id, row.organizationId, row.phone, row.searchText, row.now)).rows[0];

const insertCustomerQuery = prepared((conn: Conn, id: string, organizationId: string, phone: string, searchText: string, now: number) =>
  conn
    .insertInto('customers')
    .values({ id, organizationId, phone, name: null, email: null, notes: null, createdAt: now, updatedAt: now, searchText })
    .onConflict((oc) => oc.columns(['organizationId', 'phone']).doNothing())
    .returningAll(),
);

/**
 * The customer row, locked until the transaction ends on PostgreSQL (SQLite's single writer
 * already serializes), so racing messages from one customer take turns choosing a conversation.
 */
export const lockCustomerByPhone = async (conn: Conn, organizationId: string, phone: string) => (await lockCustomerByPhoneQuery(conn, organizationId, phone)).rows[0];

const lockCustomerByPhoneQuery = prepared((conn: Conn, organizationId: string, phone: string) =>
  conn
    .selectFrom('customers')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('phone', '=', phone)
    .$if(isPostgres(conn), (q) => q.forUpdate()),
);

export const lockCustomer = (conn: Conn, organizationId: string, id: string) =>
  conn
    .selectFrom('customers')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .$if(isPostgres(conn), (q) => q.forUpdate())
    .executeTakeFirst();

export const findCustomer = (conn: Conn, organizationId: string, id: string) =>
  conn.selectFrom('customers').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();

export const findCustomerByPhone = (conn: Conn, organizationId: string, phone: string) =>
  conn.selectFrom('customers').selectAll().where('organizationId', '=', organizationId).where('phone', '=', phone).executeTakeFirst();

export const optOutsOf = (conn: Conn, customerIds: string[]) =>
  customerIds.length === 0
    ? Promise.resolve([] as OptOutRow[])
    : conn.selectFrom('optOuts').selectAll().where('customerId', 'in', customerIds).orderBy('at').execute();

export const isOptedOut = async (conn: Conn, customerId: string, senderId: string) =>
  (await conn.selectFrom('optOuts').select('at').where('customerId', '=', customerId).where('senderId', '=', senderId).executeTakeFirst()) !== undefined;

export const insertOptOut = (conn: Conn, row: NewRow<'optOuts'>) =>
  conn
    .insertInto('optOuts')
    .values(row)
    .onConflict((oc) => oc.columns(['customerId', 'senderId']).doNothing())
    .execute();

export const deleteOptOut = (conn: Conn, customerId: string, senderId: string) =>
  conn.deleteFrom('optOuts').where('customerId', '=', customerId).where('senderId', '=', senderId).execute();

export const deleteOptOuts = (conn: Conn, customerId: string, senderIds: string[]) =>
  senderIds.length === 0 ? Promise.resolve() : conn.deleteFrom('optOuts').where('customerId', '=', customerId).where('senderId', 'in', senderIds).execute().then(() => undefined);

/* Twilio's own block (docs/rules.md#unsubscribe-on-a-customers-behalf): only the customer's START lifts it. */

export type TwilioOptOutRow = Row<'twilioOptOuts'>;

export const twilioOptOutsOf = (conn: Conn, customerIds: string[]) =>
  customerIds.length === 0
    ? Promise.resolve([] as TwilioOptOutRow[])
    : conn.selectFrom('twilioOptOuts').selectAll().where('customerId', 'in', customerIds).orderBy('at').execute();

export const insertTwilioOptOut = (conn: Conn, row: NewRow<'twilioOptOuts'>) =>
  conn
    .insertInto('twilioOptOuts')
    .values(row)
    .onConflict((oc) => oc.columns(['customerId', 'senderId']).doNothing())
    .executeTakeFirst()
    .then((r) => Number(r.numInsertedOrUpdatedRows ?? 0) > 0);

export const deleteTwilioOptOut = (conn: Conn, customerId: string, senderId: string) =>
  conn
    .deleteFrom('twilioOptOuts')
    .where('customerId', '=', customerId)
    .where('senderId', '=', senderId)
    .executeTakeFirst()
    .then((r) => Number(r.numDeletedRows) > 0);

export type OptOutChangeRow = Row<'optOutChanges'>;

export const insertOptOutChange = (conn: Conn, row: NewRow<'optOutChanges'>) => conn.insertInto('optOutChanges').values(row).execute();

/** The customer's opt-out changes made from `from` (inclusive) to `before` (exclusive), oldest first; either end may be open. */
export const optOutChangesOf = (conn: Conn, customerId: string, span: { from?: number; before?: number }) =>
  conn
    .selectFrom('optOutChanges')
    .selectAll()
    .where('customerId', '=', customerId)
    .$if(span.from !== undefined, (qb) => qb.where('createdAt', '>=', span.from!))
    .$if(span.before !== undefined, (qb) => qb.where('createdAt', '<', span.before!))
    .orderBy('createdAt')
    .orderBy('id')
    .execute();

export interface CustomerFilter {
  organizationId: string;
  phone?: string;
  search?: SearchTerms;
  after?: CursorKey;
  limit: number;
}

/** Newest customers first; (createdAt, id) keeps the cursor exact. */
export const listCustomers = (conn: Conn, f: CustomerFilter) =>
  conn
    .selectFrom('customers')
    .selectAll()
    .where('organizationId', '=', f.organizationId)
    .$if(f.phone !== undefined, (q) => q.where('phone', '=', f.phone!))
    .$if(f.search !== undefined, (q) => q.where((eb) => matches(eb, conn, f.search!)))
    .$if(f.after !== undefined, (q) => q.where((eb) => after(eb, { at: 'createdAt', id: 'id' }, f.after!)))
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit)
    .execute();

/** The organization's customers a search finds, as a subquery of ids (for the inbox). */
export const customersMatching = (conn: Conn, organizationId: string, search: SearchTerms) =>
  conn
    .selectFrom('customers')
    .select('customers.id')
    .where('customers.organizationId', '=', organizationId)
    .where((eb) => matches(eb, conn, search));

/**
 * docs/architecture.md#searching-customers: a fragment of 3 or more characters (or digits) is
 * looked up in the trigram index, PostgreSQL's pg_trgm over `search_text` or SQLite's FTS5
 * `customer_search`; a shorter one is a range of `search_text`, the start of the name.
 */
function matches(eb: ExpressionBuilder<DB, 'customers'>, conn: Conn, terms: SearchTerms) {
  const { text, digits } = terms;
  const long = isFragment(terms);
  const fragments = [...(long ? [text] : []), ...(digits && digits !== text ? [digits] : [])];
  const found: Expression<SqlBool>[] = [];
  if (fragments.length > 0) found.push(isPostgres(conn) ? anyLike(eb, fragments) : inTrigramIndex(eb, fragments));
  if (!long && text !== '') found.push(startsWith(eb, conn, text));
  return found.length === 0 ? sql<SqlBool>`1 = 0` : eb.or(found);
}

const anyLike = (eb: ExpressionBuilder<DB, 'customers'>, fragments: string[]) =>
  eb.or(fragments.map((f) => sql<SqlBool>`${eb.ref('customers.searchText')} like ${likePattern(f)} escape '\\'`));

const inTrigramIndex = (eb: ExpressionBuilder<DB, 'customers'>, fragments: string[]) =>
  eb('customers.searchKey', 'in', eb.selectFrom('customerSearch').select('customerSearch.rowid').where(sql<SqlBool>`customer_search match ${ftsPhrases(fragments)}`));

function startsWith(eb: ExpressionBuilder<DB, 'customers'>, conn: Conn, prefix: string) {
  const { from, to } = prefixRange(prefix);
  // PostgreSQL's index is in "C" order (code points); SQLite compares that way already.
  const column = isPostgres(conn) ? sql`${eb.ref('customers.searchText')} collate "C"` : eb.ref('customers.searchText');
  return sql<SqlBool>`${column} >= ${from} and ${column} < ${to}`;
}

/**
 * SQLite keeps its trigram index by hand: a customer's row there, under a search key of its
 * own given on first use (returned). On PostgreSQL the index follows the column by itself.
 */
export async function indexCustomerSearch(conn: Conn, id: string): Promise<number | null> {
  if (isPostgres(conn)) return null;
  const keyed = (await giveSearchKeyQuery(conn, id)).rows[0];
  if (keyed) await replaceSearchRowQuery(conn, keyed.searchKey!, keyed.searchText);
  return keyed?.searchKey ?? null;
}

const giveSearchKeyQuery = prepared((conn: Conn, id: string) =>
  conn
    .updateTable('customers')
    .set((eb) => ({ searchKey: eb.fn.coalesce('searchKey', sql<number>`(select coalesce(max(search_key), 0) + 1 from customers)`) }))
    .where('id', '=', id)
    .returning(['searchKey', 'searchText']),
);

const replaceSearchRowQuery = prepared((conn: Conn, rowid: number, searchText: string) =>
  conn.replaceInto('customerSearch').values({ rowid, searchText }),
);

export const updateCustomer = (conn: Conn, organizationId: string, id: string, changes: RowUpdate<'customers'>) =>
  conn.updateTable('customers').set(changes).where('organizationId', '=', organizationId).where('id', '=', id).execute();

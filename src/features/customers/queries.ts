import { sql, type SqlBool } from 'kysely';
import { isPostgres, type Conn } from '../../db/database.js';
import { after } from '../../db/keyset.js';
import { prepared, preparedInsert } from '../../db/prepared.js';
import type { NewRow, Row, RowUpdate } from '../../db/schema.js';
import type { CursorKey } from '../../domain/cursor.js';
import type { SearchTerms } from '../../domain/search.js';

export type CustomerRow = Row<'customers'>;
export type OptOutRow = Row<'optOuts'>;

/** Creates the customer unless one with that phone exists; the unique constraint settles races. */
export const insertCustomerIfAbsent = preparedInsert('customers', (insert) => insert.onConflict((oc) => oc.columns(['organizationId', 'phone']).doNothing()));

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

export const optOutChangesOf = (conn: Conn, customerId: string) =>
  conn.selectFrom('optOutChanges').selectAll().where('customerId', '=', customerId).orderBy('createdAt').orderBy('id').execute();

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
    .$if(f.search !== undefined, (q) =>
      q.where((eb) => {
        const { text, digits } = f.search!;
        const terms = [
          sql<SqlBool>`lower(${eb.ref('name')}) like ${text} escape '\\'`,
          sql<SqlBool>`lower(${eb.ref('email')}) like ${text} escape '\\'`,
          ...(digits ? [sql<SqlBool>`${eb.ref('phone')} like ${digits} escape '\\'`] : []),
        ];
        return eb.or(terms);
      }),
    )
    .$if(f.after !== undefined, (q) => q.where((eb) => after(eb, { at: 'createdAt', id: 'id' }, f.after!)))
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit)
    .execute();

export const updateCustomer = (conn: Conn, organizationId: string, id: string, changes: RowUpdate<'customers'>) =>
  conn.updateTable('customers').set(changes).where('organizationId', '=', organizationId).where('id', '=', id).execute();

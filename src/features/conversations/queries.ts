import { sql, type SqlBool } from 'kysely';
import { isPostgres, type Conn } from '../../db/database.js';
import { after } from '../../db/keyset.js';
import { prepared, preparedInsert } from '../../db/prepared.js';
import type { Row, RowUpdate } from '../../db/schema.js';
import type { CursorKey } from '../../domain/cursor.js';
import type { SearchTerms } from '../../domain/search.js';

export type ConversationRow = Row<'conversations'>;
export type MessageRow = Row<'messages'>;
export type MediaRow = Row<'media'>;

/** The candidate for threading: the customer's conversation on this sender with the newest last message. */
export const latestConversation = async (conn: Conn, customerId: string, senderId: string) => (await latestConversationQuery(conn, customerId, senderId)).rows[0];

const latestConversationQuery = prepared((conn: Conn, customerId: string, senderId: string) =>
  conn
    .selectFrom('conversations')
    .selectAll()
    .where('customerId', '=', customerId)
    .where('senderId', '=', senderId)
    .orderBy('lastMessageAt', 'desc')
    .orderBy('id', 'desc')
    // A literal: SQLite re-plans a statement whose LIMIT is a bound parameter on every run.
    .limit(sql.lit(1)),
);

/* Every inbound message and every send writes these rows: prepared once. */
export const insertConversation = preparedInsert('conversations');
export const insertMessage = preparedInsert('messages');

/** Moves a conversation's activity to its newest message; an inbound one also sets lastInboundAt. */
export const setConversationActivity = async (conn: Conn, id: string, at: number, preview: string, inbound: boolean) => {
  await (inbound ? touchInboundQuery : touchOutboundQuery)(conn, id, at, preview);
};

const touchInboundQuery = prepared((conn: Conn, id: string, at: number, preview: string) =>
  conn.updateTable('conversations').set({ lastMessageAt: at, lastInboundAt: at, preview }).where('id', '=', id),
);
const touchOutboundQuery = prepared((conn: Conn, id: string, at: number, preview: string) =>
  conn.updateTable('conversations').set({ lastMessageAt: at, preview }).where('id', '=', id),
);

export const setConversationFields = (conn: Conn, id: string, changes: RowUpdate<'conversations'>) =>
  conn.updateTable('conversations').set(changes).where('id', '=', id).execute();

export const findConversation = (conn: Conn, organizationId: string, id: string) =>
  conn.selectFrom('conversations').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();

export const findMessage = (conn: Conn, organizationId: string, id: string) =>
  conn.selectFrom('messages').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();

export const mediaOfMessages = (conn: Conn, messageIds: string[]) =>
  messageIds.length === 0
    ? Promise.resolve([] as MediaRow[])
    : conn.selectFrom('media').selectAll().where('messageId', 'in', messageIds).orderBy('position').execute();

/** A conversation with the customer fields its presenter shows. */
export const conversationWithCustomer = (conn: Conn, organizationId: string, id: string) =>
  conn
    .selectFrom('conversations')
    .innerJoin('customers', 'customers.id', 'conversations.customerId')
    .selectAll('conversations')
    .select(['customers.name as customerName', 'customers.phone as customerPhone'])
    .where('conversations.organizationId', '=', organizationId)
    .where('conversations.id', '=', id)
    .executeTakeFirst();

export type ConversationWithCustomer = NonNullable<Awaited<ReturnType<typeof conversationWithCustomer>>>;

export const findMessageByTwilioSid = async (conn: Conn, twilioSid: string) => (await messageByTwilioSidQuery(conn, twilioSid)).rows[0];

const messageByTwilioSidQuery = prepared((conn: Conn, twilioSid: string) => conn.selectFrom('messages').select(['id', 'organizationId']).where('twilioSid', '=', twilioSid));

/** Holds a message until the transaction ends on PostgreSQL (SQLite's single writer already does). */
export const selectMessageForUpdate = (conn: Conn, id: string) =>
  conn
    .selectFrom('messages')
    .select('id')
    .where('id', '=', id)
    .$if(isPostgres(conn), (q) => q.forUpdate())
    .executeTakeFirst();

export const updateMessage = (conn: Conn, id: string, changes: RowUpdate<'messages'>) => conn.updateTable('messages').set(changes).where('id', '=', id).execute();

/** Conversations joined with their customer and the reader's read time, for inbox rows. */
const withCustomerAndRead = (conn: Conn, organizationId: string, readerId: string) =>
  conn
    .selectFrom('conversations')
    .innerJoin('customers', 'customers.id', 'conversations.customerId')
    .leftJoin('conversationReads', (join) =>
      join.onRef('conversationReads.conversationId', '=', 'conversations.id').on('conversationReads.userId', '=', readerId),
    )
    .selectAll('conversations')
    .select(['customers.name as customerName', 'customers.phone as customerPhone', 'conversationReads.readAt as readAt'])
    .where('conversations.organizationId', '=', organizationId);

export interface InboxFilter {
  organizationId: string;
  readerId: string;
  status?: 'open' | 'closed';
  /** null: unassigned only. */
  assigneeId?: string | null;
  search?: SearchTerms;
  after?: CursorKey;
  limit: number;
}

/** Newest activity first; ties broken by id, so a cursor of (time, id) never skips or repeats a row. */
export const listInbox = (conn: Conn, f: InboxFilter) =>
  withCustomerAndRead(conn, f.organizationId, f.readerId)
    .$if(f.status !== undefined, (q) => q.where('conversations.status', '=', f.status!))
    .$if(f.assigneeId === null, (q) => q.where('conversations.assigneeId', 'is', null))
    .$if(typeof f.assigneeId === 'string', (q) => q.where('conversations.assigneeId', '=', f.assigneeId!))
    .$if(f.search !== undefined, (q) =>
      q.where((eb) => {
        const { text, digits } = f.search!;
        const byName = sql<SqlBool>`lower(${eb.ref('customers.name')}) like ${text} escape '\\'`;
        const byPhone = sql<SqlBool>`${eb.ref('customers.phone')} like ${digits} escape '\\'`;
        return digits ? eb.or([byName, byPhone]) : byName;
      }),
    )
    .$if(f.after !== undefined, (q) => q.where((eb) => after(eb, { at: 'conversations.lastMessageAt', id: 'conversations.id' }, f.after!)))
    .orderBy('conversations.lastMessageAt', 'desc')
    .orderBy('conversations.id', 'desc')
    .limit(f.limit)
    .execute();

export const conversationForReader = (conn: Conn, organizationId: string, readerId: string, id: string) =>
  withCustomerAndRead(conn, organizationId, readerId).where('conversations.id', '=', id).executeTakeFirst();

export const conversationsOfCustomer = (conn: Conn, organizationId: string, readerId: string, customerId: string) =>
  withCustomerAndRead(conn, organizationId, readerId)
    .where('conversations.customerId', '=', customerId)
    .orderBy('conversations.createdAt')
    .orderBy('conversations.id')
    .execute();

export type InboxRow = Awaited<ReturnType<typeof listInbox>>[number];

export const markRead = (conn: Conn, conversationId: string, userId: string, readAt: number) =>
  conn
    .insertInto('conversationReads')
    .values({ conversationId, userId, readAt })
    .onConflict((oc) => oc.columns(['conversationId', 'userId']).doUpdateSet({ readAt }))
    .execute();

/** A page of the thread, newest first, strictly older than `before`. */
export const threadPage = (conn: Conn, conversationId: string, before: CursorKey | undefined, limit: number) =>
  conn
    .selectFrom('messages')
    .selectAll()
    .where('conversationId', '=', conversationId)
    .$if(before !== undefined, (q) => q.where((eb) => after(eb, { at: 'createdAt', id: 'id' }, before!)))
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();

export const messagesOfConversations = (conn: Conn, conversationIds: string[]) =>
  conversationIds.length === 0
    ? Promise.resolve([] as MessageRow[])
    : conn.selectFrom('messages').selectAll().where('conversationId', 'in', conversationIds).orderBy('createdAt').orderBy('id').execute();

export const mediaOfConversations = (conn: Conn, conversationIds: string[]) =>
  conversationIds.length === 0
    ? Promise.resolve([] as MediaRow[])
    : conn
        .selectFrom('media')
        .innerJoin('messages', 'messages.id', 'media.messageId')
        .selectAll('media')
        .where('messages.conversationId', 'in', conversationIds)
        .orderBy('media.position')
        .execute();

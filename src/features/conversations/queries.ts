import { sql, type SqlBool } from 'kysely';
import { isPostgres, type Conn } from '../../db/database.js';
import { after } from '../../db/keyset.js';
import { prepared, preparedInsert, preparedVariants } from '../../db/prepared.js';
import type { MessageStatus, Row, RowUpdate } from '../../db/schema.js';
import { movableTo } from '../../domain/message-status.js';
import type { CursorKey } from '../../domain/cursor.js';
import type { SearchTerms } from '../../domain/search.js';

export type ConversationRow = Row<'conversations'>;
export type MessageRow = Row<'messages'>;

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
    .select([
      'customers.name as customerName',
      'customers.phone as customerPhone',
      'conversationReads.readAt as readAt',
      'conversationReads.mentionedAt as mentionedAt',
    ])
    .where('conversations.organizationId', '=', organizationId);

export interface InboxFilter {
  organizationId: string;
  readerId: string;
  status?: 'open' | 'closed';
  /** null: unassigned only. */
  assigneeId?: string | null;
  search?: SearchTerms;
  /** Only conversations carrying this label. */
  labelId?: string;
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
    .$if(f.labelId !== undefined, (q) =>
      q.where((eb) =>
        eb.exists(eb.selectFrom('conversationLabels as cl').select('cl.labelId').whereRef('cl.conversationId', '=', 'conversations.id').where('cl.labelId', '=', f.labelId!)),
      ),
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

/**
 * A note mentioned these users: unread for them until they read it. A user who never opened the
 * conversation gets read time 0, which leaves its inbound messages unread for them as before.
 */
export const markMentioned = (conn: Conn, conversationId: string, userIds: string[], at: number) =>
  userIds.length === 0
    ? Promise.resolve()
    : conn
        .insertInto('conversationReads')
        .values(userIds.map((userId) => ({ conversationId, userId, readAt: 0, mentionedAt: at })))
        .onConflict((oc) => oc.columns(['conversationId', 'userId']).doUpdateSet({ mentionedAt: at }))
        .execute()
        .then(() => undefined);

/* ---- which labels each conversation carries (docs/rules.md#labels) ---- */

export const labelsOfConversations = (conn: Conn, conversationIds: string[]) =>
  conversationIds.length === 0
    ? Promise.resolve([] as Array<{ conversationId: string; labelId: string }>)
    : conn.selectFrom('conversationLabels').select(['conversationId', 'labelId']).where('conversationId', 'in', conversationIds).execute();

/** The conversation carries exactly these labels afterwards. */
export async function replaceConversationLabels(conn: Conn, organizationId: string, conversationId: string, labelIds: string[]): Promise<void> {
  await conn.deleteFrom('conversationLabels').where('conversationId', '=', conversationId).execute();
  if (labelIds.length === 0) return;
  await conn
    .insertInto('conversationLabels')
    .values(labelIds.map((labelId) => ({ conversationId, labelId, organizationId })))
    .execute();
}

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

/* ---- a message's status (docs/rules.md#outbound-messages), moved by outbound's send job and callbacks ---- */

/**
 * One statement for every status change: the message moves forward to `next` if it can (with
 * the error fields of a failure), and takes the attempt's SID if it has none yet. Returns the
 * row as changed, for the event, or undefined when nothing changed.
 */
export async function advanceMessage(
  conn: Conn,
  messageId: string,
  next: MessageStatus,
  changes: { twilioSid?: string; errorCode?: number | null; errorMessage?: string | null; now: number },
): Promise<MessageRow | undefined> {
  const key = [next, changes.twilioSid ? 'sid' : '', changes.errorCode !== undefined ? 'code' : '', changes.errorMessage !== undefined ? 'message' : ''].join(':');
  const run = advanceMessageQuery(key);
  return (await run(conn, messageId, changes.now, changes.errorCode ?? null, changes.errorMessage ?? null, changes.twilioSid ?? '')).rows[0];
}

const advanceMessageQuery = preparedVariants((key) => {
  const [next, withSid, withCode, withMessage] = key.split(':') as [MessageStatus, string, string, string];
  const movable = movableTo(next);
  return prepared((conn: Conn, messageId: string, now: number, errorCode: number | null, errorMessage: string | null, sid: string) => {
    if (!withSid) {
      const errors = { ...(withCode ? { errorCode } : {}), ...(withMessage ? { errorMessage } : {}) };
      return conn.updateTable('messages').set({ status: next, ...errors, updatedAt: now }).where('id', '=', messageId).where('status', 'in', movable).returningAll();
    }
    // Taking the SID must not wait for the status to be able to move (a callback may be ahead).
    return conn
      .updateTable('messages')
      .set((eb) => {
        const moving = eb('status', 'in', movable);
        return {
          status: eb.case().when(moving).then(next).else(eb.ref('status')).end(),
          ...(withCode ? { errorCode: eb.case().when(moving).then(eb.val(errorCode)).else(eb.ref('errorCode')).end() } : {}),
          ...(withMessage ? { errorMessage: eb.case().when(moving).then(eb.val(errorMessage)).else(eb.ref('errorMessage')).end() } : {}),
          twilioSid: eb.fn.coalesce('twilioSid', eb.val(sid)),
          updatedAt: now,
        };
      })
      .where('id', '=', messageId)
      .where((eb) => eb.or([eb('status', 'in', movable), eb('twilioSid', 'is', null)]))
      .returningAll();
  });
});

/** A retry puts a failed message back to pending, forgetting the last attempt's SID and error. */
export async function resetForRetry(conn: Conn, messageId: string, now: number): Promise<boolean> {
  const result = await conn
    .updateTable('messages')
    .set({ status: 'pending', errorCode: null, errorMessage: null, twilioSid: null, updatedAt: now })
    .where('id', '=', messageId)
    .where('direction', '=', 'outbound')
    .where('status', 'in', ['failed', 'undelivered'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

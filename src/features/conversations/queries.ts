import { sql, type QueryCreator, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { isPostgres, type Conn } from '../../db/database.js';
import { after } from '../../db/keyset.js';
import { prepared, preparedInsert, preparedVariants } from '../../db/prepared.js';
import type { DB, MessageStatus, NewRow, Row, RowUpdate } from '../../db/schema.js';
import { movableTo } from '../../domain/message-status.js';
import type { CursorKey } from '../../domain/cursor.js';

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

/**
 * PostgreSQL only: insertMessage and setConversationActivity for an inbound message in one
 * statement (a data-modifying WITH), one round trip instead of two. Prepared once for each set
 * of columns the row carries, as preparedInsert does.
 */
export const insertInboundMessageTouching = async (conn: Conn, row: NewRow<'messages'>, preview: string) => {
  const entries = Object.entries(row).filter(([, value]) => value !== undefined);
  const insert = insertTouchingByColumns(entries.map(([column]) => column).join(','));
  await insert(conn, row.conversationId, row.createdAt, preview, ...entries.map(([, value]) => value));
};

const insertTouchingByColumns = preparedVariants((key) => {
  const columns = key.split(',');
  return prepared((conn: Conn, conversationId: string, at: number, preview: string, ...values: unknown[]) =>
    conn
      .with('inserted', (db) => db.insertInto('messages').values(Object.fromEntries(columns.map((c, i) => [c, values[i]])) as never))
      .updateTable('conversations')
      .set({ lastMessageAt: at, lastInboundAt: at, preview })
      .where('id', '=', conversationId),
  );
});

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

/** A message stored after its own time: the newest activity stays the newest; unread from when it arrived. */
export const setLateInboundActivity = (conn: Conn, id: string, at: number, preview: string, receivedAt: number) =>
  conn
    .updateTable('conversations')
    .set((eb) => ({
      preview: eb.case().when('lastMessageAt', '<=', at).then(preview).else(eb.ref('preview')).end(),
      lastMessageAt: eb.case().when('lastMessageAt', '<', at).then(at).else(eb.ref('lastMessageAt')).end(),
      lastInboundAt: eb.case().when(eb.or([eb('lastInboundAt', 'is', null), eb('lastInboundAt', '<', receivedAt)])).then(receivedAt).else(eb.ref('lastInboundAt')).end(),
    }))
    .where('id', '=', id)
    .execute();

/** For a message that arrives late: the conversation holding the customer's newest message on this sender at or before `at`. */
export const conversationWithMessageBefore = async (conn: Conn, customerId: string, senderId: string, at: number) => {
  const row = await conn
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversationId')
    .selectAll('c')
    .select('m.createdAt as messageAt')
    .where('c.customerId', '=', customerId)
    .where('c.senderId', '=', senderId)
    .where('m.createdAt', '<=', at)
    .orderBy('m.createdAt', 'desc')
    .orderBy('m.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  const { messageAt, ...conversation } = row;
  return { conversation: conversation as ConversationRow, messageAt };
};

/** The customer's first conversation on this sender opened after `after` and before `before`. */
export const conversationOpenedAfter = (conn: Conn, customerId: string, senderId: string, after: number, before: number) =>
  conn
    .selectFrom('conversations')
    .selectAll()
    .where('customerId', '=', customerId)
    .where('senderId', '=', senderId)
    .where('createdAt', '>', after)
    .where('createdAt', '<', before)
    .orderBy('createdAt')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();

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
  /** Only these customers' conversations: a search's subquery (customers' customersMatching). */
  customerIds?: SelectQueryBuilder<DB, 'customers', { id: string }>;
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
    .$if(f.customerIds !== undefined, (q) => q.where('conversations.customerId', 'in', f.customerIds!))
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

/** A page of a customer's conversations, newest first by when they began (a key that never moves). */
export const conversationsOfCustomer = (conn: Conn, f: { organizationId: string; readerId: string; customerId: string; after?: CursorKey; limit: number }) =>
  withCustomerAndRead(conn, f.organizationId, f.readerId)
    .where('conversations.customerId', '=', f.customerId)
    .$if(f.after !== undefined, (q) => q.where((eb) => after(eb, { at: 'conversations.createdAt', id: 'conversations.id' }, f.after!)))
    .orderBy('conversations.createdAt', 'desc')
    .orderBy('conversations.id', 'desc')
    .limit(f.limit)
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

/**
 * The newest `limit` messages of each of these conversations, newest first, in one statement: a
 * UNION ALL of one bounded read of the thread index per conversation, so a long thread costs no
 * more than a short one and a page of conversations costs one round trip, not one each.
 */
export const newestOfThreads = async (conn: Conn, conversationIds: string[], limit: number): Promise<Map<string, MessageRow[]>> => {
  const threads = new Map(conversationIds.map((id) => [id, [] as MessageRow[]]));
  const reads = conversationIds.map((id) =>
    conn
      .selectFrom((db) => db.selectFrom('messages').selectAll().where('conversationId', '=', id).orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit).as('thread'))
      .selectAll(),
  );
  const [first, ...rest] = reads;
  if (!first) return threads;
  const rows = await rest.reduce((query, read) => query.unionAll(read), first).execute();
  // A union promises no order: each thread is put back newest first.
  rows.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  for (const row of rows) threads.get(row.conversationId)!.push(row);
  return threads;
};

/** How many messages each of these conversations holds (read from the thread index). */
export const messageCounts = async (conn: Conn, conversationIds: string[]) =>
  conversationIds.length === 0
    ? new Map<string, number>()
    : new Map(
        (
          await conn
            .selectFrom('messages')
            .select((eb) => ['conversationId', eb.fn.countAll().as('count')])
            .where('conversationId', 'in', conversationIds)
            .groupBy('conversationId')
            .execute()
        ).map((r) => [r.conversationId, Number(r.count)]),
      );

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
    return takeSidAndAdvance(conn, next, { errorCode: withCode ? errorCode : undefined, errorMessage: withMessage ? errorMessage : undefined, sid, now }).where('id', '=', messageId);
  });
});

/**
 * advanceMessage with the attempt's SID, left to the caller to say which message (a query
 * builder's argument, or a placeholder of a prepared query). Taking the SID must not wait for
 * the status to be able to move (a callback may be ahead). An error field left undefined is not set.
 */
export function takeSidAndAdvance(
  conn: QueryCreator<DB>,
  next: MessageStatus,
  changes: { errorCode?: number | null; errorMessage?: string | null; sid: string; now: number },
) {
  const movable = movableTo(next);
  return conn
    .updateTable('messages')
    .set((eb) => {
      const moving = eb('status', 'in', movable);
      return {
        status: eb.case().when(moving).then(next).else(eb.ref('status')).end(),
        ...(changes.errorCode !== undefined ? { errorCode: eb.case().when(moving).then(eb.val(changes.errorCode)).else(eb.ref('errorCode')).end() } : {}),
        ...(changes.errorMessage !== undefined ? { errorMessage: eb.case().when(moving).then(eb.val(changes.errorMessage)).else(eb.ref('errorMessage')).end() } : {}),
        twilioSid: eb.fn.coalesce('twilioSid', eb.val(changes.sid)),
        updatedAt: changes.now,
      };
    })
    .where((eb) => eb.or([eb('status', 'in', movable), eb('twilioSid', 'is', null)]))
    .returningAll();
}

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

/** Which of these Twilio SIDs are stored already (the catch-up skips them before asking Twilio for their media). */
export const storedTwilioSids = async (conn: Conn, sids: string[]) =>
  sids.length === 0 ? [] : (await conn.selectFrom('messages').select('twilioSid').where('twilioSid', 'in', sids).execute()).map((r) => r.twilioSid!);

/**
 * Outbound messages of a sender that Twilio accepted in (after, until] and that are still queued,
 * sending or sent. The partial index send_attempts_accepted finds the attempts; an index on the
 * messages' own status would stop PostgreSQL updating their rows in place (migration 0013).
 */
export const unfinishedOutbound = (conn: Conn, senderId: string, after: number, until: number) =>
  conn
    .selectFrom('sendAttempts as a')
    .innerJoin('messages as m', 'm.id', 'a.messageId')
    .innerJoin('conversations as c', 'c.id', 'm.conversationId')
    .select(['m.id', 'm.organizationId', 'm.status', 'm.twilioSid'])
    // Literal, as the partial index's own condition: SQLite matches a partial index only on the same text.
    .where(sql<SqlBool>`a.state = 'accepted'`)
    .where('a.finishedAt', '>', after)
    .where('a.finishedAt', '<=', until)
    .where('m.status', 'in', ['queued', 'sending', 'sent'])
    .where('m.direction', '=', 'outbound')
    .where('m.twilioSid', 'is not', null)
    .where('c.senderId', '=', senderId)
    .orderBy('a.finishedAt')
    .execute();

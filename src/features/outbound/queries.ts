import type { Conn } from '../../db/database.js';
import type { MessageStatus, NewRow, Row } from '../../db/schema.js';
import { canMoveTo } from '../../domain/message-status.js';
import { affectedRows, prepared, preparedVariants } from '../../db/prepared.js';

export type AttemptRow = Row<'sendAttempts'>;
export type AttemptState = AttemptRow['state'];

const STATUSES: MessageStatus[] = ['received', 'pending', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed'];
/** The statuses a message may be in for `next` to be a forward move (SPEC §5). */
const movableTo = (next: MessageStatus) => STATUSES.filter((s) => canMoveTo(s, next));

/* ---- what a send needs to know, in one read ---- */

/** The sender with the state of its Twilio account: enough to tell whether it may send. */
export const senderWithAccount = (conn: Conn, organizationId: string, senderId: string) =>
  conn
    .selectFrom('senders as s')
    .leftJoin('twilioAccounts as a', 'a.id', 's.twilioAccountId')
    .select(['s.id', 's.type', 's.address', 's.active', 's.mmsCapable', 's.twilioAccountId', 'a.id as accountId'])
    .where('s.organizationId', '=', organizationId)
    .where('s.id', '=', senderId)
    .executeTakeFirst();

export type SenderState = NonNullable<Awaited<ReturnType<typeof senderWithAccount>>>;

/** A pending outbound message with its customer, sender and account, for the send job. */
const sendContextQuery = prepared((conn: Conn, messageId: string) =>
  conn
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversationId')
    .innerJoin('customers as cu', 'cu.id', 'c.customerId')
    .innerJoin('senders as s', 's.id', 'c.senderId')
    .leftJoin('twilioAccounts as a', 'a.id', 's.twilioAccountId')
    // The message's latest attempt, if any, decides the job's next step.
    .leftJoin('sendAttempts as la', (join) =>
      join.on((eb) =>
        eb(
          'la.id',
          '=',
          eb.selectFrom('sendAttempts as x').select('x.id').whereRef('x.messageId', '=', 'm.id').orderBy('x.startedAt', 'desc').orderBy('x.id', 'desc').limit(1),
        ),
      ),
    )
    .select([
      'm.id',
      'm.organizationId',
      'm.conversationId',
      'm.direction',
      'm.body',
      'm.status',
      'm.segments',
      'c.customerId',
      'cu.phone as customerPhone',
      's.id as senderId',
      's.type as senderType',
      's.address as senderAddress',
      's.active as senderActive',
      's.ratePerSecond',
      'a.id as accountId',
      'a.accountSid',
      'a.authTokenSealed',
      'a.pausedAt',
      'la.id as lastAttemptId',
      'la.state as lastAttemptState',
      'la.startedAt as lastAttemptStartedAt',
      'la.finishedAt as lastAttemptFinishedAt',
      (eb) =>
        eb
          .exists(eb.selectFrom('optOuts as o').select('o.at').whereRef('o.customerId', '=', 'c.customerId').whereRef('o.senderId', '=', 's.id'))
          .as('optedOut'),
      (eb) => eb.selectFrom('media as md').select((e) => e.fn.countAll<number>().as('n')).whereRef('md.messageId', '=', 'm.id').as('mediaCount'),
    ])
    .where('m.id', '=', messageId),
);

export const sendContext = async (conn: Conn, messageId: string) => (await sendContextQuery(conn, messageId)).rows[0];

export type SendContextRow = NonNullable<Awaited<ReturnType<typeof sendContext>>>;

export const mediaIdsOfMessage = async (conn: Conn, messageId: string) =>
  (await conn.selectFrom('media').select('id').where('messageId', '=', messageId).orderBy('position').execute()).map((r) => r.id);

/* ---- media an agent attaches ---- */

export const mediaByIds = (conn: Conn, organizationId: string, ids: string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : conn
        .selectFrom('media')
        .select(['id', 'messageId', 'contentType', 'size', 'status', 'uploadedBy'])
        .where('organizationId', '=', organizationId)
        .where('id', 'in', ids)
        .execute();

/** Attaches an upload to a message unless another message took it first; returns whether it did. */
export async function attachMedia(conn: Conn, input: { organizationId: string; mediaId: string; messageId: string; position: number }): Promise<boolean> {
  const result = await conn
    .updateTable('media')
    .set({ messageId: input.messageId, position: input.position })
    .where('id', '=', input.mediaId)
    .where('organizationId', '=', input.organizationId)
    .where('messageId', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/* ---- messages ---- */

export const insertMessage = (conn: Conn, row: NewRow<'messages'>) => conn.insertInto('messages').values(row).execute();

export const findMessage = (conn: Conn, id: string) => conn.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();

export type MessageRow = Row<'messages'>;

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

/**
 * The usual status callback in one statement: the named attempt is the message's accepted one
 * with this SID, and the status moves forward. Returns the changed row with its picture count,
 * or undefined when anything else is the case (the caller then looks closer).
 */
export async function advanceByCallback(
  conn: Conn,
  callback: { attemptId: string; sid: string; organizationId: string },
  next: MessageStatus,
  changes: { errorCode?: number | null; errorMessage?: string | null; now: number },
) {
  const key = [next, changes.errorCode !== undefined ? 'code' : '', changes.errorMessage !== undefined ? 'message' : ''].join(':');
  const run = advanceByCallbackQuery(key);
  const { attemptId, sid, organizationId } = callback;
  return (await run(conn, attemptId, sid, organizationId, changes.now, changes.errorCode ?? null, changes.errorMessage ?? null)).rows[0];
}

const advanceByCallbackQuery = preparedVariants((key) => {
  const [next, withCode, withMessage] = key.split(':') as [MessageStatus, string, string];
  const movable = movableTo(next);
  return prepared((conn: Conn, attemptId: string, sid: string, organizationId: string, now: number, errorCode: number | null, errorMessage: string | null) =>
    conn
      .updateTable('messages')
      .set({ status: next, updatedAt: now, ...(withCode ? { errorCode } : {}), ...(withMessage ? { errorMessage } : {}) })
      .where('id', '=', (eb) =>
        eb
          .selectFrom('sendAttempts as a')
          .select('a.messageId')
          .where('a.id', '=', attemptId)
          .where('a.state', '=', 'accepted')
          .where('a.twilioSid', '=', sid)
          .where('a.organizationId', '=', organizationId),
      )
      .where('status', 'in', movable)
      .returningAll()
      .returning((eb) => eb.selectFrom('media as md').select((e) => e.fn.countAll<number>().as('n')).whereRef('md.messageId', '=', 'messages.id').as('mediaCount')),
  );
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

/* ---- attempts ---- */

/** One per send: prepared once. */
export const insertAttempt = async (conn: Conn, row: NewRow<'sendAttempts'>) => {
  await insertAttemptQuery(conn, row.id, row.messageId, row.organizationId, row.state, row.twilioSid ?? null, row.startedAt, row.finishedAt ?? null);
};

const insertAttemptQuery = prepared(
  (conn: Conn, id: string, messageId: string, organizationId: string, state: AttemptState, twilioSid: string | null, startedAt: number, finishedAt: number | null) =>
    conn.insertInto('sendAttempts').values({ id, messageId, organizationId, state, twilioSid, startedAt, finishedAt }),
);

export const findAttempt = (conn: Conn, id: string) => conn.selectFrom('sendAttempts').selectAll().where('id', '=', id).executeTakeFirst();

export const findAttemptBySid = (conn: Conn, sid: string) => conn.selectFrom('sendAttempts').selectAll().where('twilioSid', '=', sid).executeTakeFirst();

/** The attempt a status callback names (by id, or else by SID), with how many pictures its message has. */
export const attemptForCallback = async (conn: Conn, by: { id: string } | { sid: string }) =>
  ('id' in by ? (await attemptByIdQuery(conn, by.id)) : await attemptBySidQuery(conn, by.sid)).rows[0];

const attemptWithMediaCount = (conn: Conn) =>
  conn
    .selectFrom('sendAttempts as a')
    .selectAll('a')
    .select((eb) => eb.selectFrom('media as md').select((e) => e.fn.countAll<number>().as('n')).whereRef('md.messageId', '=', 'a.messageId').as('mediaCount'));
const attemptByIdQuery = prepared((conn: Conn, id: string) => attemptWithMediaCount(conn).where('a.id', '=', id));
const attemptBySidQuery = prepared((conn: Conn, sid: string) => attemptWithMediaCount(conn).where('a.twilioSid', '=', sid));

/**
 * Moves an attempt from one of `from` to `to`; false when something else (a status callback,
 * a retry, another worker) settled it first, so the caller stops instead of acting twice.
 */
export async function settleAttempt(
  conn: Conn,
  id: string,
  from: AttemptState[],
  to: AttemptState,
  changes: { twilioSid?: string; now: number },
): Promise<boolean> {
  const run = settleAttemptQuery([to, changes.twilioSid ? 'sid' : '', ...from].join(':'));
  return affectedRows(await run(conn, id, changes.now, changes.twilioSid ?? '')) === 1;
}

const settleAttemptQuery = preparedVariants((key) => {
  const [to, withSid, ...from] = key.split(':') as [AttemptState, string, ...AttemptState[]];
  return prepared((conn: Conn, id: string, now: number, twilioSid: string) =>
    conn
      .updateTable('sendAttempts')
      .set({ state: to, finishedAt: now, ...(withSid ? { twilioSid } : {}) })
      .where('id', '=', id)
      .where('state', 'in', from),
  );
});

/**
 * A retried message's settled attempts are superseded: their callbacks change nothing any more.
 * An attempt whose outcome is still unknown is left as it is, so the new send job checks Twilio
 * for it first and never sends twice (SPEC §5).
 */
export const supersedeAcceptedAttempts = (conn: Conn, messageId: string, now: number) =>
  conn
    .updateTable('sendAttempts')
    .set({ state: 'superseded', finishedAt: now })
    .where('messageId', '=', messageId)
    .where('state', '=', 'accepted')
    .execute();

/** SIDs that some attempt already owns, so a recheck never adopts another message's SID. */
export const ownedSids = async (conn: Conn, sids: string[]) =>
  sids.length === 0
    ? new Set<string>()
    : new Set((await conn.selectFrom('sendAttempts').select('twilioSid').where('twilioSid', 'in', sids).execute()).map((r) => r.twilioSid!));

/* ---- senders and accounts ---- */

/**
 * Claims the sender's next send slot: next_send_at becomes max(next_send_at, now) + cost, in
 * one statement, so every worker of every process shares the same schedule. Returns the slot's
 * start (now, or later when the sender is busy).
 */
export async function claimSendSlot(conn: Conn, senderId: string, now: number, costMs: number): Promise<number> {
  const row = (await claimSendSlotQuery(conn, senderId, now, costMs)).rows[0];
  if (!row) throw new Error(`No sender ${senderId} to claim a send slot on`);
  return row.nextSendAt - costMs;
}

const claimSendSlotQuery = prepared((conn: Conn, senderId: string, now: number, costMs: number) =>
  conn
    .updateTable('senders')
    .set((eb) => ({ nextSendAt: eb(eb.case().when('nextSendAt', '>', now).then(eb.ref('nextSendAt')).else(eb.val(now)).end(), '+', costMs) }))
    .where('id', '=', senderId)
    .returning('nextSendAt'),
);

/** Twilio answered 20003: sending from this account waits until an admin replaces the token. */
export const pauseAccount = (conn: Conn, accountId: string, now: number) =>
  conn.updateTable('twilioAccounts').set({ pausedAt: now }).where('id', '=', accountId).where('pausedAt', 'is', null).execute();

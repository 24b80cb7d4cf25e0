import type { Conn } from '../../db/database.js';
import type { MessageStatus, NewRow, Row } from '../../db/schema.js';
import { canMoveTo } from '../../domain/message-status.js';

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
export const sendContext = (conn: Conn, messageId: string) =>
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
      's.phoneNumber as senderPhoneNumber',
      's.shortCode as senderShortCode',
      's.messagingServiceSid as senderMessagingServiceSid',
      's.active as senderActive',
      's.ratePerSecond',
      'a.id as accountId',
      'a.accountSid',
      'a.authTokenSealed',
      'a.connectedAt',
      'a.connectedBy',
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
    .where('m.id', '=', messageId)
    .executeTakeFirst();

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
  const movable = movableTo(next);
  const errors = {
    ...(changes.errorCode !== undefined ? { errorCode: changes.errorCode } : {}),
    ...(changes.errorMessage !== undefined ? { errorMessage: changes.errorMessage } : {}),
  };
  const sid = changes.twilioSid;
  if (!sid) {
    return conn.updateTable('messages').set({ status: next, ...errors, updatedAt: changes.now }).where('id', '=', messageId).where('status', 'in', movable).returningAll().executeTakeFirst();
  }
  // Taking the SID must not wait for the status to be able to move (a callback may be ahead).
  return conn
    .updateTable('messages')
    .set((eb) => {
      const moving = eb('status', 'in', movable);
      return {
        status: eb.case().when(moving).then(next).else(eb.ref('status')).end(),
        ...(errors.errorCode !== undefined ? { errorCode: eb.case().when(moving).then(eb.val(errors.errorCode)).else(eb.ref('errorCode')).end() } : {}),
        ...(errors.errorMessage !== undefined ? { errorMessage: eb.case().when(moving).then(eb.val(errors.errorMessage)).else(eb.ref('errorMessage')).end() } : {}),
        twilioSid: eb.fn.coalesce('twilioSid', eb.val(sid)),
        updatedAt: changes.now,
      };
    })
    .where('id', '=', messageId)
    .where((eb) => eb.or([eb('status', 'in', movable), eb('twilioSid', 'is', null)]))
    .returningAll()
    .executeTakeFirst();
}

/**
 * The usual status callback in one statement: the named attempt is the message's accepted one
 * with this SID, and the status moves forward. Returns the changed row with its picture count,
 * or undefined when anything else is the case (the caller then looks closer).
 */
export function advanceByCallback(
  conn: Conn,
  callback: { attemptId: string; sid: string; organizationId: string },
  next: MessageStatus,
  changes: { errorCode?: number | null; errorMessage?: string | null; now: number },
) {
  return conn
    .updateTable('messages')
    .set({
      status: next,
      updatedAt: changes.now,
      ...(changes.errorCode !== undefined ? { errorCode: changes.errorCode } : {}),
      ...(changes.errorMessage !== undefined ? { errorMessage: changes.errorMessage } : {}),
    })
    .where('id', '=', (eb) =>
      eb
        .selectFrom('sendAttempts as a')
        .select('a.messageId')
        .where('a.id', '=', callback.attemptId)
        .where('a.state', '=', 'accepted')
        .where('a.twilioSid', '=', callback.sid)
        .where('a.organizationId', '=', callback.organizationId),
    )
    .where('status', 'in', movableTo(next))
    .returningAll()
    .returning((eb) => eb.selectFrom('media as md').select((e) => e.fn.countAll<number>().as('n')).whereRef('md.messageId', '=', 'messages.id').as('mediaCount'))
    .executeTakeFirst();
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

/* ---- attempts ---- */

export const insertAttempt = (conn: Conn, row: NewRow<'sendAttempts'>) => conn.insertInto('sendAttempts').values(row).execute();

export const findAttempt = (conn: Conn, id: string) => conn.selectFrom('sendAttempts').selectAll().where('id', '=', id).executeTakeFirst();

export const findAttemptBySid = (conn: Conn, sid: string) => conn.selectFrom('sendAttempts').selectAll().where('twilioSid', '=', sid).executeTakeFirst();

/** The attempt a status callback names (by id, or else by SID), with how many pictures its message has. */
export const attemptForCallback = (conn: Conn, by: { id: string } | { sid: string }) =>
  conn
    .selectFrom('sendAttempts as a')
    .selectAll('a')
    .select((eb) => eb.selectFrom('media as md').select((e) => e.fn.countAll<number>().as('n')).whereRef('md.messageId', '=', 'a.messageId').as('mediaCount'))
    .$if('id' in by, (q) => q.where('a.id', '=', (by as { id: string }).id))
    .$if('sid' in by, (q) => q.where('a.twilioSid', '=', (by as { sid: string }).sid))
    .executeTakeFirst();

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
  const result = await conn
    .updateTable('sendAttempts')
    .set({ state: to, finishedAt: changes.now, ...(changes.twilioSid ? { twilioSid: changes.twilioSid } : {}) })
    .where('id', '=', id)
    .where('state', 'in', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A retried message's earlier attempts are superseded: their callbacks change nothing any more. */
export const supersedeAttempts = (conn: Conn, messageId: string, now: number) =>
  conn
    .updateTable('sendAttempts')
    .set({ state: 'superseded', finishedAt: now })
    .where('messageId', '=', messageId)
    .where('state', 'in', ['started', 'accepted', 'unknown'])
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
  const row = await conn
    .updateTable('senders')
    .set((eb) => ({
      // eb.val keeps `now` a parameter: inlined, every claim would be new SQL text to prepare.
      nextSendAt: eb(eb.case().when('nextSendAt', '>', now).then(eb.ref('nextSendAt')).else(eb.val(now)).end(), '+', costMs),
    }))
    .where('id', '=', senderId)
    .returning('nextSendAt')
    .executeTakeFirstOrThrow();
  return row.nextSendAt - costMs;
}

/** Twilio answered 20003: sending from this account waits until an admin replaces the token. */
export const pauseAccount = (conn: Conn, accountId: string, now: number) =>
  conn.updateTable('twilioAccounts').set({ pausedAt: now }).where('id', '=', accountId).where('pausedAt', 'is', null).execute();

/* ---- the send jobs themselves ---- */

/**
 * Send-job payloads are written by one function (send-job.ts) with `messageId` first and
 * `organizationId` second, so these prefix/substring matches find them without parsing JSON
 * in SQL, which the two engines spell differently.
 */
const payloadOfMessage = (messageId: string) => `{"messageId":"${messageId}",%`;
const payloadOfOrganization = (organizationId: string) => `%,"organizationId":"${organizationId}"%`;

/** A retry replaces the message's old send job, which may still be waiting to recheck an attempt. */
export const deleteSendJobs = (conn: Conn, kind: string, messageId: string) =>
  conn.deleteFrom('jobs').where('kind', '=', kind).where('payload', 'like', payloadOfMessage(messageId)).execute();

/** Sends that wait on a paused account become due now (they wait again if it is still paused). */
export const pullSendJobsForward = (conn: Conn, kind: string, organizationId: string, now: number) =>
  conn
    .updateTable('jobs')
    .set({ runAt: now })
    .where('kind', '=', kind)
    .where('status', '=', 'pending')
    .where('runAt', '>', now)
    .where('lockedBy', 'is', null)
    .where('payload', 'like', payloadOfOrganization(organizationId))
    .execute();

/** Remembers the rate slot a send job holds, so when it runs again it sends instead of claiming another. */
export const holdSlotInJob = (conn: Conn, jobId: string, lockedBy: string, payload: string) =>
  conn.updateTable('jobs').set({ payload }).where('id', '=', jobId).where('lockedBy', '=', lockedBy).execute();

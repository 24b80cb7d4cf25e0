import { CompiledQuery, sql } from 'kysely';
import { isPostgres, type Conn, type Db, type Tx } from '../../db/database.js';
import type { BatchStart } from '../../db/group-commit.js';
import { parseOncePerConnection } from '../../db/pg-statements.js';
import { putReadAhead, takeAhead } from '../../db/tx-memo.js';
import { readsTogether } from '../../db/reads-together.js';
import { finishJobStatement, type Job } from '../../jobs/queue.js';
import type { MessageStatus, NewRow, Row } from '../../db/schema.js';
import { advanceMessage, takeSidAndAdvance, type MessageRow } from '../conversations/queries.js';
import { claimSendSlotUpdate } from '../twilio/messaging.js';
import { movableTo } from '../../domain/message-status.js';
import { affectedRows, prepared, preparedVariants } from '../../db/prepared.js';

export type AttemptRow = Row<'sendAttempts'>;
export type AttemptState = AttemptRow['state'];

/*
 * outbound owns send_attempts. Two statements below also read other features' tables, both on
 * the hottest paths: the send job's one read (sendContext) and the usual status callback
 * (advanceByCallback). Splitting them would cost a round trip per send or callback and, for the
 * callback, open a gap between checking the attempt and moving the message. Everything else a
 * send changes goes through the owning feature's functions.
 */

/* ---- what a send needs to know, in one read ---- */

/** Pending outbound messages with their customers, senders and accounts, for the send job (read only). */
const sendContextSelect = (conn: Conn) =>
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
    ]);

const sendContextQuery = prepared((conn: Conn, messageId: string) => sendContextSelect(conn).where('m.id', '=', messageId));
const sendContextsQuery = prepared((conn: Conn, messageIds: string[]) => sendContextSelect(conn).where('m.id', '=', sql<string>`any(${messageIds}::text[])`));

/** What the send job needs to know of one message, in one read. */
export const sendContext = async (conn: Conn, messageId: string) => (await sendContextQuery(conn, messageId)).rows[0];

export type SendContextRow = NonNullable<Awaited<ReturnType<typeof sendContext>>>;

const together = new WeakMap<Db, (messageId: string) => Promise<SendContextRow | undefined>>();

/**
 * sendContext for a send job as it starts. On PostgreSQL the jobs the runner claimed together
 * read their messages in one statement; SQLite, where a statement is no round trip, reads each.
 */
export function sendContextOfJob(db: Db, messageId: string): Promise<SendContextRow | undefined> {
  if (!isPostgres(db)) return sendContext(db, messageId);
  let read = together.get(db);
  if (!read) {
    read = readsTogether(async (ids: string[]) => new Map((await sendContextsQuery(db, ids)).rows.map((row) => [row.id, row])));
    together.set(db, read);
  }
  return read(messageId);
}

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

/** A status callback as advanceByCallback takes it. */
export interface NamedCallback {
  attemptId: string;
  sid: string;
  organizationId: string;
  now: number;
}

/**
 * advanceByCallback for many callbacks that move their messages to the same status, without a
 * failure's fields, in one statement (PostgreSQL: each callback a row of one JSON parameter).
 * Returns the changed rows, with their picture counts, by the attempt each callback named; a
 * callback left out changed nothing.
 */
export async function advanceAllByCallbacks(tx: Tx, next: MessageStatus, callbacks: NamedCallback[]) {
  const input = callbacks.map((c) => ({ attempt_id: c.attemptId, sid: c.sid, organization_id: c.organizationId, now: c.now }));
  const ids = callbacks.map((c) => c.attemptId);
  const { rows } = await tx.executeQuery<MessageRow & { mediaCount: number; calledBackAttemptId: string }>(CompiledQuery.raw(advanceAllSql(next), [JSON.stringify(input), ids]));
  return new Map(rows.map(({ calledBackAttemptId, ...row }) => [calledBackAttemptId, row]));
}

const advanceAllSql = sqlPerStatus(
  (next, movable) => `with input as (select * from json_to_recordset($1::json) as i(attempt_id text, sid text, organization_id text, now bigint))
update messages m set status = '${next}', updated_at = i.now
  from input i join send_attempts a on a.id = any($2::text[]) and a.id = i.attempt_id and a.state = 'accepted' and a.twilio_sid = i.sid and a.organization_id = i.organization_id
  where m.id = a.message_id and m.status in (${movable})
  returning m.*, (select count(*) from media md where md.message_id = m.id) as media_count, i.attempt_id as called_back_attempt_id`,
);

/*
 * Why the ids come twice in those two statements, in the JSON and as an array: PostgreSQL takes a
 * JSON parameter for 100 rows and, with no way to look up such rows by key, joined them to
 * send_attempts and jobs by reading both tables whole (a hash join; 2.7 ms for a batch of 15
 * acceptances with 3,000 jobs waiting). `id = any(array)` it looks up in the primary key.
 */

/** A statement whose text names a status and the statuses a message may move to it from: made once per status, parsed once per connection. */
function sqlPerStatus(make: (next: MessageStatus, movable: string) => string): (next: MessageStatus) => string {
  const texts = new Map<MessageStatus, string>();
  return (next) => {
    let text = texts.get(next);
    if (!text) {
      text = make(
        next,
        movableTo(next)
          .map((status) => `'${status}'`)
          .join(', '),
      );
      parseOncePerConnection(text);
      texts.set(next, text);
    }
    return text;
  };
}

/* ---- attempts ---- */

/**
 * The group-commit order (src/db/group-commit.ts) of work that changes an attempt and its message
 * (the send's answer, a status callback), so two batches take those rows in the same order.
 */
export const attemptKey = (attemptId: string) => `attempt ${attemptId}`;

/** One per send: prepared once. */
export const insertAttempt = async (conn: Conn, row: NewRow<'sendAttempts'>) => {
  await insertAttemptQuery(conn, row.id, row.messageId, row.organizationId, row.state, row.twilioSid ?? null, row.startedAt, row.finishedAt ?? null);
};

const insertAttemptQuery = prepared(
  (conn: Conn, id: string, messageId: string, organizationId: string, state: AttemptState, twilioSid: string | null, startedAt: number, finishedAt: number | null) =>
    conn.insertInto('sendAttempts').values({ id, messageId, organizationId, state, twilioSid, startedAt, finishedAt }),
);

/** An attempt as a send starts it. */
export type StartedAttempt = { id: string; messageId: string; organizationId: string; startedAt: number };

/** Records a send's attempt as started: no SID and no end yet (claimSlotAndStartOnPostgres does the same in its WITH). */
export const insertStartedAttempt = (conn: Conn, attempt: StartedAttempt) => insertAttempt(conn, { ...attempt, state: 'started', twilioSid: null, finishedAt: null });

/**
 * PostgreSQL: a send's start in one statement. Claims the sender's next slot (costMs long) and, if
 * the slot ends by `latestEnd`, inserts the attempt as started (the sender's UPDATE and the
 * attempt's INSERT are WITHs). Returns the slot's end, the sender's next free time.
 */
export async function claimSlotAndStartOnPostgres(conn: Conn, senderId: string, costMs: number, latestEnd: number, attempt: StartedAttempt): Promise<number> {
  const { rows } = await claimSlotAndStartQuery(conn, senderId, attempt.startedAt, costMs, latestEnd, attempt.id, attempt.messageId, attempt.organizationId);
  if (!rows[0]) throw new Error(`No sender ${senderId} to claim a send slot on`);
  return rows[0].nextSendAt;
}

const claimSlotAndStartQuery = prepared(
  (conn: Conn, senderId: string, now: number, costMs: number, latestEnd: number, id: string, messageId: string, organizationId: string) =>
    conn
      .with('slot', (db) => claimSendSlotUpdate(db, senderId, now, costMs))
      .with('started', (db) =>
        db
          .insertInto('sendAttempts')
          .columns(['id', 'messageId', 'organizationId', 'state', 'startedAt'])
          .expression((eb) =>
            eb
              .selectFrom('slot')
              .select([
                sql<string>`${id}::text`.as('id'),
                sql<string>`${messageId}::text`.as('messageId'),
                sql<string>`${organizationId}::text`.as('organizationId'),
                sql<AttemptState>`'started'`.as('state'),
                sql<number>`${now}::bigint`.as('startedAt'),
              ])
              .where('slot.nextSendAt', '<=', latestEnd),
          ),
      )
      .selectFrom('slot')
      .select('slot.nextSendAt'),
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
 * Twilio has the attempt's message (its answer to the send, or a recheck found it): the attempt
 * becomes accepted with its SID, and the message takes the SID and moves on to `next`. Returns
 * the message as changed, or undefined when the attempt was settled already (a callback got there
 * first, or a recheck superseded it) or the message did not change. With `job`, the send job that
 * made the attempt ends in the same commit, whatever else is the case (finishJobStatement).
 * PostgreSQL does it all in one statement, the attempt's UPDATE and the job's DELETE in WITHs;
 * SQLite, where a statement is no round trip, runs them one by one.
 */
export async function acceptAttempt(
  conn: Conn,
  attemptId: string,
  messageId: string,
  next: MessageStatus,
  changes: { twilioSid: string; now: number; errorCode?: number | null; errorMessage?: string | null },
  job?: Pick<Job, 'id' | 'lockedBy'>,
): Promise<MessageRow | undefined> {
  if (!isPostgres(conn)) {
    if (job) await finishJobStatement(conn, job).execute();
    if (!(await settleAttempt(conn, attemptId, ['started', 'unknown'], 'accepted', changes))) return undefined;
    return advanceMessage(conn, messageId, next, changes);
  }
  const run = acceptAttemptQuery([next, changes.errorCode !== undefined ? 'code' : '', changes.errorMessage !== undefined ? 'message' : '', job ? 'job' : ''].join(':'));
  return (await run(conn, attemptId, changes.now, changes.twilioSid, changes.errorCode ?? null, changes.errorMessage ?? null, job?.id ?? '', job?.lockedBy ?? '')).rows[0];
}

const acceptAttemptQuery = preparedVariants((key) => {
  const [next, withCode, withMessage, withJob] = key.split(':') as [MessageStatus, string, string, string];
  return prepared((conn: Conn, attemptId: string, now: number, sid: string, errorCode: number | null, errorMessage: string | null, jobId: string, workerId: string) => {
    const settled = conn.with('settled', (db) =>
      db.updateTable('sendAttempts').set({ state: 'accepted', finishedAt: now, twilioSid: sid }).where('id', '=', attemptId).where('state', 'in', ['started', 'unknown']).returning('messageId'),
    );
    // PostgreSQL runs every WITH that changes data to the end, whether the statement reads it or not.
    const finishing = withJob ? settled.with('finished', (db) => finishJobStatement(db, { id: jobId, lockedBy: workerId }).returning('id')) : settled;
    const changes = { sid, now, errorCode: withCode ? errorCode : undefined, errorMessage: withMessage ? errorMessage : undefined };
    return takeSidAndAdvance(finishing, next, changes).where('id', '=', sql<string>`(select message_id from settled)`);
  });
});

/** Twilio's answer to a send, as the send job records it (acceptAttempt's arguments). */
export interface Acceptance {
  attemptId: string;
  messageId: string;
  next: MessageStatus;
  changes: { twilioSid: string; now: number; errorCode?: number | null; errorMessage?: string | null };
  job?: Pick<Job, 'id' | 'lockedBy'>;
}

/**
 * acceptAttempt, for a send's answer in a group-committed batch: on PostgreSQL the batch's
 * acceptances go together in one statement ahead of its other work (acceptTogether), and this
 * takes what that statement did for this one; otherwise it runs acceptAttempt.
 */
export const acceptInBatch = async (tx: Tx, a: Acceptance): Promise<MessageRow | undefined> =>
  (takeAhead<MessageRow | undefined>(tx, acceptedKey(a.attemptId)) ?? { value: await acceptAttempt(tx, a.attemptId, a.messageId, a.next, a.changes, a.job) }).value;

/**
 * The batch step that accepts together (PostgreSQL; answers with a failure's fields, rare, and
 * SQLite, where a statement is no round trip, accept one by one). Only an answer first of its
 * attempt in the batch joins: a status callback that came before it in the batch goes first.
 */
export const acceptTogether = (db: Db, a: Acceptance): BatchStart<Acceptance> | undefined =>
  isPostgres(db) && a.job && a.changes.errorCode === undefined && a.changes.errorMessage === undefined ? { step: acceptAll, hint: a, firstOfOrder: true } : undefined;

const acceptedKey = (attemptId: string) => `accepted ${attemptId}`;

async function acceptAll(tx: Tx, acceptances: Acceptance[]): Promise<void> {
  const byStatus = new Map<MessageStatus, Acceptance[]>();
  for (const a of acceptances) {
    const group = byStatus.get(a.next);
    if (group) group.push(a);
    else byStatus.set(a.next, [a]);
  }
  for (const [next, group] of byStatus) {
    const input = group.map((a) => ({ attempt_id: a.attemptId, sid: a.changes.twilioSid, now: a.changes.now, job_id: a.job!.id, worker_id: a.job!.lockedBy }));
    const ids = [group.map((a) => a.attemptId), group.map((a) => a.job!.id)];
    const { rows } = await tx.executeQuery<MessageRow & { acceptedAttemptId: string }>(CompiledQuery.raw(acceptAllSql(next), [JSON.stringify(input), ...ids]));
    const moved = new Map(rows.map(({ acceptedAttemptId, ...row }) => [acceptedAttemptId, row]));
    for (const a of group) putReadAhead(tx, acceptedKey(a.attemptId), moved.get(a.attemptId));
  }
}

/**
 * acceptAttempt's statement for many answers at once, each a row of one JSON parameter: the
 * attempts still open become accepted with their SIDs, their send jobs end, and their messages
 * take the SID and move on to `next` as takeSidAndAdvance moves one. Each changed message comes
 * back with the attempt that moved it.
 */
const acceptAllSql = sqlPerStatus(
  (next, movable) => `with input as (select * from json_to_recordset($1::json) as i(attempt_id text, sid text, now bigint, job_id text, worker_id text)),
  settled as (update send_attempts a set state = 'accepted', finished_at = i.now, twilio_sid = i.sid from input i
    where a.id = any($2::text[]) and a.id = i.attempt_id and a.state in ('started', 'unknown') returning a.id, a.message_id, i.sid, i.now),
  finished as (delete from jobs j using input i where j.id = any($3::text[]) and j.id = i.job_id and j.locked_by = i.worker_id returning j.id)
update messages m set status = case when m.status in (${movable}) then '${next}' else m.status end, twilio_sid = coalesce(m.twilio_sid, s.sid), updated_at = s.now
  from settled s where m.id = s.message_id and (m.status in (${movable}) or m.twilio_sid is null)
  returning m.*, s.id as accepted_attempt_id`,
);

/**
 * A retried message's settled attempts are superseded: their callbacks change nothing any more.
 * An attempt whose outcome is still unknown is left as it is, so the new send job checks Twilio
 * for it first and never sends twice (docs/rules.md#outbound-messages).
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

import { sql, type QueryCreator } from 'kysely';
import type { Conn } from '../../db/database.js';
import { prepared } from '../../db/prepared.js';
import type { DB, NewRow, Row, RowUpdate } from '../../db/schema.js';

export type TwilioAccountRow = Row<'twilioAccounts'>;
export type SenderRow = Row<'senders'>;

const findAccountBySidQuery = prepared((conn: Conn, accountSid: string) => conn.selectFrom('twilioAccounts').selectAll().where('accountSid', '=', accountSid));

/** Read on every webhook: prepared once. */
export const findAccountBySid = async (conn: Conn, accountSid: string) => (await findAccountBySidQuery(conn, accountSid)).rows[0];

export const findAccountOfOrganization = (conn: Conn, organizationId: string) =>
  conn.selectFrom('twilioAccounts').selectAll().where('organizationId', '=', organizationId).executeTakeFirst();

const findAccountQuery = prepared((conn: Conn, id: string) => conn.selectFrom('twilioAccounts').selectAll().where('id', '=', id));

/** Read by every picture's download: prepared once. */
export const findAccount = async (conn: Conn, id: string): Promise<TwilioAccountRow | undefined> => (await findAccountQuery(conn, id)).rows[0];

export const insertAccount = (conn: Conn, row: NewRow<'twilioAccounts'>) => conn.insertInto('twilioAccounts').values(row).execute();

export const updateAccount = (conn: Conn, id: string, changes: RowUpdate<'twilioAccounts'>) =>
  conn.updateTable('twilioAccounts').set(changes).where('id', '=', id).execute();

export const deleteAccount = (conn: Conn, id: string) => conn.deleteFrom('twilioAccounts').where('id', '=', id).execute();

export const listAllAccounts = (conn: Conn) => conn.selectFrom('twilioAccounts').selectAll().execute();

export const insertSender = (conn: Conn, row: NewRow<'senders'>) => conn.insertInto('senders').values(row).execute();

export const findSender = (conn: Conn, organizationId: string, id: string) =>
  conn.selectFrom('senders').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();

export const findActiveSenderByAddress = (conn: Conn, address: string) =>
  conn.selectFrom('senders').selectAll().where('address', '=', address).where('active', '=', 1).executeTakeFirst();

/**
 * The active senders among these addresses, in one query. `active = 1` is written as a literal so
 * SQLite can use the partial unique index without re-planning the statement on every run.
 */
/** The active senders at either address (give one twice to look up one): read on every inbound message. */
export const findActiveSendersAt = async (conn: Conn, first: string, second: string) => (await activeSendersAtQuery(conn, first, second)).rows;

const activeSendersAtQuery = prepared((conn: Conn, first: string, second: string) =>
  conn.selectFrom('senders').selectAll().where('address', 'in', [first, second]).where('active', '=', sql.lit(1)),
);

export const listSenders = (conn: Conn, organizationId: string, opts: { activeOnly: boolean }) =>
  conn
    .selectFrom('senders')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .$if(opts.activeOnly, (q) => q.where('active', '=', 1))
    .orderBy('createdAt')
    .execute();

export const updateSender = (conn: Conn, id: string, changes: RowUpdate<'senders'>) => conn.updateTable('senders').set(changes).where('id', '=', id).execute();

export const listActiveSendersOfAccount = (conn: Conn, twilioAccountId: string) =>
  conn.selectFrom('senders').selectAll().where('twilioAccountId', '=', twilioAccountId).where('active', '=', 1).orderBy('createdAt').execute();

/** The latest removed sender of an organization at this address, to bring back with its history. */
export const findRemovedSender = (conn: Conn, organizationId: string, type: SenderRow['type'], address: string) =>
  conn
    .selectFrom('senders')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('type', '=', type)
    .where('address', '=', address)
    .where('active', '=', 0)
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirst();

/** Every sender of the account stops and lets go of it, so deleting the account leaves no reference. */
export const releaseSendersOfAccount = async (conn: Conn, twilioAccountId: string, now: number) => {
  await conn.updateTable('senders').set({ active: 0, removedAt: now }).where('twilioAccountId', '=', twilioAccountId).where('active', '=', 1).execute();
  await conn.updateTable('senders').set({ twilioAccountId: null }).where('twilioAccountId', '=', twilioAccountId).execute();
};

/**
 * One more webhook refused for its signature. A run of failures that went quiet for `windowMs`
 * starts again at one, so the count never carries failures older than the window into a new run.
 */
export const countSignatureFailure = (conn: Conn, id: string, now: number, windowMs: number) =>
  conn
    .updateTable('twilioAccounts')
    .set((eb) => ({
      signatureFailures: eb
        .case()
        .when(eb.or([eb('signatureFailureAt', 'is', null), eb('signatureFailureAt', '<', now - windowMs)]))
        .then(1)
        .else(eb('signatureFailures', '+', 1))
        .end(),
      signatureFailureAt: now,
    }))
    .where('id', '=', id)
    .execute();

/** A valid webhook ends the run; called only when the row read says there is one, so it costs no write otherwise. */
export const clearSignatureFailures = (conn: Conn, id: string) =>
  conn.updateTable('twilioAccounts').set({ signatureFailures: 0, signatureFailureAt: null }).where('id', '=', id).where('signatureFailures', '>', 0).execute();

/** Compare-and-set, so a token replaced while a rotation runs is never overwritten with the old one. */
export const replaceSealedToken = async (conn: Conn, id: string, previous: string, next: string) => {
  const result = await conn.updateTable('twilioAccounts').set({ authTokenSealed: next }).where('id', '=', id).where('authTokenSealed', '=', previous).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
};

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

const claimSendSlotQuery = prepared(claimSendSlotUpdate);

/** The UPDATE that claims a send slot, returning the sender's next free time (the slot's end); also a WITH in outbound's claimSlotAndStart. */
export function claimSendSlotUpdate(conn: QueryCreator<DB>, senderId: string, now: number, costMs: number) {
  return conn
    .updateTable('senders')
    .set((eb) => ({ nextSendAt: eb(eb.case().when('nextSendAt', '>', now).then(eb.ref('nextSendAt')).else(eb.val(now)).end(), '+', costMs) }))
    .where('id', '=', senderId)
    .returning('nextSendAt');
}

/** Twilio answered 20003: sending from this account waits until an admin replaces the token. */
export const pauseAccount = (conn: Conn, accountId: string, now: number) =>
  conn.updateTable('twilioAccounts').set({ pausedAt: now }).where('id', '=', accountId).where('pausedAt', 'is', null).execute();

/** Every active sender of a connected account, with its account: what the catch-up goes through. */
export const sendersToCatchUp = (conn: Conn) =>
  conn
    .selectFrom('senders as s')
    .innerJoin('twilioAccounts as a', 'a.id', 's.twilioAccountId')
    .selectAll('s')
    .select(['a.accountSid', 'a.authTokenSealed', 'a.pausedAt'])
    .where('s.active', '=', 1)
    .orderBy('s.createdAt')
    .execute();

export type SenderToCatchUp = Awaited<ReturnType<typeof sendersToCatchUp>>[number];

export const recordCatchup = (conn: Conn, id: string, run: { from: number; at: number; messages: number; statuses: number }) =>
  conn
    .updateTable('senders')
    .set({ catchupFrom: run.from, catchupAt: run.at, catchupMessages: run.messages, catchupStatuses: run.statuses, catchupError: null, catchupErrorAt: null })
    .where('id', '=', id)
    .execute();

export const recordCatchupFailure = (conn: Conn, id: string, failure: { at: number; error: string }) =>
  conn.updateTable('senders').set({ catchupError: failure.error, catchupErrorAt: failure.at }).where('id', '=', id).execute();

import type { Conn } from '../../db/database.js';
import { oncePerTransaction, putOncePerTransaction } from '../../db/tx-memo.js';
import type { Context } from '../../context.js';
import { unseal, type ConnectedAccount } from './accounts.js';
import * as q from './queries.js';

/* What sending and receiving messages need from the support numbers and the account. */

export type SenderState = q.SenderState;
export type SenderRow = q.SenderRow;

/** The sender with the state of its Twilio account: enough to tell whether it may send. */
export const senderForSending = (conn: Conn, organizationId: string, senderId: string) => q.senderWithAccount(conn, organizationId, senderId);

/**
 * Claims the sender's next send slot, `costMs` long, shared by every worker of every process.
 * Returns the slot's start: now when the sender is free, else later.
 */
export const claimSendSlot = (conn: Conn, senderId: string, now: number, costMs: number) => q.claimSendSlot(conn, senderId, now, costMs);

/** claimSendSlot's UPDATE, for a statement that claims the slot and does more in the same round trip. */
export const claimSendSlotUpdate = q.claimSendSlotUpdate;

/** Twilio answered 20003: sending from this account waits until an admin replaces the token. */
export const pauseAccount = (conn: Conn, accountId: string, now: number) => q.pauseAccount(conn, accountId, now);

/** The first address, in order of preference, that is an active sender of this account. */
export async function findInboundSender(conn: Conn, account: Pick<ConnectedAccount, 'id' | 'organizationId'>, addresses: [string] | [string, string]): Promise<SenderRow | undefined> {
  const [first, second = first] = addresses;
  // Once per group-committed batch of webhooks, most of which text the same numbers.
  const senders = await oncePerTransaction(conn, sendersKey(first, second), () => q.findActiveSendersAt(conn, first, second));
  const ours = senders.filter((s) => s.twilioAccountId === account.id && s.organizationId === account.organizationId);
  for (const address of addresses) {
    const sender = ours.find((s) => s.address === address);
    if (sender) return sender;
  }
  return undefined;
}

/** For a batch that read its webhooks' senders ahead (inbound on PostgreSQL): the active senders findInboundSender will see at these addresses, out of `active`. */
export function putActiveSenders(conn: Conn, addresses: [string] | [string, string], active: SenderRow[]): void {
  const [first, second = first] = addresses;
  putOncePerTransaction(conn, sendersKey(first, second), active.filter((s) => s.active === 1 && (s.address === first || s.address === second)));
}

const sendersKey = (first: string, second: string) => `active-senders ${first} ${second}`;

/** The catch-up's work list (docs/twilio.md#7-nothing-lost-while-parley-is-down): each active sender with its account, token unsealed. */
export async function sendersToCatchUp(ctx: Context): Promise<{ sender: SenderRow; account: ConnectedAccount }[]> {
  const rows = await q.sendersToCatchUp(ctx.db);
  return rows.map(({ accountSid, authTokenSealed, pausedAt, ...sender }) => ({
    sender,
    account: unseal(ctx, { id: sender.twilioAccountId!, organizationId: sender.organizationId, accountSid, authTokenSealed, pausedAt }),
  }));
}

/** A complete catch-up of a sender: where the next one starts from, and what this one recovered. */
export const recordCatchup = (conn: Conn, senderId: string, run: { from: number; at: number; messages: number; statuses: number }) => q.recordCatchup(conn, senderId, run);

/** A failed catch-up keeps its place: only the error is recorded, and the next run starts where this one did. */
export const recordCatchupFailure = (conn: Conn, senderId: string, failure: { at: number; error: string }) => q.recordCatchupFailure(conn, senderId, failure);

/** For other features: the ids of the organization's active senders (e.g. to opt a customer out of all of them). */
export const organizationSenderIds = async (conn: Conn, organizationId: string) => (await q.listSenders(conn, organizationId, { activeOnly: true })).map((s) => s.id);

import type { Conn } from '../../db/database.js';
import type { ConnectedAccount } from './accounts.js';
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

/** Twilio answered 20003: sending from this account waits until an admin replaces the token. */
export const pauseAccount = (conn: Conn, accountId: string, now: number) => q.pauseAccount(conn, accountId, now);

/** The first address, in order of preference, that is an active sender of this account. */
export async function findInboundSender(conn: Conn, account: Pick<ConnectedAccount, 'id' | 'organizationId'>, addresses: [string] | [string, string]): Promise<SenderRow | undefined> {
  const senders = await q.findActiveSendersAt(conn, addresses[0], addresses[1] ?? addresses[0]);
  const ours = senders.filter((s) => s.twilioAccountId === account.id && s.organizationId === account.organizationId);
  for (const address of addresses) {
    const sender = ours.find((s) => s.address === address);
    if (sender) return sender;
  }
  return undefined;
}

/** For other features: the ids of the organization's active senders (e.g. to opt a customer out of all of them). */
export const organizationSenderIds = async (conn: Conn, organizationId: string) => (await q.listSenders(conn, organizationId, { activeOnly: true })).map((s) => s.id);

import type { Conn } from '../../db/database.js';
import type { ConnectedAccount } from '../twilio/accounts.js';
import { findActiveSendersAt, type SenderRow } from '../twilio/queries.js';

/** The first address, in order of preference, that is an active sender of this account. */
export async function findInboundSender(conn: Conn, account: Pick<ConnectedAccount, 'id' | 'organizationId'>, addresses: [string] | [string, string]): Promise<SenderRow | undefined> {
  const senders = await findActiveSendersAt(conn, addresses[0], addresses[1] ?? addresses[0]);
  const ours = senders.filter((s) => s.twilioAccountId === account.id && s.organizationId === account.organizationId);
  for (const address of addresses) {
    const sender = ours.find((s) => s.address === address);
    if (sender) return sender;
  }
  return undefined;
}

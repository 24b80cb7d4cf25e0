import type { Conn } from '../../db/database.js';
import type { ConnectedAccount } from '../twilio/accounts.js';
import { findActiveSendersByAddresses, type SenderRow } from '../twilio/queries.js';

/** The first address, in order of preference, that is an active sender of this account. */
export async function findInboundSender(conn: Conn, account: Pick<ConnectedAccount, 'id' | 'organizationId'>, addresses: string[]): Promise<SenderRow | undefined> {
  const senders = await findActiveSendersByAddresses(conn, addresses);
  const ours = senders.filter((s) => s.twilioAccountId === account.id && s.organizationId === account.organizationId);
  for (const address of addresses) {
    const sender = ours.find((s) => s.address === address);
    if (sender) return sender;
  }
  return undefined;
}

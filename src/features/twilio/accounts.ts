import type { Context } from '../../context.js';
import type { Conn } from '../../db/database.js';
import { twilioClient, type TwilioClient } from './client.js';
import * as q from './queries.js';

/** A connected account with its Auth Token unsealed, for the moment a call to Twilio needs it. */
export interface ConnectedAccount {
  id: string;
  organizationId: string;
  accountSid: string;
  authToken: string;
  paused: boolean;
}

export function unseal(ctx: Context, row: q.TwilioAccountRow): ConnectedAccount {
  return {
    id: row.id,
    organizationId: row.organizationId,
    accountSid: row.accountSid,
    authToken: ctx.keyring.decrypt('twilio-token-encryption', row.authTokenSealed),
    paused: row.pausedAt !== null,
  };
}

export async function connectedAccountBySid(ctx: Context, accountSid: string, conn: Conn = ctx.db): Promise<ConnectedAccount | null> {
  const row = await q.findAccountBySid(conn, accountSid);
  return row ? unseal(ctx, row) : null;
}

export async function connectedAccountById(ctx: Context, id: string, conn: Conn = ctx.db): Promise<ConnectedAccount | null> {
  const row = await q.findAccount(conn, id);
  return row ? unseal(ctx, row) : null;
}

export const clientFor = (ctx: Context, account: Pick<ConnectedAccount, 'accountSid' | 'authToken'>): TwilioClient =>
  twilioClient(ctx.config, account.accountSid, account.authToken);

/** The last four characters only: enough to tell accounts apart, never the whole SID. */
export const maskSid = (sid: string) => `${sid.slice(0, 2)}…${sid.slice(-4)}`;

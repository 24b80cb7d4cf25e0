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

type SealedAccount = Pick<q.TwilioAccountRow, 'id' | 'organizationId' | 'accountSid' | 'authTokenSealed' | 'pausedAt'>;

export function unseal(ctx: Context, row: SealedAccount): ConnectedAccount {
  return { id: row.id, organizationId: row.organizationId, accountSid: row.accountSid, authToken: unsealedToken(ctx, row.authTokenSealed), paused: row.pausedAt !== null };
}

/**
 * Unsealing derives a key and decrypts, a noticeable cost at hundreds of sends and status
 * callbacks a second; the result depends only on the sealed value, which a new token replaces.
 * Kept a minute at most, so a token removed by a disconnect does not linger in memory.
 */
const UNSEALED_TTL_MS = 60_000;
const unsealed = new WeakMap<Context, Map<string, { authToken: string; until: number }>>();

function unsealedToken(ctx: Context, sealed: string): string {
  let cache = unsealed.get(ctx);
  if (!cache) unsealed.set(ctx, (cache = new Map()));
  const now = Date.now();
  const entry = cache.get(sealed);
  if (entry && entry.until >= now) return entry.authToken;
  for (const [k, e] of cache) if (e.until < now) cache.delete(k);
  const authToken = ctx.keyring.decrypt('twilio-token-encryption', sealed);
  cache.set(sealed, { authToken, until: now + UNSEALED_TTL_MS });
  return authToken;
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

import twilio from 'twilio';
import type { Context } from '../../context.js';
import type { Conn } from '../../db/database.js';
import { hasForbiddenControl, stripControls } from '../../domain/text.js';
import { AppError } from '../../errors.js';
import { unseal, type ConnectedAccount } from './accounts.js';
import { findAccountBySid } from './queries.js';

export type TwilioParams = Record<string, string>;

/** A Twilio webhook as the route received it: no step after the route knows HTTP. */
export interface TwilioWebhook {
  /** The path and query string the request was made to; the signature covers PUBLIC_URL + this. */
  path: string;
  /** X-Twilio-Signature, if sent. */
  signature: string | undefined;
  params: TwilioParams;
}

/**
 * SPEC §4 steps 2 and 3, shared by every Twilio webhook (step 1, the 64 KiB cap, is the form
 * parser's body limit): the connected account named by AccountSid, then X-Twilio-Signature
 * checked with that account's token over the full public URL and the POST parameters, exactly
 * as Twilio's own validateRequest does. Either refusal stores nothing.
 */
export async function authenticateTwilioRequest(ctx: Context, conn: Conn, webhook: TwilioWebhook): Promise<ConnectedAccount> {
  const account = await findWebhookAccount(ctx, conn, webhook.params);
  checkSignature(ctx, account, webhook);
  return account;
}

/**
 * Twilio's values for use once the signature is checked (it covers them as sent): control
 * characters removed, since PostgreSQL text cannot hold NUL and a customer's text is never refused.
 */
export const withoutControls = (params: TwilioParams): TwilioParams => Object.fromEntries(Object.entries(params).map(([k, v]) => [k, stripControls(v)]));

export function formParams(body: unknown): TwilioParams {
  if (!body || typeof body !== 'object') return {};
  const out: TwilioParams = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) out[k] = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
  return out;
}

async function findWebhookAccount(ctx: Context, conn: Conn, params: TwilioParams): Promise<ConnectedAccount> {
  const sid = params.AccountSid;
  // The row is read on every webhook, so a disconnect or a replaced token counts at once.
  // No SID holds a control character, and PostgreSQL could not even look one up.
  const row = sid && !hasForbiddenControl(sid) ? await findAccountBySid(conn, sid) : undefined;
  if (!row) throw new AppError('forbidden', 'Unknown or disconnected Twilio account');
  return unseal(ctx, row);
}

function checkSignature(ctx: Context, account: ConnectedAccount, { path, signature, params }: TwilioWebhook): void {
  const url = ctx.config.publicUrl + path;
  if (signature === undefined || !twilio.validateRequest(account.authToken, signature, url, params)) {
    throw new AppError('forbidden', 'Invalid X-Twilio-Signature');
  }
}

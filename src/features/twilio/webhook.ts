import twilio from 'twilio';
import type { Context } from '../../context.js';
import type { Conn } from '../../db/database.js';
import { oncePerTransaction, putOncePerTransaction } from '../../db/tx-memo.js';
import { hasForbiddenControl, stripControls } from '../../domain/text.js';
import { AppError } from '../../errors.js';
import { maskSid, unseal, type ConnectedAccount } from './accounts.js';
import { clearSignatureFailures, countSignatureFailure, findAccountBySid, type TwilioAccountRow } from './queries.js';

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
 * docs/rules.md#the-webhooks-steps, steps 2 and 3, shared by every Twilio webhook (step 1, the 64 KiB cap, is the form
 * parser's body limit): the connected account named by AccountSid, then X-Twilio-Signature
 * checked with that account's token over the full public URL and the POST parameters, exactly
 * as Twilio's own validateRequest does. Either refusal stores nothing. A valid signature ends a
 * run of failures (docs/twilio.md), written only when the row just read says there is one.
 */
export async function authenticateTwilioRequest(ctx: Context, conn: Conn, webhook: TwilioWebhook): Promise<ConnectedAccount> {
  const row = await findWebhookAccount(conn, webhook.params);
  const account = unseal(ctx, row);
  checkSignature(ctx, account, webhook);
  if (row.signatureFailures > 0) await clearSignatureFailures(conn, row.id);
  return account;
}

/** authenticateTwilioRequest outside any transaction, reporting a signature mismatch at once. */
export async function authenticateTwilioWebhook(ctx: Context, webhook: TwilioWebhook): Promise<ConnectedAccount> {
  try {
    return await authenticateTwilioRequest(ctx, ctx.db, webhook);
  } catch (err) {
    await reportSignatureMismatch(ctx, err);
    throw err;
  }
}

/** How long a run of signature failures is shown after the latest one. */
export const SIGNATURE_FAILURE_WINDOW_MS = 24 * 3_600_000;

/**
 * A webhook that names a connected account but does not carry its signature (docs/twilio.md). Twilio
 * signs with the token its console holds and the URL it calls, so this is a rotated token or a
 * PUBLIC_URL that is not Twilio's address — the refusal must be seen, not only answered 403.
 */
export class SignatureMismatch extends AppError {
  constructor(
    readonly accountId: string,
    readonly accountSid: string,
    readonly verifiedUrl: string,
  ) {
    super('forbidden', 'Invalid X-Twilio-Signature');
  }
}

/**
 * Logs and counts a SignatureMismatch (anything else is left alone). Called after the request's
 * transaction, which a refusal leaves untouched.
 */
export async function reportSignatureMismatch(ctx: Context, err: unknown): Promise<void> {
  if (!(err instanceof SignatureMismatch)) return;
  ctx.log.warn(
    { accountSid: maskSid(err.accountSid), url: err.verifiedUrl, path: new URL(err.verifiedUrl).pathname },
    "Twilio webhook refused: its X-Twilio-Signature does not match. The Auth Token was probably rotated in Twilio's console (enter the new one in Parley's settings), or PUBLIC_URL is not the address Twilio calls",
  );
  await countSignatureFailure(ctx.db, err.accountId, ctx.clock.now(), SIGNATURE_FAILURE_WINDOW_MS);
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

async function findWebhookAccount(conn: Conn, params: TwilioParams): Promise<TwilioAccountRow> {
  const row = await accountOfWebhook(conn, params.AccountSid);
  if (!row) throw new AppError('forbidden', 'Unknown or disconnected Twilio account');
  return row;
}

/**
 * The connected account a webhook's AccountSid names, read on every webhook (once per
 * group-committed batch), so a disconnect or a replaced token counts at once. No SID holds a
 * control character, and PostgreSQL could not even look one up. (A batch's later webhooks may
 * clear a run of signature failures again: harmless.)
 */
export const accountOfWebhook = async (conn: Conn, sid: string | undefined): Promise<TwilioAccountRow | undefined> =>
  isLookedUp(sid) ? oncePerTransaction(conn, accountKey(sid), () => findAccountBySid(conn, sid)) : undefined;

/** Whether accountOfWebhook looks this AccountSid up at all. */
export const isLookedUp = (sid: string | undefined): sid is string => !!sid && !hasForbiddenControl(sid);

/** For a batch that read the accounts of its webhooks ahead (inbound on PostgreSQL): what accountOfWebhook answers for this AccountSid. */
export const putAccountOfWebhook = (conn: Conn, sid: string, row: TwilioAccountRow | undefined) => putOncePerTransaction(conn, accountKey(sid), row);

const accountKey = (sid: string) => `twilio-account ${sid}`;

function checkSignature(ctx: Context, account: ConnectedAccount, { path, signature, params }: TwilioWebhook): void {
  const url = ctx.config.publicUrl + path;
  if (signature === undefined || !twilio.validateRequest(account.authToken, signature, url, params)) {
    throw new SignatureMismatch(account.id, account.accountSid, url);
  }
}

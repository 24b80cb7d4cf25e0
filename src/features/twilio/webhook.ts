import type { FastifyRequest } from 'fastify';
import twilio from 'twilio';
import type { Context } from '../../context.js';
import { AppError } from '../../errors.js';
import { connectedAccountBySid, type ConnectedAccount } from './accounts.js';

export type TwilioParams = Record<string, string>;

/**
 * SPEC §4 steps 2 and 3, shared by every Twilio webhook (step 1, the 64 KiB cap, is the form
 * parser's body limit): the connected account named by AccountSid, then X-Twilio-Signature
 * checked with that account's token over the full public URL and the POST parameters, exactly
 * as Twilio's own validateRequest does. Either refusal stores nothing.
 */
export async function authenticateTwilioRequest(ctx: Context, request: FastifyRequest): Promise<{ account: ConnectedAccount; params: TwilioParams }> {
  const params = formParams(request.body);
  const account = await findWebhookAccount(ctx, params);
  checkSignature(ctx, account, request, params);
  return { account, params };
}

export function formParams(body: unknown): TwilioParams {
  if (!body || typeof body !== 'object') return {};
  const out: TwilioParams = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) out[k] = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
  return out;
}

async function findWebhookAccount(ctx: Context, params: TwilioParams): Promise<ConnectedAccount> {
  const sid = params.AccountSid;
  const account = sid ? await connectedAccountBySid(ctx, sid) : null;
  if (!account) throw new AppError('forbidden', 'Unknown or disconnected Twilio account');
  return account;
}

function checkSignature(ctx: Context, account: ConnectedAccount, request: FastifyRequest, params: TwilioParams): void {
  const signature = request.headers['x-twilio-signature'];
  const url = ctx.config.publicUrl + request.url;
  if (typeof signature !== 'string' || !twilio.validateRequest(account.authToken, signature, url, params)) {
    throw new AppError('forbidden', 'Invalid X-Twilio-Signature');
  }
}

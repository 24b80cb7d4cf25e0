import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.js';
import type { Account } from '../model.js';
import { authenticate, notFound, requestPath, sendTwilioError } from './errors.js';

const authenticated = new WeakMap<FastifyRequest, Account>();

/** HTTP basic auth with Account SID and Auth Token on every REST call, as Twilio requires. */
export function basicAuthHook(ctx: SimContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const account = accountFromHeader(ctx, request.headers.authorization);
    if (!account) return sendTwilioError(reply, authenticate());
    authenticated.set(request, account);
    return undefined;
  };
}

function accountFromHeader(ctx: SimContext, header: string | undefined): Account | undefined {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf-8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const account = ctx.store.accounts.get(decoded.slice(0, colon));
  if (!account) return undefined;
  const given = Buffer.from(decoded.slice(colon + 1));
  const expected = Buffer.from(account.authToken);
  return given.length === expected.length && timingSafeEqual(given, expected) ? account : undefined;
}

/** The authenticated account; for 2010 paths it must be the one named in the URL. */
export function requestAccount(request: FastifyRequest, pathAccountSid?: string): Account {
  const account = authenticated.get(request);
  if (!account) throw authenticate();
  if (pathAccountSid !== undefined && pathAccountSid !== account.sid) {
    throw notFound(requestPath(request));
  }
  return account;
}

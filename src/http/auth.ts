import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { AppError } from '../errors.js';
import type { Config } from '../config.js';
import { resolveSession, SESSION_IDLE_MS, type AuthUser } from '../features/accounts/sessions.js';

export const SESSION_COOKIE = 'parley_session';

/** The session cookie lasts as long as the session may sit idle, and is renewed as it is used. */
export function setSessionCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.publicUrl.startsWith('https:'),
    maxAge: SESSION_IDLE_MS / 1000,
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthUser;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The signed-in user of a request that passed `requireUser` or `requireAdmin`. */
export function authOf(request: FastifyRequest): AuthUser {
  if (!request.auth) throw new AppError('unauthorized', 'Sign in first');
  return request.auth;
}

/** The bearer token of an `Authorization: Bearer …` header, if that is what was sent. */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() || undefined : undefined;
}

/** The session token of a request: a bearer token first, else the session cookie. */
const sessionToken = (request: FastifyRequest): string | undefined => bearerToken(request) ?? request.cookies?.[SESSION_COOKIE];

/**
 * Accepts the session cookie or a bearer token. A cookie is sent by the browser on its own,
 * so a cookie-authenticated change must come from our own origin (CSRF).
 */
export function authHooks(ctx: Context) {
  const publicOrigin = new URL(ctx.config.publicUrl).origin;

  async function requireUser(request: FastifyRequest, reply: FastifyReply) {
    const bearer = bearerToken(request);
    const token = sessionToken(request);
    if (!token) throw new AppError('unauthorized', 'Sign in first');
    const user = await resolveSession(ctx, token);
    if (!user) throw new AppError('unauthorized', 'Your session has ended; sign in again');
    if (!bearer && !SAFE_METHODS.has(request.method) && request.headers.origin !== publicOrigin) {
      throw new AppError('forbidden', `Requests that change data must come from ${publicOrigin} (Origin header)`);
    }
    // Sessions end after 14 days without use, so the browser's cookie must slide with use too.
    if (!bearer && user.touched) setSessionCookie(reply, ctx.config, token);
    request.auth = user;
  }

  async function requireAdmin(request: FastifyRequest, reply: FastifyReply) {
    await requireUser(request, reply);
    if (request.auth?.role !== 'admin') throw new AppError('forbidden', 'Only admins can do this');
  }

  /**
   * Signing in or up starts a session, so another site must not be able to do it in the user's
   * browser (login CSRF) even before any cookie exists. Browsers name the page's origin on
   * every POST, so a foreign (or "null") Origin is refused. No Origin at all means a client
   * that is not a browser (curl, scripts), which no other site can drive: it may sign in,
   * unless it carries the session cookie, where the cookie rule above applies.
   */
  async function requireOwnOriginToSignIn(request: FastifyRequest) {
    const origin = request.headers.origin;
    const refused = origin === undefined ? request.cookies?.[SESSION_COOKIE] !== undefined : origin !== publicOrigin;
    if (refused) throw new AppError('forbidden', `Sign in from ${publicOrigin}: this request's Origin header is ${origin ?? 'missing'}`);
  }

  return { requireUser, requireAdmin, requireOwnOriginToSignIn };
}

export type AuthHooks = ReturnType<typeof authHooks>;

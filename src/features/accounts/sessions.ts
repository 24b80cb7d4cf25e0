import { createHmac, randomBytes } from 'node:crypto';
import type { Context } from '../../context.js';
import * as q from './queries.js';

/** Sessions end after 14 days without use (docs/rules.md#sessions). */
export const SESSION_IDLE_MS = 14 * 24 * 3600 * 1000;
/** Writing last-used on every request would cost a write per call; once a minute is precise enough. */
const TOUCH_EVERY_MS = 60_000;

/** The database stores only a keyed hash of the token, so a copy of it opens no session. */
function sessionId(ctx: Context, token: string): string {
  return createHmac('sha256', ctx.keyring.key('session-tokens')).update(token).digest('hex');
}

export async function createSession(ctx: Context, user: { id: string; organizationId: string }): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.clock.now();
  await q.insertSession(ctx.db, { id: sessionId(ctx, token), userId: user.id, organizationId: user.organizationId, createdAt: now, lastUsedAt: now });
  return token;
}

export interface AuthUser {
  id: string;
  organizationId: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
  sessionId: string;
  /** The idle clock was just moved on: a cookie session should get a fresh cookie lifetime. */
  touched: boolean;
}

/** The user behind a token, or null when the token is unknown, idle too long, or its user deactivated. */
export async function resolveSession(ctx: Context, token: string): Promise<AuthUser | null> {
  const id = sessionId(ctx, token);
  const row = await q.findActiveSession(ctx.db, id);
  if (!row) return null;
  const now = ctx.clock.now();
  if (now - row.lastUsedAt > SESSION_IDLE_MS) {
    await q.deleteSession(ctx.db, id);
    return null;
  }
  const touched = now - row.lastUsedAt > TOUCH_EVERY_MS;
  if (touched) await q.touchSession(ctx.db, id, now);
  return { id: row.id, organizationId: row.organizationId, email: row.email, name: row.name, role: row.role, sessionId: id, touched };
}

/** Whether a session is still valid. Asking is not use: an open event stream must not keep an idle session alive. */
export async function isSessionActive(ctx: Context, id: string): Promise<boolean> {
  const row = await q.findActiveSession(ctx.db, id);
  return row !== undefined && ctx.clock.now() - row.lastUsedAt <= SESSION_IDLE_MS;
}

/** Signing out: the session, and the event streams open on it. */
export async function endSession(ctx: Context, auth: Pick<AuthUser, 'id' | 'sessionId'>): Promise<void> {
  await q.deleteSession(ctx.db, auth.sessionId);
  await sessionsEnded(ctx, auth.id);
}

/** After a commit that ended sessions of a user: their event streams, in every server process, check theirs. */
export async function sessionsEnded(ctx: Context, userId: string): Promise<void> {
  try {
    await ctx.events.signal({ type: 'sessions.ended', userId });
  } catch (err) {
    // The sessions are gone all the same; their streams end at the next heartbeat instead.
    ctx.log.error({ err, userId }, 'announcing ended sessions to event streams failed');
  }
}

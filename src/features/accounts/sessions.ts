import { createHmac, randomBytes } from 'node:crypto';
import type { Context } from '../../context.js';
import * as q from './queries.js';

/** Sessions end after 14 days without use (SPEC §7). */
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

export const endSession = (ctx: Context, sessionIdValue: string) => q.deleteSession(ctx.db, sessionIdValue);

import type { Context } from '../../context.js';
import type { Conn } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { oncePerTransaction, putOncePerTransaction } from '../../db/tx-memo.js';
import { AppError, conflict, invalid, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import { DECOY_HASH, hashPassword, verifyPassword } from './passwords.js';
import { businessHoursOf, presentOrganization, presentPreferences, presentUser } from './presenters.js';
import type { NotifyPreference } from '../../domain/notify.js';
import { checkAwayMessage, checkBusinessHours } from './business-hours.js';
import type { BusinessHours } from '../../domain/business-hours.js';
import * as q from './queries.js';
import { createSession, endSession, sessionsEnded, type AuthUser } from './sessions.js';
import { clearPasswordAttempts, countPasswordAttempt } from './throttle.js';


export async function signup(ctx: Context, input: { orgName: string; name: string; email: string; password: string }) {
  await refuseClosedSignup(ctx, ctx.db);
  const email = input.email.toLowerCase();
  const passwordHash = await hashPassword(input.password);
  const now = ctx.clock.now();
  const organization = { id: newId(now), name: input.orgName, threadingWindowHours: 24, createdAt: now, businessHours: null, awayMessage: null };
  const user = { id: newId(now), organizationId: organization.id, email, name: input.name, role: 'admin' as const, passwordHash, active: 1 as const, createdAt: now };
  try {
    await ctx.db.transaction().execute(async (tx) => {
      // Checked again under a lock: two first signups at once must not both find the server empty.
      await q.lockUntilCommit(tx, 'first-organization');
      await refuseClosedSignup(ctx, tx);
      await q.insertOrganization(tx, organization);
      await q.insertUser(tx, user);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('conflict', `email: ${email} is already registered`, 'email');
    throw err;
  }
  const token = await createSession(ctx, user);
  return { user: presentUser(user), organization: presentOrganization(organization), token };
}

async function refuseClosedSignup(ctx: Context, conn: Conn): Promise<void> {
  const open = ctx.config.allowSignup || (await q.countOrganizations(conn)) === 0;
  if (!open) throw new AppError('forbidden', 'Signup is closed on this server; ask an admin to invite you');
}

export async function login(ctx: Context, input: { email: string; password: string }) {
  const email = input.email.toLowerCase();
  const attempt = await countPasswordAttempt(ctx, email);
  const user = await q.findUserByEmail(ctx.db, email);
  // Hash even for an unknown email, so timing does not tell which emails exist.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? DECOY_HASH);
  if (!user || !ok || user.active !== 1) throw new AppError('unauthorized', 'Wrong email or password');
  await clearPasswordAttempts(ctx, attempt);
  const token = await createSession(ctx, user);
  return { token, user: presentUser(user) };
}

export const logout = (ctx: Context, auth: AuthUser) => endSession(ctx, auth);

export async function me(ctx: Context, auth: AuthUser) {
  const [user, organization] = await Promise.all([q.findUser(ctx.db, auth.organizationId, auth.id), q.findOrganization(ctx.db, auth.organizationId)]);
  if (!user || !organization) throw notFound('User');
  return { user: presentUser(user), organization: presentOrganization(organization) };
}

export async function preferences(ctx: Context, auth: AuthUser) {
  const user = await q.findUser(ctx.db, auth.organizationId, auth.id);
  if (!user) throw notFound('User');
  return presentPreferences(user);
}

/** The caller's own notification preferences; nobody changes another user's. */
export async function updatePreferences(ctx: Context, auth: AuthUser, input: { notify?: NotifyPreference; sound?: boolean }) {
  const changes = {
    ...(input.notify !== undefined ? { notify: input.notify } : {}),
    ...(input.sound !== undefined ? { notifySound: input.sound ? (1 as const) : (0 as const) } : {}),
  };
  if (Object.keys(changes).length > 0) await q.updateUser(ctx.db, auth.organizationId, auth.id, changes);
  return preferences(ctx, auth);
}

export async function changePassword(ctx: Context, auth: AuthUser, input: { currentPassword: string; newPassword: string }) {
  const user = await q.findUser(ctx.db, auth.organizationId, auth.id);
  if (!user) throw notFound('User');
  // A stolen session must not become a way to guess the password.
  const attempt = await countPasswordAttempt(ctx, user.email);
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) throw invalid('currentPassword', 'is not your current password');
  await clearPasswordAttempts(ctx, attempt);
  const passwordHash = await hashPassword(input.newPassword);
  await ctx.db.transaction().execute(async (tx) => {
    await q.updateUser(tx, auth.organizationId, auth.id, { passwordHash });
    // Anyone who knew the old password is signed out everywhere else.
    await q.deleteUserSessions(tx, auth.id, auth.sessionId);
  });
  await sessionsEnded(ctx, auth.id);
}

export async function listUsers(ctx: Context, auth: AuthUser) {
  return (await q.listUsers(ctx.db, auth.organizationId)).map(presentUser);
}

export async function inviteUser(ctx: Context, auth: AuthUser, input: { email: string; name: string; role: 'admin' | 'agent'; password: string }) {
  const now = ctx.clock.now();
  const user = {
    id: newId(now),
    organizationId: auth.organizationId,
    email: input.email.toLowerCase(),
    name: input.name,
    role: input.role,
    passwordHash: await hashPassword(input.password),
    active: 1 as const,
    createdAt: now,
  };
  try {
    await q.insertUser(ctx.db, user);
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('conflict', `email: ${user.email} is already registered`, 'email');
    throw err;
  }
  return presentUser(user);
}

/** Role changes and deactivation, refusing any that would leave the organization without an active admin. */
export async function updateUser(ctx: Context, auth: AuthUser, id: string, changes: { role?: 'admin' | 'agent'; name?: string; active?: boolean }) {
  const updated = await ctx.db.transaction().execute(async (tx) => {
    // Two admins demoting each other at once must not both count the other as the one left.
    await q.lockOrganization(tx, auth.organizationId);
    const user = await q.findUser(tx, auth.organizationId, id);
    if (!user) throw notFound('User');
    const losesAdmin = user.role === 'admin' && user.active === 1 && (changes.role === 'agent' || changes.active === false);
    if (losesAdmin && (await q.countActiveAdmins(tx, auth.organizationId)) <= 1) {
      throw conflict('This is the last active admin; make another user admin first');
    }
    const update = {
      ...(changes.role ? { role: changes.role } : {}),
      ...(changes.name ? { name: changes.name } : {}),
      ...(changes.active !== undefined ? { active: changes.active ? (1 as const) : (0 as const) } : {}),
    };
    if (Object.keys(update).length > 0) await q.updateUser(tx, auth.organizationId, id, update);
    if (changes.active === false) await q.deleteUserSessions(tx, id);
    return presentUser({ ...user, ...update });
  });
  if (changes.active === false) await sessionsEnded(ctx, id);
  return updated;
}

export const deactivateUser = (ctx: Context, auth: AuthUser, id: string) => updateUser(ctx, auth, id, { active: false });

export interface SettingsInput {
  threadingWindowHours?: number;
  businessHours?: BusinessHours | null;
  awayMessage?: string | null;
}

export async function updateSettings(ctx: Context, auth: AuthUser, input: SettingsInput) {
  const changes = {
    ...(input.threadingWindowHours !== undefined ? { threadingWindowHours: input.threadingWindowHours } : {}),
    ...(input.businessHours !== undefined ? { businessHours: input.businessHours && JSON.stringify(checkBusinessHours(input.businessHours)) } : {}),
    ...(input.awayMessage !== undefined ? { awayMessage: checkAwayMessage(input.awayMessage) } : {}),
  };
  if (Object.keys(changes).length > 0) await q.updateOrganization(ctx.db, auth.organizationId, changes);
  const organization = await q.findOrganization(ctx.db, auth.organizationId);
  if (!organization) throw notFound('Organization');
  return presentOrganization(organization);
}

/**
 * For other features, inside their transaction: the away message, when the organization has one
 * and business hours to be away from. Null when no away reply is ever sent.
 */
export async function awaySettings(conn: Conn, organizationId: string): Promise<{ businessHours: BusinessHours; awayMessage: string } | null> {
  const organization = await organizationInTransaction(conn, organizationId);
  const businessHours = organization && businessHoursOf(organization);
  if (!businessHours || !organization.awayMessage) return null;
  return { businessHours, awayMessage: organization.awayMessage };
}

/** For other features: the organization's threading window, read inside their transaction. */
export async function threadingWindowHours(conn: Conn, organizationId: string): Promise<number> {
  return (await organizationInTransaction(conn, organizationId))?.threadingWindowHours ?? 24;
}

/** Read once per transaction: a group-committed batch of webhooks asks for both settings, message after message. */
const organizationInTransaction = (conn: Conn, organizationId: string) => oncePerTransaction(conn, organizationKey(organizationId), () => q.findOrganization(conn, organizationId));

/** For a batch that read its organizations ahead (inbound on PostgreSQL): what the settings above read in this transaction. */
export const putOrganization = (conn: Conn, row: q.OrganizationRow) => putOncePerTransaction(conn, organizationKey(row.id), row);

const organizationKey = (organizationId: string) => `organization ${organizationId}`;

/** For other features: whether an id is an active user of the organization (e.g. to assign a conversation). */
export async function isActiveUser(conn: Conn, organizationId: string, id: string): Promise<boolean> {
  return (await q.findUser(conn, organizationId, id))?.active === 1;
}

/** For other features: the organization's active users' ids and names (e.g. to find who a note mentions). */
export async function activeUserNames(conn: Conn, organizationId: string): Promise<Array<{ id: string; name: string }>> {
  return (await q.listUsers(conn, organizationId)).filter((u) => u.active === 1).map((u) => ({ id: u.id, name: u.name }));
}

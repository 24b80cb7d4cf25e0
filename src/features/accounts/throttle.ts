import { createHmac } from 'node:crypto';
import type { Context } from '../../context.js';
import { AppError } from '../../errors.js';
import { newId } from '../../ids.js';
import * as q from './queries.js';

/*
 * Password guessing is limited per email: an email whose password was given wrong 10 times
 * within 15 minutes (a sliding window, counting since its last right password) answers 429
 * until the oldest of those leaves the window. Sign-in and the current-password check of a
 * password change share one count, so a stolen session cannot guess past it.
 *
 * Each attempt is counted before its password is checked, under a lock on its email, so a
 * burst of parallel requests gets no more checks than a patient attacker; a right password
 * then clears the count. Refused attempts are not stored, and only a keyed hash of the email
 * is, so the table stays small whatever is sent; rows leave it once past the window.
 */

const WINDOW_MS = 15 * 60 * 1000;
const MAX_FAILURES = 10;

/** A counted attempt, to clear if its password turns out right. */
export interface PasswordAttempt {
  key: string;
}

/** Counts one password attempt for the email, or refuses it (429) when its failures are used up. */
export async function countPasswordAttempt(ctx: Context, email: string): Promise<PasswordAttempt> {
  const key = throttleKey(ctx, email);
  const now = ctx.clock.now();
  const since = now - WINDOW_MS;
  const counted = await ctx.db.transaction().execute(async (tx) => {
    await q.lockUntilCommit(tx, `login-attempts:${key}`);
    if ((await q.countLoginAttempts(tx, key, since)) >= MAX_FAILURES) return false;
    await q.insertLoginAttempt(tx, { id: newId(now), key, at: now });
    return true;
  });
  // Outside the lock: attempts for other emails are not this one's to wait on.
  await q.pruneLoginAttempts(ctx.db, since);
  if (!counted) throw new AppError('too_many_requests', 'Too many wrong passwords for this account; wait 15 minutes and try again');
  return { key };
}

/** The right password was given: earlier failures no longer count against it. */
export async function clearPasswordAttempts(ctx: Context, attempt: PasswordAttempt): Promise<void> {
  await q.clearLoginAttempts(ctx.db, attempt.key);
}

/** Emails are compared lowercased, as they are stored. */
function throttleKey(ctx: Context, email: string): string {
  return createHmac('sha256', ctx.keyring.key('login-throttle')).update(email.toLowerCase()).digest('hex');
}

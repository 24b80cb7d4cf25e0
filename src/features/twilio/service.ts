import type { Context } from '../../context.js';
import type { Conn } from '../../db/database.js';
import { truncateWal } from '../../db/checkpointer.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError, conflict } from '../../errors.js';
import { newId } from '../../ids.js';
import { listUsers } from '../accounts/service.js';
import type { AuthUser } from '../accounts/sessions.js';
import { scrubJobErrors } from '../../jobs/queue.js';
import { forgetTwilioSources } from '../media/service.js';
import { resumePausedSends } from '../outbound/service.js';
import { recordAudit } from '../audit/service.js';
import { maskSid, unseal, type ConnectedAccount } from './accounts.js';
import { forgetTwilioClients, oneOffTwilioClient } from './client.js';
import { presentIntegration } from './presenters.js';
import { requireReachablePublicUrl } from './public-address.js';
import * as q from './queries.js';
import { releaseAtTwilio } from './senders.js';
import { fetchAccountStatus, TwilioRefused } from './twilio-api.js';

/*
 * Connecting and disconnecting the organization's Twilio account (docs/rules.md#twilio-account). Twilio is always
 * called before or after a transaction, never inside one; every refusal saves nothing.
 */


export async function integrationView(ctx: Context, auth: AuthUser) {
  const account = await q.findAccountOfOrganization(ctx.db, auth.organizationId);
  if (!account) return presentIntegration(undefined, null, [], ctx.config.publicUrl, ctx.clock.now());
  const senders = (await q.listSenders(ctx.db, auth.organizationId, { activeOnly: true })).filter((s) => s.twilioAccountId === account.id);
  const user = account.connectedBy ? (await listUsers(ctx, auth)).find((u) => u.id === account.connectedBy) : undefined;
  return presentIntegration(account, user ? { id: user.id, name: user.name } : null, senders, ctx.config.publicUrl, ctx.clock.now());
}

/** Connects an account, or replaces the token of the one already connected (same SID). */
export async function connect(ctx: Context, auth: AuthUser, input: { accountSid: string; authToken: string }) {
  requireReachablePublicUrl(ctx.config);
  // Credentials first: whether an account is connected elsewhere is only for its holder to learn.
  await checkCredentials(ctx, input.accountSid, input.authToken);
  await refuseOtherAccount(ctx.db, auth.organizationId, input.accountSid);
  const sealed = ctx.keyring.encrypt('twilio-token-encryption', input.authToken);
  const now = ctx.clock.now();
  let replaced: boolean;
  try {
    replaced = await ctx.db.transaction().execute(async (tx) => {
      // Checked again: another admin may have connected while Twilio was answering.
      const current = await refuseOtherAccount(tx, auth.organizationId, input.accountSid);
      const audit = { organizationId: auth.organizationId, actorId: auth.id, target: maskSid(input.accountSid), now };
      if (current) {
        await q.updateAccount(tx, current.id, { authTokenSealed: sealed, pausedAt: null });
        // Sends paused by a rejected token (20003) are due again at once.
        await resumePausedSends(tx, auth.organizationId, now);
        await recordAudit(tx, { ...audit, action: 'twilio.token_replaced' });
        return true;
      }
      await q.insertAccount(tx, {
        id: newId(now),
        organizationId: auth.organizationId,
        accountSid: input.accountSid,
        authTokenSealed: sealed,
        connectedAt: now,
        connectedBy: auth.id,
        pausedAt: null,
      });
      await recordAudit(tx, { ...audit, action: 'twilio.connected' });
      return false;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('This Twilio account was connected elsewhere at the same moment; reload and try again');
    throw err;
  }
  if (replaced) {
    forgetTwilioClients(input.accountSid);
    ctx.wakeWorker();
  }
  ctx.log.info({ organizationId: auth.organizationId, accountSid: maskSid(input.accountSid) }, replaced ? 'twilio auth token replaced' : 'twilio account connected');
  return integrationView(ctx, auth);
}

async function refuseOtherAccount(conn: Conn, organizationId: string, accountSid: string): Promise<q.TwilioAccountRow | undefined> {
  const current = await q.findAccountOfOrganization(conn, organizationId);
  if (current && current.accountSid !== accountSid) {
    throw conflict(`Twilio account ${current.accountSid} is connected; disconnect the current Twilio account first, then connect ${accountSid}`);
  }
  if (!current && (await q.findAccountBySid(conn, accountSid))) {
    throw conflict('This Twilio account is already connected to another Parley organization; disconnect it there first');
  }
  return current;
}

async function checkCredentials(ctx: Context, accountSid: string, authToken: string): Promise<void> {
  let status: string;
  try {
    status = await fetchAccountStatus(oneOffTwilioClient(ctx.config, accountSid, authToken), accountSid);
  } catch (err) {
    if (!(err instanceof TwilioRefused)) throw err;
    if (err.badCredentials || err.notFound) {
      throw new AppError('validation_failed', 'Twilio rejected this Account SID and Auth Token; copy both again from the Twilio console and retry', 'authToken');
    }
    throw new AppError('validation_failed', `Twilio refused to check this account (error ${err.code ?? err.failure.status}): ${err.message}`, 'accountSid');
  }
  if (status !== 'active') {
    throw new AppError('validation_failed', `This Twilio account is ${status}; reactivate it in the Twilio console first`, 'accountSid');
  }
}

/**
 * Puts back at Twilio the routes Parley replaced (best effort), then forgets the account for good: its row is
 * deleted, its senders stop, and on SQLite the WAL is checkpointed so the deleted bytes
 * (overwritten in place by secure_delete) leave no copy behind.
 */
export async function disconnect(ctx: Context, auth: AuthUser) {
  const row = await q.findAccountOfOrganization(ctx.db, auth.organizationId);
  if (!row) throw new AppError('not_found', 'No Twilio account is connected to this organization');
  const account: ConnectedAccount = unseal(ctx, row);
  const twilioCleared = await releaseAtTwilio(ctx, account, await q.listActiveSendersOfAccount(ctx.db, row.id));
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (tx) => {
    await q.releaseSendersOfAccount(tx, row.id, now);
    const [deleted] = await q.deleteAccount(tx, row.id);
    if (Number(deleted?.numDeletedRows ?? 0) !== 1) throw new AppError('not_found', 'No Twilio account is connected to this organization');
    await recordAudit(tx, { organizationId: auth.organizationId, actorId: auth.id, action: 'twilio.disconnected', target: maskSid(row.accountSid), now });
    // No other record may keep the SID: pending media URLs and job errors quoting Twilio.
    await forgetTwilioSources(tx, auth.organizationId);
    await scrubJobErrors(tx, row.accountSid, maskSid(row.accountSid));
  });
  forgetTwilioClients(row.accountSid);
  await checkpointAfterDelete(ctx);
  // Queued sends from these senders can now fail with their clear error instead of waiting.
  ctx.wakeWorker();
  ctx.log.info({ organizationId: auth.organizationId, accountSid: maskSid(row.accountSid), twilioCleared }, 'twilio account disconnected');
  return {
    disconnected: true,
    twilioCleared,
    message: twilioCleared
      ? 'Disconnected. Your Twilio numbers and services have the SMS webhooks they had before Parley again.'
      : 'Disconnected, but Twilio could not be reached to put back the SMS webhooks Parley replaced; set them on your numbers and services in the Twilio console.',
  };
}

async function checkpointAfterDelete(ctx: Context): Promise<void> {
  if (ctx.database.engine !== 'sqlite') return;
  if (!(await truncateWal(ctx.db))) ctx.log.warn('WAL checkpoint after disconnect was blocked; a copy of the deleted credentials stays in the WAL file until later writes overwrite it or the server restarts');
}

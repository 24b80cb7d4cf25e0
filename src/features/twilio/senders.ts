import type { Context } from '../../context.js';
import type { SenderType } from '../../db/schema.js';
import { isUniqueViolation } from '../../db/errors.js';
import { isA2p10dlcNumber, isMessagingServiceSid, isShortCode, toE164 } from '../../domain/phone.js';
import { AppError, conflict, invalid, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import type { AuthUser } from '../accounts/sessions.js';
import { recordAudit } from '../audit/service.js';
import { clientFor, connectedAccountById, unseal, type ConnectedAccount } from './accounts.js';
import type { TwilioClient } from './client.js';
import { presentAddedSender, presentSender } from './presenters.js';
import { requireReachablePublicUrl } from './public-address.js';
import * as q from './queries.js';
import * as api from './twilio-api.js';
import { inboundWebhookUrl, routeOwner } from './webhook-url.js';

/*
 * Support numbers. Adding one checks it is in the account and that its texts would reach the
 * route Parley sets, then points that route at Parley and records what it replaced; removing one
 * puts the replaced route back. Twilio is called outside every transaction.
 */

export type AddSenderInput =
  | { type: 'phone_number'; phoneNumber: string; purchase?: boolean; replaceWebhook?: boolean }
  | { type: 'short_code'; shortCode: string; replaceWebhook?: boolean }
  | { type: 'messaging_service'; messagingServiceSid: string; replaceWebhook?: boolean };

interface Wanted {
  type: SenderType;
  /** The input field, for 422s. */
  field: 'phoneNumber' | 'shortCode' | 'messagingServiceSid';
  address: string;
}

/** Segments per second: a long code is held to 1 by carriers, short codes and services go much faster. */
export const DEFAULT_RATE: Record<SenderType, number> = { phone_number: 1, short_code: 100, messaging_service: 100 };


export async function listActiveSenders(ctx: Context, auth: AuthUser) {
  return (await q.listSenders(ctx.db, auth.organizationId, { activeOnly: true })).map(presentSender);
}

/** The connected account with its token, for a call to Twilio; 409 when there is none. */
export async function requireConnectedAccount(ctx: Context, organizationId: string): Promise<ConnectedAccount> {
  const row = await q.findAccountOfOrganization(ctx.db, organizationId);
  if (!row) throw conflict('Connect a Twilio account first (PUT /api/integrations/twilio)');
  return unseal(ctx, row);
}

/**
 * Runs calls made with the saved token. Twilio's 20003 here means the token was changed in
 * Twilio's console; other refusals name the input field they are about.
 */
export async function withSavedToken<T>(field: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof api.TwilioRefused)) throw err;
    if (err.badCredentials) {
      throw conflict('Twilio rejected the saved Auth Token (it was probably changed in the Twilio console); enter the current one with PUT /api/integrations/twilio and try again');
    }
    throw new AppError('validation_failed', `${field}: Twilio refused (error ${err.code ?? err.failure.status}): ${err.message}`, field);
  }
}

function wantedOf(input: AddSenderInput): Wanted {
  if (input.type === 'phone_number') {
    const e164 = toE164(input.phoneNumber);
    if (!e164) throw invalid('phoneNumber', `${input.phoneNumber} is not a valid phone number; write it with its country code, e.g. +14155550100`);
    return { type: input.type, field: 'phoneNumber', address: e164 };
  }
  if (input.type === 'short_code') {
    if (!isShortCode(input.shortCode)) throw invalid('shortCode', `${input.shortCode} is not a short code; short codes are 5 or 6 digits`);
    return { type: input.type, field: 'shortCode', address: input.shortCode.trim() };
  }
  if (!isMessagingServiceSid(input.messagingServiceSid)) {
    throw invalid('messagingServiceSid', 'must be MG followed by 32 lowercase hexadecimal characters, as shown in the Twilio console');
  }
  return { type: input.type, field: 'messagingServiceSid', address: input.messagingServiceSid };
}

export async function addSender(ctx: Context, auth: AuthUser, input: AddSenderInput) {
  requireReachablePublicUrl(ctx.config);
  const wanted = wantedOf(input);
  const account = await requireConnectedAccount(ctx, auth.organizationId);
  // Whether another organization uses an address is only said once it is shown to be in this
  // organization's own Twilio account, so admins cannot probe other organizations' numbers.
  const existing = await q.findActiveSenderByAddress(ctx.db, wanted.address);
  if (existing?.organizationId === auth.organizationId) throw conflict(`${wanted.address} is already a sender`);
  const ours = inboundWebhookUrl(ctx.config.publicUrl);
  const client = clientFor(ctx, account);
  const purchase = input.type === 'phone_number' && input.purchase === true;
  const found = await withSavedToken(wanted.field, () => (purchase ? api.buyNumber(client, wanted.address, ours) : locate(ctx, account, wanted)));
  if (existing) throw conflict(`${wanted.address} is already a sender`);
  let replaced: Replaced = 'nothing';
  if (!purchase) {
    const owner = routeOwner(found.route, ours);
    if (owner === 'other' && !input.replaceWebhook) throw new AppError('webhook_in_use', inUseMessage(wanted, found.route));
    await withSavedToken(wanted.field, () => api.pointSmsUrl(client, wanted.type, found.twilioSid, ours));
    // Already Parley's (a removal that could not reach Twilio): what it replaced before still stands.
    replaced = owner === 'parley' ? 'as recorded' : found.route;
  }
  const sender = await saveSender(ctx, auth, account, wanted, found, replaced);
  ctx.log.info({ organizationId: auth.organizationId, senderId: sender.id, type: sender.type, purchased: purchase }, 'sender added');
  // Carriers block an unregistered US or Canadian long code's texts to US phones.
  const warnings = purchase && isA2p10dlcNumber(wanted.address) ? (['a2p_10dlc_registration'] as const) : [];
  return presentAddedSender(sender, warnings);
}

/** What Parley took over: a route to record, nothing (a number it bought), or the record it already has. */
type Replaced = api.InboundRoute | 'nothing' | 'as recorded';

function inUseMessage(wanted: Wanted, route: api.InboundRoute): string {
  const instead = 'add it with replaceWebhook: true to point it at Parley instead (Parley puts the current setting back when the sender is removed)';
  if (route.applicationSid) {
    return `${wanted.address} sends its texts to the TwiML App ${route.applicationSid}, whatever its SMS URL says, so another application receives them; ${instead}`;
  }
  if (route.defersToNumbers) {
    return `Messaging Service ${wanted.address} hands its texts to each of its numbers' own SMS URLs ("Use inbound webhook on number"), so other applications receive them; ${instead}, which sends all of the service's texts to Parley`;
  }
  return `${wanted.address} already sends its messages to ${route.url}, which belongs to another application; ${instead}`;
}

async function locate(ctx: Context, account: ConnectedAccount, wanted: Wanted): Promise<api.TwilioSenderInfo> {
  const client = clientFor(ctx, account);
  if (wanted.type === 'phone_number') {
    const number = await api.findIncomingNumber(client, wanted.address);
    if (!number) throw invalid('phoneNumber', `${wanted.address} is not a number in your Twilio account; pick one from incoming-numbers, or buy it with purchase: true`);
    if (!number.sms) throw invalid('phoneNumber', `${wanted.address} cannot send or receive SMS; choose an SMS-capable number`);
    await refuseServiceHeldNumber(client, wanted.address);
    return number;
  }
  if (wanted.type === 'short_code') {
    const code = await api.findShortCode(client, wanted.address);
    if (!code) throw invalid('shortCode', `${wanted.address} is not a short code in your Twilio account`);
    return code;
  }
  const service = await api.fetchMessagingService(client, wanted.address);
  if (!service) throw invalid('messagingServiceSid', `${wanted.address} is not a Messaging Service in your Twilio account`);
  return service;
}

/**
 * A number in a Messaging Service's pool gets its texts through the service, never through its own
 * SmsUrl, unless the service defers to its numbers: pointing the number at Parley would change
 * nothing, so the service is what to add.
 */
async function refuseServiceHeldNumber(client: TwilioClient, phoneNumber: string): Promise<void> {
  const pool = (await api.listServicePools(client)).get(phoneNumber);
  if (!pool || pool.defersToNumbers) return;
  throw new AppError(
    'number_in_messaging_service',
    `${phoneNumber} is in Messaging Service ${pool.serviceSid}, which receives its texts instead of the number; add the Messaging Service ${pool.serviceSid} as a sender instead (it covers every number in its pool), or take the number out of the service in the Twilio console`,
  );
}

/** A sender removed earlier comes back as the same record, so its conversations and opt-outs continue. */
async function saveSender(ctx: Context, auth: AuthUser, account: ConnectedAccount, wanted: Wanted, found: api.TwilioSenderInfo, replaced: Replaced): Promise<q.SenderRow> {
  const now = ctx.clock.now();
  const fromTwilio = {
    twilioAccountId: account.id,
    twilioSid: found.twilioSid,
    smsCapable: flag(found.sms),
    mmsCapable: flag(found.mms),
    active: 1 as const,
    removedAt: null,
    ...previousColumns(replaced),
    // The catch-up starts from here: what the number received before Parley served it was another application's.
    ...catchupFrom(now),
  };
  try {
    return await ctx.db.transaction().execute(async (tx) => {
      if (!(await q.findAccount(tx, account.id))) throw conflict('The Twilio account was disconnected meanwhile; connect it again, then add the sender');
      const removed = await q.findRemovedSender(tx, auth.organizationId, wanted.type, wanted.address);
      let row: q.SenderRow;
      if (removed) {
        row = { ...removed, ...fromTwilio };
        await q.updateSender(tx, removed.id, fromTwilio);
      } else {
        row = {
          id: newId(now),
          organizationId: auth.organizationId,
          type: wanted.type,
          phoneNumber: wanted.type === 'phone_number' ? wanted.address : null,
          shortCode: wanted.type === 'short_code' ? wanted.address : null,
          messagingServiceSid: wanted.type === 'messaging_service' ? wanted.address : null,
          address: wanted.address,
          ratePerSecond: DEFAULT_RATE[wanted.type],
          nextSendAt: 0,
          createdAt: now,
          previousWebhookUrl: null,
          previousWebhookMethod: null,
          previousSmsApplicationSid: null,
          previousUseInboundWebhookOnNumber: null,
          catchupMessages: 0,
          catchupStatuses: 0,
          ...fromTwilio,
        };
        await q.insertSender(tx, row);
      }
      await recordAudit(tx, { organizationId: auth.organizationId, actorId: auth.id, action: 'sender.added', target: wanted.address, now });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`${wanted.address} is already a sender`);
    throw err;
  }
}

const flag = (b: boolean) => (b ? 1 : 0) as 0 | 1;

const catchupFrom = (now: number) => ({ catchupFrom: now, catchupAt: null, catchupError: null, catchupErrorAt: null });

function previousColumns(replaced: Replaced) {
  if (replaced === 'as recorded') return {};
  const route = replaced === 'nothing' ? null : replaced;
  return {
    previousWebhookUrl: route?.url ?? null,
    previousWebhookMethod: route?.method ?? null,
    previousSmsApplicationSid: route?.applicationSid ?? null,
    previousUseInboundWebhookOnNumber: route ? flag(route.defersToNumbers) : null,
  };
}

/** The route Parley replaced, or null when it recorded none (a bought number, or one added before routes were kept). */
function recordedRoute(sender: q.SenderRow): api.InboundRoute | null {
  if (sender.previousWebhookUrl === null) return null;
  return {
    url: sender.previousWebhookUrl,
    method: sender.previousWebhookMethod ?? '',
    applicationSid: sender.previousSmsApplicationSid ?? '',
    defersToNumbers: sender.previousUseInboundWebhookOnNumber === 1,
  };
}

async function activeSender(ctx: Context, auth: AuthUser, id: string): Promise<q.SenderRow> {
  const sender = await q.findSender(ctx.db, auth.organizationId, id);
  if (!sender || sender.active !== 1) throw notFound('Sender');
  return sender;
}

export async function updateSender(ctx: Context, auth: AuthUser, id: string, changes: { ratePerSecond: number }) {
  const sender = await activeSender(ctx, auth, id);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (tx) => {
    await q.updateSender(tx, sender.id, { ratePerSecond: changes.ratePerSecond });
    const target = `${sender.address}: ${sender.ratePerSecond} → ${changes.ratePerSecond} segments/s`;
    await recordAudit(tx, { organizationId: auth.organizationId, actorId: auth.id, action: 'sender.updated', target, now });
  });
  return presentSender({ ...sender, ratePerSecond: changes.ratePerSecond });
}

/** Puts back the route Parley replaced (best effort), then stops the sender; its conversations stay. */
export async function removeSender(ctx: Context, auth: AuthUser, id: string) {
  const sender = await activeSender(ctx, auth, id);
  const account = sender.twilioAccountId ? await connectedAccountById(ctx, sender.twilioAccountId) : null;
  const twilioCleared = account ? await releaseAtTwilio(ctx, account, [sender]) : false;
  const now = ctx.clock.now();
  const changes = { active: 0 as const, removedAt: now };
  await ctx.db.transaction().execute(async (tx) => {
    await q.updateSender(tx, sender.id, changes);
    await recordAudit(tx, { organizationId: auth.organizationId, actorId: auth.id, action: 'sender.removed', target: sender.address, now });
  });
  ctx.log.info({ organizationId: auth.organizationId, senderId: sender.id, twilioCleared }, 'sender removed');
  return {
    sender: presentSender({ ...sender, ...changes }),
    twilioCleared,
    message: twilioCleared
      ? `Removed ${sender.address}; at Twilio, the SMS webhook it had before Parley is back in place.`
      : `Removed ${sender.address}, but Twilio could not be reached to put back its previous SMS webhook; set it in the Twilio console.`,
  };
}

/**
 * Puts back, for each sender whose route still points at Parley, the route Parley replaced (or
 * empties the URL when none was recorded); a route someone has since changed is left alone.
 * True when every sender is settled at Twilio.
 */
export async function releaseAtTwilio(ctx: Context, account: ConnectedAccount, senders: q.SenderRow[]): Promise<boolean> {
  const ours = inboundWebhookUrl(ctx.config.publicUrl);
  const client = clientFor(ctx, account);
  const results = await Promise.all(
    senders.map(async (sender) => {
      if (!sender.twilioSid) return true;
      const sid = sender.twilioSid;
      try {
        const current = await api.currentRoute(client, sender.type, sid);
        if (current === null || routeOwner(current, ours) !== 'parley') return true;
        const previous = recordedRoute(sender);
        await (previous ? api.setRoute(client, sender.type, sid, previous) : api.clearSmsUrl(client, sender.type, sid));
        return true;
      } catch (err) {
        // Our own error types only (see twilio-api.ts): no credentials in the message.
        ctx.log.warn({ senderId: sender.id, reason: (err as Error).message }, 'could not put back the SMS webhook at Twilio');
        return false;
      }
    }),
  );
  return results.every(Boolean);
}

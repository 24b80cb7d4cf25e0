import type { SenderType } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { describeTwilioError, type TwilioClient, type TwilioFailure } from './client.js';

/*
 * The calls the integration makes to Twilio, each reduced to the few fields Parley uses.
 * Errors come out in two kinds: Twilio could not be reached or failed on its side
 * (an AppError 502 every caller answers alike), or Twilio refused (TwilioRefused, which each
 * caller turns into its own message). Nothing here is logged: a twilio-node error carries the
 * request's basic-auth credentials in its config.
 */

export class TwilioRefused extends Error {
  constructor(readonly failure: TwilioFailure) {
    super(failure.message);
    this.name = 'TwilioRefused';
  }
  get code() {
    return this.failure.code;
  }
  get notFound() {
    return this.failure.status === 404;
  }
  /** 20003: the Account SID and Auth Token do not authenticate. */
  get badCredentials() {
    return this.failure.code === 20003 || this.failure.status === 401;
  }
}

export function twilioUnreachable(f: TwilioFailure): AppError {
  const why = f.timedOut ? 'it did not answer in time' : f.network ? 'no connection could be made' : `it answered HTTP ${f.status}`;
  return new AppError('twilio_unreachable', `Twilio could not be reached (${why}); nothing was changed, try again in a moment`);
}

async function ask<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const f = describeTwilioError(err);
    if (f.network || f.status === null || f.status >= 500 || f.status === 429) throw twilioUnreachable(f);
    throw new TwilioRefused(f);
  }
}

/** Null when the resource does not exist (404); other refusals still throw. */
async function askOrNull<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await ask(call);
  } catch (err) {
    if (err instanceof TwilioRefused && err.notFound) return null;
    throw err;
  }
}

export async function fetchAccountStatus(client: TwilioClient, accountSid: string): Promise<string> {
  const account = await ask(() => client.api.v2010.accounts(accountSid).fetch());
  return account.status;
}

/**
 * Where a sender's inbound texts go at Twilio: a number's or short code's SmsUrl and SmsMethod
 * (and a number's SmsApplicationSid, which wins over its SmsUrl), or a service's InboundRequestUrl
 * and InboundMethod (and UseInboundWebhookOnNumber, which hands its pool numbers' texts to their
 * own SmsUrls). Empty strings and false where Twilio has nothing.
 */
export interface InboundRoute {
  url: string;
  method: string;
  applicationSid: string;
  defersToNumbers: boolean;
}

/** A number, short code or Messaging Service as Twilio knows it. */
export interface TwilioSenderInfo {
  type: SenderType;
  twilioSid: string;
  route: InboundRoute;
  sms: boolean;
  mms: boolean;
}

export interface TwilioNumber extends TwilioSenderInfo {
  phoneNumber: string;
  friendlyName: string;
}

type Caps = { sms?: boolean; mms?: boolean; SMS?: boolean; MMS?: boolean } | undefined;
// IncomingPhoneNumbers spell the keys in lower case, AvailablePhoneNumbers in capitals.
const capabilities = (c: unknown) => ({ sms: Boolean((c as Caps)?.sms ?? (c as Caps)?.SMS), mms: Boolean((c as Caps)?.mms ?? (c as Caps)?.MMS) });

type SmsSettings = { smsUrl: string | null; smsMethod: string | null; smsApplicationSid?: string | null };
const numberRoute = (n: SmsSettings): InboundRoute => ({ url: n.smsUrl ?? '', method: n.smsMethod ?? '', applicationSid: n.smsApplicationSid ?? '', defersToNumbers: false });

type ServiceSettings = { inboundRequestUrl: string | null; inboundMethod: string | null; useInboundWebhookOnNumber: boolean | null };
const serviceRoute = (s: ServiceSettings): InboundRoute => ({ url: s.inboundRequestUrl ?? '', method: s.inboundMethod ?? '', applicationSid: '', defersToNumbers: s.useInboundWebhookOnNumber === true });

const toNumber = (n: SmsSettings & { sid: string; phoneNumber: string; friendlyName: string; capabilities: unknown }): TwilioNumber => ({
  type: 'phone_number',
  twilioSid: n.sid,
  phoneNumber: n.phoneNumber,
  friendlyName: n.friendlyName,
  route: numberRoute(n),
  ...capabilities(n.capabilities),
});

/** Twilio's lists are paged; a support desk's account has far fewer numbers than this. */
const LIST_LIMIT = 1000;

export async function listIncomingNumbers(client: TwilioClient): Promise<TwilioNumber[]> {
  return (await ask(() => client.incomingPhoneNumbers.list({ limit: LIST_LIMIT }))).map(toNumber);
}

export async function findIncomingNumber(client: TwilioClient, phoneNumber: string): Promise<TwilioNumber | null> {
  const found = await ask(() => client.incomingPhoneNumbers.list({ phoneNumber, limit: 20 }));
  const exact = found.find((n) => n.phoneNumber === phoneNumber);
  return exact ? toNumber(exact) : null;
}

/** Buys a number with its SMS URL already pointing at Parley, in one call. */
export async function buyNumber(client: TwilioClient, phoneNumber: string, smsUrl: string): Promise<TwilioNumber> {
  return toNumber(await ask(() => client.incomingPhoneNumbers.create({ phoneNumber, smsUrl, smsMethod: 'POST' })));
}

export async function findShortCode(client: TwilioClient, shortCode: string): Promise<TwilioSenderInfo | null> {
  const found = await ask(() => client.shortCodes.list({ shortCode, limit: 20 }));
  const code = found.find((c) => c.shortCode === shortCode);
  // Twilio does not report a short code's capabilities; MMS on a short code is provisioned separately.
  return code ? { type: 'short_code', twilioSid: code.sid, route: numberRoute(code), sms: true, mms: false } : null;
}

export async function fetchMessagingService(client: TwilioClient, sid: string): Promise<TwilioSenderInfo | null> {
  const service = await askOrNull(() => client.messaging.v1.services(sid).fetch());
  return service ? { type: 'messaging_service', twilioSid: service.sid, route: serviceRoute(service), sms: true, mms: true } : null;
}

/** The Messaging Service holding a number in its sender pool, and whether it hands inbound texts to the number. */
export interface PoolMembership {
  serviceSid: string;
  defersToNumbers: boolean;
}

/**
 * Every pool number of every Messaging Service in the account, by E.164 number. Each list is
 * followed page by page (no limit), so a large account is read whole.
 */
export async function listServicePools(client: TwilioClient): Promise<Map<string, PoolMembership>> {
  const services = await ask(() => client.messaging.v1.services.list());
  const pools = await Promise.all(
    services.map(async (s) => ({ service: s, numbers: await ask(() => client.messaging.v1.services(s.sid).phoneNumbers.list()) })),
  );
  const byNumber = new Map<string, PoolMembership>();
  for (const { service, numbers } of pools) {
    for (const n of numbers) byNumber.set(n.phoneNumber, { serviceSid: service.sid, defersToNumbers: service.useInboundWebhookOnNumber === true });
  }
  return byNumber;
}

/** The inbound route a sender has at Twilio now, or null when the resource is gone. */
export async function currentRoute(client: TwilioClient, type: SenderType, twilioSid: string): Promise<InboundRoute | null> {
  if (type === 'phone_number') {
    const n = await askOrNull(() => client.incomingPhoneNumbers(twilioSid).fetch());
    return n ? numberRoute(n) : null;
  }
  if (type === 'short_code') {
    const c = await askOrNull(() => client.shortCodes(twilioSid).fetch());
    return c ? numberRoute(c) : null;
  }
  const s = await askOrNull(() => client.messaging.v1.services(twilioSid).fetch());
  return s ? serviceRoute(s) : null;
}

/**
 * Points the sender's inbound SMS at `url` (POST), in one update: a number's SMS application is
 * cleared with it, a service stops deferring to its numbers. Never touches a number's voice
 * StatusCallback.
 */
export async function pointSmsUrl(client: TwilioClient, type: SenderType, twilioSid: string, url: string): Promise<void> {
  await setRoute(client, type, twilioSid, { url, method: 'POST', applicationSid: '', defersToNumbers: false });
}

/** Puts a route back exactly as it was recorded; only the inbound settings are written. */
export async function setRoute(client: TwilioClient, type: SenderType, twilioSid: string, route: InboundRoute): Promise<void> {
  const method = route.method === 'GET' || route.method === 'POST' ? route.method : undefined;
  if (type === 'phone_number') {
    await ask(() => client.incomingPhoneNumbers(twilioSid).update({ smsUrl: route.url, smsMethod: method, smsApplicationSid: route.applicationSid }));
  } else if (type === 'short_code') {
    await ask(() => client.shortCodes(twilioSid).update({ smsUrl: route.url, smsMethod: method }));
  } else {
    await ask(() =>
      client.messaging.v1.services(twilioSid).update({ inboundRequestUrl: route.url, inboundMethod: method, useInboundWebhookOnNumber: route.defersToNumbers }),
    );
  }
}

/** Empties the sender's inbound SMS URL, leaving every other setting as it is. */
export async function clearSmsUrl(client: TwilioClient, type: SenderType, twilioSid: string): Promise<void> {
  if (type === 'phone_number') await ask(() => client.incomingPhoneNumbers(twilioSid).update({ smsUrl: '' }));
  else if (type === 'short_code') await ask(() => client.shortCodes(twilioSid).update({ smsUrl: '' }));
  else await ask(() => client.messaging.v1.services(twilioSid).update({ inboundRequestUrl: '' }));
}

export interface AvailableNumber {
  phoneNumber: string;
  friendlyName: string;
  locality: string | null;
  region: string | null;
  postalCode: string | null;
  isoCountry: string;
  capabilities: { sms: boolean; mms: boolean };
}

export async function searchAvailableNumbers(
  client: TwilioClient,
  country: string,
  filter: { areaCode?: number; contains?: string; mmsEnabled?: boolean },
): Promise<AvailableNumber[]> {
  const found = await ask(() =>
    client.availablePhoneNumbers(country).local.list({
      smsEnabled: true,
      ...(filter.areaCode !== undefined ? { areaCode: filter.areaCode } : {}),
      ...(filter.contains ? { contains: filter.contains } : {}),
      ...(filter.mmsEnabled !== undefined ? { mmsEnabled: filter.mmsEnabled } : {}),
      limit: 30,
    }),
  );
  return found.map((n) => ({
    phoneNumber: n.phoneNumber,
    friendlyName: n.friendlyName,
    locality: n.locality ?? null,
    region: n.region ?? null,
    postalCode: n.postalCode ?? null,
    isoCountry: n.isoCountry,
    capabilities: capabilities(n.capabilities),
  }));
}

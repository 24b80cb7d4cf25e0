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

/** A number, short code or Messaging Service as Twilio knows it. */
export interface TwilioSenderInfo {
  type: SenderType;
  twilioSid: string;
  /** The inbound SMS URL it holds now: SmsUrl, or a service's InboundRequestUrl. */
  smsUrl: string;
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

const toNumber = (n: { sid: string; phoneNumber: string; friendlyName: string; smsUrl: string | null; capabilities: unknown }): TwilioNumber => ({
  type: 'phone_number',
  twilioSid: n.sid,
  phoneNumber: n.phoneNumber,
  friendlyName: n.friendlyName,
  smsUrl: n.smsUrl ?? '',
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
  return code ? { type: 'short_code', twilioSid: code.sid, smsUrl: code.smsUrl ?? '', sms: true, mms: false } : null;
}

export async function fetchMessagingService(client: TwilioClient, sid: string): Promise<TwilioSenderInfo | null> {
  const service = await askOrNull(() => client.messaging.v1.services(sid).fetch());
  if (!service) return null;
  // A service with inbound deferred to its numbers does not use its own URL yet; Parley turns that off.
  return { type: 'messaging_service', twilioSid: service.sid, smsUrl: service.inboundRequestUrl ?? '', sms: true, mms: true };
}

/** The SMS URL a sender holds at Twilio now, or null when the resource is gone. */
export async function currentSmsUrl(client: TwilioClient, type: SenderType, twilioSid: string): Promise<string | null> {
  if (type === 'phone_number') return (await askOrNull(() => client.incomingPhoneNumbers(twilioSid).fetch()))?.smsUrl ?? null;
  if (type === 'short_code') return (await askOrNull(() => client.shortCodes(twilioSid).fetch()))?.smsUrl ?? null;
  const service = await askOrNull(() => client.messaging.v1.services(twilioSid).fetch());
  return service ? (service.inboundRequestUrl ?? '') : null;
}

/** Points the sender's inbound SMS at `url` (POST). Never touches a number's voice StatusCallback. */
export async function pointSmsUrl(client: TwilioClient, type: SenderType, twilioSid: string, url: string): Promise<void> {
  if (type === 'phone_number') await ask(() => client.incomingPhoneNumbers(twilioSid).update({ smsUrl: url, smsMethod: 'POST' }));
  else if (type === 'short_code') await ask(() => client.shortCodes(twilioSid).update({ smsUrl: url, smsMethod: 'POST' }));
  // The service's own URL only counts once inbound is no longer deferred to each number's SmsUrl.
  else await ask(() => client.messaging.v1.services(twilioSid).update({ inboundRequestUrl: url, inboundMethod: 'POST', useInboundWebhookOnNumber: false }));
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

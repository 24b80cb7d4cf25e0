import type { SimContext } from '../context.js';
import { ControlError } from '../control-error.js';
import { optOutType, type OptOutType } from '../keywords.js';
import { apiMediaUrl, createMedia } from '../media-files.js';
import type { Account, HttpMethod, MessagingService, SimMessage, WebhookLogEntry } from '../model.js';
import { geography, isAlphanumericSenderId, isE164, isShortCode } from '../phone-numbers.js';
import { measureBody } from '../segments.js';
import { newSid } from '../sids.js';
import { sendWebhook } from './webhook-post.js';

export interface PhoneSendOptions {
  from: string;
  to: string;
  body?: string;
  media?: { contentType: string; data: Buffer }[];
}

export interface PhoneSendResult {
  messageSid: string;
  /**
   * True when Twilio dropped the message: its number is in a Messaging Service that neither
   * defers to the number nor has an InboundRequestUrl. Nothing is logged and no webhook is sent.
   */
  dropped: boolean;
  /** The webhook's HTTP status; 0 when nothing answered or no URL is configured. */
  webhookStatus: number;
  webhookBody: string;
}

/** Twilio passes at most 10 media items on one inbound message. */
const MAX_INBOUND_MEDIA = 10;

/**
 * A simulated phone (or a short code or alphanumeric sender) texts a Twilio number or short
 * code: Twilio stores the inbound message, whatever becomes of its webhook, applies opt-out
 * keywords, and sends its full parameter set, signed, to the route that wins (see webhookRoute).
 */
export async function phoneSend(ctx: SimContext, opts: PhoneSendOptions): Promise<PhoneSendResult> {
  const body = opts.body ?? '';
  const files = opts.media ?? [];
  const account = checkPhoneSend(ctx, opts, body, files.length);
  const service = ctx.store.serviceContaining(opts.to);
  const optOut = optOutType(body);
  applyOptOut(ctx, opts.from, [opts.to, ...(service ? [service.sid] : [])], optOut);

  const route = webhookRoute(ctx, opts.to, service);
  if (route === 'drop') return { messageSid: newSid(files.length > 0 ? 'MM' : 'SM'), dropped: true, webhookStatus: 0, webhookBody: '' };
  const message = recordInbound(ctx, account.sid, opts, body, files, service);
  if (!route.url) return { messageSid: message.sid, dropped: false, webhookStatus: 0, webhookBody: '' };
  // Twilio adds OptOutType only for a number in a service with Advanced Opt-Out switched on
  // (its help article on tracking opt-outs with the OptOutType parameter).
  const params = inboundParams(ctx, message, service?.advancedOptOut ? optOut : null);
  const entry = await callWithFallback(ctx, { messageSid: message.sid, authToken: account.authToken, params }, route);
  return { messageSid: message.sid, dropped: false, webhookStatus: entry.status, webhookBody: entry.error ?? entry.body };
}

/** Refuses what no phone could send; answers the account that owns `to`. */
function checkPhoneSend(ctx: SimContext, opts: PhoneSendOptions, body: string, mediaCount: number): Account {
  if (!isE164(opts.from) && !isShortCode(opts.from) && !isAlphanumericSenderId(opts.from)) {
    throw new ControlError(400, `from ${opts.from} is not an E.164 phone number, a short code or an alphanumeric sender ID`);
  }
  if (body === '' && mediaCount === 0) throw new ControlError(400, 'A message needs a body or media');
  if (mediaCount > MAX_INBOUND_MEDIA) throw new ControlError(400, `At most ${MAX_INBOUND_MEDIA} media items`);
  const owner = ctx.store.ownerOf(opts.to);
  if (!owner) throw new ControlError(404, `${opts.to} is not a number or short code of any simulated account`);
  return ctx.store.requireAccount(owner.accountSid);
}

interface Route {
  url: string;
  method: HttpMethod;
  /** '' when there is none. */
  fallbackUrl: string;
  fallbackMethod: HttpMethod;
}

/**
 * Calls the route's URL; when that fails (no answer, or not 2xx) and a fallback URL is set,
 * Twilio calls the fallback with the same parameters plus ErrorCode 11200 (HTTP retrieval
 * failure) and ErrorUrl. The answer returned is the last one.
 */
async function callWithFallback(
  ctx: SimContext,
  req: { messageSid: string; authToken: string; params: Record<string, string> },
  route: Route,
): Promise<WebhookLogEntry> {
  const entry = await sendWebhook(ctx, { kind: 'inbound', ...req, url: route.url, method: route.method });
  const failed = entry.status < 200 || entry.status >= 300;
  if (!failed || !route.fallbackUrl) return entry;
  return sendWebhook(ctx, {
    kind: 'inbound',
    ...req,
    url: route.fallbackUrl,
    method: route.fallbackMethod,
    params: { ...req.params, ErrorCode: '11200', ErrorUrl: route.url },
  });
}

function recordInbound(
  ctx: SimContext,
  accountSid: string,
  opts: PhoneSendOptions,
  body: string,
  files: { contentType: string; data: Buffer }[],
  service: MessagingService | undefined,
): SimMessage {
  // Twilio gives picture messages MM SIDs and text messages SM SIDs.
  const sid = newSid(files.length > 0 ? 'MM' : 'SM');
  const now = new Date();
  const message: SimMessage = {
    sid,
    accountSid,
    direction: 'inbound',
    from: opts.from,
    to: opts.to,
    body,
    status: 'received',
    errorCode: null,
    errorMessage: null,
    messagingServiceSid: service?.sid ?? null,
    numSegments: Math.max(1, measureBody(body).segments),
    numMedia: files.length,
    mediaUrls: [],
    media: files.map((file) => createMedia(ctx, { accountSid, messageSid: sid }, file)),
    statusCallback: null,
    redaction: {},
    dateCreated: now,
    dateUpdated: now,
    dateSent: now,
  };
  message.mediaUrls = message.media.map((m) => apiMediaUrl(ctx, m));
  ctx.store.addMessage(message);
  return message;
}

function applyOptOut(ctx: SimContext, phone: string, senders: string[], type: OptOutType | null): void {
  if (type === 'STOP') ctx.store.optOut(phone, senders);
  if (type === 'START') ctx.store.optIn(phone, senders);
}

/**
 * Which webhook wins, as Twilio's API description has it: a pool number's messages go to its
 * service's InboundRequestUrl unless the service has UseInboundWebhookOnNumber; a service with
 * neither has inbound switched off, so the message is dropped and not logged. Otherwise the
 * number's SmsApplicationSid, when set, wins over all its own sms_* URLs, fallback included.
 */
function webhookRoute(ctx: SimContext, to: string, service: MessagingService | undefined): Route | 'drop' {
  if (service && !service.useInboundWebhookOnNumber) {
    if (!service.inboundRequestUrl) return 'drop';
    return {
      url: service.inboundRequestUrl, method: service.inboundMethod,
      fallbackUrl: service.fallbackUrl, fallbackMethod: service.fallbackMethod,
    };
  }
  const number = ctx.store.incomingNumbers.get(to);
  if (number) {
    const application = number.smsApplicationSid
      ? ctx.store.applicationOf(number.accountSid, number.smsApplicationSid)
      : undefined;
    // The simulator's applications keep no fallback URL of their own.
    if (application) return { url: application.smsUrl, method: application.smsMethod, fallbackUrl: '', fallbackMethod: 'POST' };
    return { url: number.smsUrl, method: number.smsMethod, fallbackUrl: number.smsFallbackUrl, fallbackMethod: number.smsFallbackMethod };
  }
  const code = ctx.store.shortCodes.get(to);
  return { url: code?.smsUrl ?? '', method: code?.smsMethod ?? 'POST', fallbackUrl: '', fallbackMethod: 'POST' };
}

function inboundParams(ctx: SimContext, m: SimMessage, optOut: OptOutType | null): Record<string, string> {
  const from = geography(m.from ?? '');
  const to = geography(m.to);
  const params: Record<string, string> = {
    ToCountry: to.country,
    ToState: to.state,
    SmsMessageSid: m.sid,
    NumMedia: String(m.media.length),
    ToCity: to.city,
    FromZip: from.zip,
    SmsSid: m.sid,
    FromState: from.state,
    SmsStatus: 'received',
    FromCity: from.city,
    Body: m.body,
    FromCountry: from.country,
    To: m.to,
    ToZip: to.zip,
    NumSegments: String(m.numSegments),
    MessageSid: m.sid,
    AccountSid: m.accountSid,
    From: m.from ?? '',
    ApiVersion: '2010-04-01',
  };
  if (m.messagingServiceSid) params.MessagingServiceSid = m.messagingServiceSid;
  if (optOut) params.OptOutType = optOut;
  m.media.forEach((media, i) => {
    params[`MediaContentType${i}`] = media.contentType;
    params[`MediaUrl${i}`] = apiMediaUrl(ctx, media);
  });
  return params;
}

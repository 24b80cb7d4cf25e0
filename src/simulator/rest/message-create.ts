import type { SimContext } from '../context.js';
import type { Account, MessagingService, Redaction, SimMessage } from '../model.js';
import { isAlphanumericSenderId, isE164, isNanp, isShortCode } from '../phone-numbers.js';
import { MAX_BODY_CHARACTERS, measureBody } from '../segments.js';
import { isSid, newSid } from '../sids.js';
import { badRequest } from './errors.js';
import { isHttpUrl, param, params, type Form } from './form.js';

const MAX_MEDIA = 10;

/**
 * Validates a Messages create as Twilio does and builds the message; throws the Twilio error
 * (all 400) for the first problem found. Codes: 21604 no To, 21603 no From or service,
 * 21705 malformed / 21701 unknown MessagingServiceSid, 21704 service without numbers,
 * 21659 From not a Twilio number, 21660 From owned by another account, 21606 From not
 * SMS-capable, 21211 invalid To, 21266 To equals From, 21602 no body and no media,
 * 21617 body over 1,600 characters, 21623 more than 10 media, 21620 bad media URL,
 * 21609 bad StatusCallback, 21610 recipient opted out of this sender, 21608 a Trial account
 * texting a number it has not verified, 21612 an alphanumeric or short code From that cannot
 * reach this To.
 */
export function buildOutboundMessage(ctx: SimContext, account: Account, form: Form): SimMessage {
  const to = param(form, 'To');
  if (!to) throw badRequest(21604, "A 'To' phone number is required.");
  const from = param(form, 'From') || null;
  const service = serviceFor(ctx, account, param(form, 'MessagingServiceSid'));
  if (!from && !service) throw badRequest(21603, "A 'From' phone number is required.");
  const alphanumeric = from !== null && isAlphanumericSender(from);
  if (from && !alphanumeric) checkFrom(ctx, account, from);
  if (!isE164(to)) throw badRequest(21211, `The 'To' number ${to} is not a valid phone number.`);
  if (to === from) throw badRequest(21266, "'To' and 'From' number cannot be the same.");
  if (alphanumeric && from) checkAlphanumericReach(account, from, to);
  // The simulator's short codes are US ones, and a US short code reaches only US and Canadian phones.
  if (from && isShortCode(from) && !isNanp(to)) throw unreachable(from, to);
  if (account.type === 'Trial' && !account.verifiedNumbers.includes(to)) {
    throw badRequest(21608, `The number ${to} is unverified. Trial accounts cannot send messages to unverified numbers; verify ${to} at twilio.com/user/account/phone-numbers/verified, or purchase a Twilio number to send messages to unverified numbers.`);
  }

  const givenBody = param(form, 'Body') ?? '';
  const mediaUrls = params(form, 'MediaUrl');
  const measured = checkContent(givenBody, mediaUrls);
  const body = trialPrefix(account) + givenBody;
  const given = param(form, 'StatusCallback') || null;
  if (given && !isHttpUrl(given)) throw badRequest(21609, 'Invalid StatusCallback URL');
  // Without one of its own, a service send reports to the service's StatusCallback.
  const statusCallback = given ?? (service?.statusCallback || null);

  const senders = [...(from ? [from] : []), ...(service ? [service.sid, ...service.phoneNumbers] : [])];
  if (ctx.store.isOptedOut(to, senders)) throw badRequest(21610, 'Attempt to send to unsubscribed recipient');

  const now = new Date();
  return {
    sid: newSid(mediaUrls.length > 0 ? 'MM' : 'SM'),
    accountSid: account.sid,
    direction: 'outbound-api',
    from,
    to,
    body,
    // A service send is `accepted` until it picks a sender; a direct send is `queued` at once.
    status: service ? 'accepted' : 'queued',
    errorCode: null,
    errorMessage: null,
    messagingServiceSid: service?.sid ?? null,
    numSegments: Math.max(1, (body === givenBody ? measured : measureBody(body)).segments),
    numMedia: mediaUrls.length,
    mediaUrls,
    media: [],
    statusCallback,
    redaction: retention(form),
    dateCreated: now,
    dateUpdated: now,
    dateSent: null,
  };
}

function serviceFor(ctx: SimContext, account: Account, sid: string | undefined): MessagingService | undefined {
  if (!sid) return undefined;
  if (!isSid('MG', sid)) throw badRequest(21705, `The Messaging Service Sid ${sid} is invalid.`);
  const service = ctx.store.services.get(sid);
  if (!service || service.accountSid !== account.sid) {
    throw badRequest(21701, `The Messaging Service Sid ${sid} does not exist or does not belong to this account.`);
  }
  if (service.phoneNumbers.length === 0) {
    throw badRequest(21704, `The Messaging Service ${sid} contains no phone numbers.`);
  }
  return service;
}

/**
 * ContentRetention (retain | discard) and AddressRetention (retain | obfuscate): one send's
 * exception to the account's Message Redaction, as Twilio's redaction guide describes.
 */
function retention(form: Form): Partial<Redaction> {
  const content = param(form, 'ContentRetention');
  const address = param(form, 'AddressRetention');
  if (content !== undefined && content !== 'retain' && content !== 'discard') {
    throw badRequest(20001, `ContentRetention must be retain or discard, not ${content}`);
  }
  if (address !== undefined && address !== 'retain' && address !== 'obfuscate') {
    throw badRequest(20001, `AddressRetention must be retain or obfuscate, not ${address}`);
  }
  return {
    ...(content === undefined ? {} : { body: content === 'discard' }),
    ...(address === undefined ? {} : { phoneNumbers: address === 'obfuscate' }),
  };
}

/**
 * Twilio marks every message a Trial account sends (its trial-account documentation), and the
 * marked body is what its API shows.
 */
function trialPrefix(account: Account): string {
  return account.type === 'Trial' ? 'Sent from your Twilio trial account - ' : '';
}

function isAlphanumericSender(from: string): boolean {
  return !isE164(from) && !isShortCode(from) && isAlphanumericSenderId(from);
}

/**
 * Alphanumeric Sender IDs need an upgraded (Full) account and a destination that accepts them;
 * the North American plan does not. Twilio refuses the pair with 21612.
 */
function checkAlphanumericReach(account: Account, from: string, to: string): void {
  if (account.type === 'Trial' || isNanp(to)) throw unreachable(from, to);
}

const unreachable = (from: string, to: string) =>
  badRequest(21612, `The 'To' phone number: ${to}, is not currently reachable using the 'From' phone number: ${from} via SMS.`);

function checkFrom(ctx: SimContext, account: Account, from: string): void {
  const owner = ctx.store.ownerOf(from);
  if (!owner) {
    throw badRequest(21659, `'From' ${from} is not a Twilio phone number or Short Code country mismatch`);
  }
  if (owner.accountSid !== account.sid) {
    throw badRequest(21660, `Mismatch between the 'From' number ${from} and the account ${account.sid}`);
  }
  if (!owner.smsCapable) {
    throw badRequest(21606, `The 'From' phone number provided (${from}) is not a valid message-capable Twilio phone number for this destination/account`);
  }
}

/** Returns the body's measure, so the calculator runs once per message. */
function checkContent(body: string, mediaUrls: string[]): { characters: number; segments: number } {
  if (body === '' && mediaUrls.length === 0) throw badRequest(21602, 'Message body is required.');
  const measured = measureBody(body);
  if (measured.characters > MAX_BODY_CHARACTERS) {
    throw badRequest(21617, 'The concatenated message body exceeds the 1600 character limit.');
  }
  if (mediaUrls.length > MAX_MEDIA) throw badRequest(21623, 'Number of media files exceeds allowed limit');
  if (!mediaUrls.every(isHttpUrl)) throw badRequest(21620, 'Invalid media URL(s)');
  return measured;
}

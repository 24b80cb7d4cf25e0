import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.js';
import type { IncomingNumber } from '../model.js';
import { requestAccount } from './auth.js';
import { badRequest, notFound, requestPath } from './errors.js';
import { asForm, param, type Form } from './form.js';
import { page2010 } from './paging.js';
import { presentIncomingNumber } from './presenters.js';
import { assignDefined, methodParam, urlParam } from './webhook-settings.js';

type AccountParams = { accountSid: string };
type NumberParams = AccountParams & { sid: string };

/** IncomingPhoneNumbers: the account's own numbers — list, fetch, update, buy, release. */
export function registerIncomingNumbers(api: FastifyInstance, ctx: SimContext): void {
  const owned = (accountSid: string): IncomingNumber[] =>
    [...ctx.store.incomingNumbers.values()].filter((n) => n.accountSid === accountSid);
  const find = (accountSid: string, sid: string): IncomingNumber | undefined =>
    owned(accountSid).find((n) => n.sid === sid);

  api.get<{ Params: AccountParams }>('/Accounts/:accountSid/IncomingPhoneNumbers.json', async (request) => {
    const account = requestAccount(request, request.params.accountSid);
    const query = asForm(request.query);
    const filters: Record<string, string> = {};
    const phoneNumber = param(query, 'PhoneNumber');
    if (phoneNumber) filters.PhoneNumber = phoneNumber;
    const friendlyName = param(query, 'FriendlyName');
    if (friendlyName) filters.FriendlyName = friendlyName;
    const numbers = owned(account.sid).filter(
      (n) => (!phoneNumber || numberPattern(phoneNumber).test(n.phoneNumber)) &&
        (!friendlyName || n.friendlyName === friendlyName),
    );
    return page2010(request, numbers, {
      key: 'incoming_phone_numbers', sidOf: (n) => n.sid, present: presentIncomingNumber, filters,
    });
  });

  api.get<{ Params: NumberParams }>('/Accounts/:accountSid/IncomingPhoneNumbers/:sid.json', async (request) => {
    const account = requestAccount(request, request.params.accountSid);
    const number = find(account.sid, request.params.sid);
    if (!number) throw notFound(requestPath(request));
    return presentIncomingNumber(number);
  });

  api.post<{ Params: NumberParams }>('/Accounts/:accountSid/IncomingPhoneNumbers/:sid.json', async (request) => {
    const account = requestAccount(request, request.params.accountSid);
    const number = find(account.sid, request.params.sid);
    if (!number) throw notFound(requestPath(request));
    assignDefined(number, readSettings(ctx, account.sid, asForm(request.body)));
    number.dateUpdated = new Date();
    return presentIncomingNumber(number);
  });

  api.post<{ Params: AccountParams }>('/Accounts/:accountSid/IncomingPhoneNumbers.json', async (request, reply) => {
    const account = requestAccount(request, request.params.accountSid);
    const form = asForm(request.body);
    const wanted = chooseNumberToBuy(ctx, form);
    const settings = readSettings(ctx, account.sid, form); // refused before anything is bought
    const number = ctx.store.buyNumber(account.sid, wanted);
    if (!number) throw badRequest(21422, `PhoneNumber ${wanted} is not available.`);
    assignDefined(number, settings);
    return reply.code(201).send(presentIncomingNumber(number));
  });

  api.delete<{ Params: NumberParams }>('/Accounts/:accountSid/IncomingPhoneNumbers/:sid.json', async (request, reply) => {
    const account = requestAccount(request, request.params.accountSid);
    const number = find(account.sid, request.params.sid);
    if (!number) throw notFound(requestPath(request));
    ctx.store.incomingNumbers.delete(number.phoneNumber);
    const service = ctx.store.serviceContaining(number.phoneNumber);
    if (service) service.phoneNumbers = service.phoneNumbers.filter((p) => p !== number.phoneNumber);
    return reply.code(204).send();
  });
}

/** PhoneNumber accepts partial numbers and `*` for any digit, as Twilio's filter does. */
function numberPattern(filter: string): RegExp {
  // A '+' sent unencoded arrives as a space.
  const cleaned = filter.trim().replace(/^(?=\d{11,})/, '+');
  const escaped = cleaned.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '\\d');
  return new RegExp(escaped);
}

function chooseNumberToBuy(ctx: SimContext, form: Form): string {
  const phoneNumber = param(form, 'PhoneNumber');
  if (phoneNumber) return phoneNumber;
  const areaCode = param(form, 'AreaCode');
  if (!areaCode) throw badRequest(21452, 'A PhoneNumber or AreaCode is required.');
  const match = ctx.store.availableNumbers.find((n) => n.country === 'US' && n.phoneNumber.slice(2, 5) === areaCode);
  if (!match) throw badRequest(21452, `No phone numbers found in area code ${areaCode}.`);
  return match.phoneNumber;
}

function readSettings(ctx: SimContext, accountSid: string, form: Form): Partial<IncomingNumber> {
  return {
    friendlyName: param(form, 'FriendlyName'),
    smsUrl: urlParam(form, 'SmsUrl'),
    smsMethod: methodParam(form, 'SmsMethod'),
    smsApplicationSid: applicationParam(ctx, accountSid, form),
    smsFallbackUrl: urlParam(form, 'SmsFallbackUrl'),
    smsFallbackMethod: methodParam(form, 'SmsFallbackMethod'),
    statusCallback: urlParam(form, 'StatusCallback'),
    statusCallbackMethod: methodParam(form, 'StatusCallbackMethod'),
  };
}

/** SmsApplicationSid: '' clears it; anything else must be one of the account's Applications. */
function applicationParam(ctx: SimContext, accountSid: string, form: Form): string | undefined {
  const sid = param(form, 'SmsApplicationSid');
  if (sid === undefined || sid === '') return sid;
  if (!ctx.store.applicationOf(accountSid, sid)) {
    throw badRequest(20001, `SmsApplicationSid ${sid} is not an Application of this account; create it or send '' to clear it.`);
  }
  return sid;
}

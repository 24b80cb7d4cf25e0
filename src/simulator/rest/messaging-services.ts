import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.js';
import type { IncomingNumber, MessagingService } from '../model.js';
import { requestAccount } from './auth.js';
import { badRequest, notFound, requestPath, TwilioApiError } from './errors.js';
import { asForm, boolParam, param } from './form.js';
import { presentService, presentServicePhoneNumber } from './messaging-presenters.js';
import { pageV1 } from './paging.js';
import { assignDefined, methodParam, urlParam } from './webhook-settings.js';

type ServiceParams = { sid: string };

/** messaging.twilio.com/v1/Services: list, fetch, update (inbound settings), and its PhoneNumbers pool. */
export function registerMessagingServices(api: FastifyInstance, ctx: SimContext): void {
  // v1 answers absolute URLs; build them on the host the client used.
  const baseUrl = (request: FastifyRequest): string => `${request.protocol}://${request.host}`;
  const find = (request: FastifyRequest<{ Params: ServiceParams }>): MessagingService => {
    const account = requestAccount(request);
    const service = ctx.store.services.get(request.params.sid);
    if (!service || service.accountSid !== account.sid) throw notFound(requestPath(request));
    return service;
  };

  api.get('/Services', async (request) => {
    const account = requestAccount(request);
    const services = [...ctx.store.services.values()].filter((s) => s.accountSid === account.sid);
    const base = baseUrl(request);
    return pageV1(request, services, { key: 'services', baseUrl: base, sidOf: (s) => s.sid, present: (s) => presentService(s, base) });
  });

  api.get<{ Params: ServiceParams }>('/Services/:sid', async (request) => presentService(find(request), baseUrl(request)));

  api.post<{ Params: ServiceParams }>('/Services/:sid', async (request) => {
    const service = find(request);
    const form = asForm(request.body);
    assignDefined(service, {
      friendlyName: param(form, 'FriendlyName'),
      inboundRequestUrl: urlParam(form, 'InboundRequestUrl'),
      inboundMethod: methodParam(form, 'InboundMethod'),
      useInboundWebhookOnNumber: boolParam(form, 'UseInboundWebhookOnNumber'),
      fallbackUrl: urlParam(form, 'FallbackUrl'),
      fallbackMethod: methodParam(form, 'FallbackMethod'),
      statusCallback: urlParam(form, 'StatusCallback'),
    });
    service.dateUpdated = new Date();
    return presentService(service, baseUrl(request));
  });

  api.get<{ Params: ServiceParams }>('/Services/:sid/PhoneNumbers', async (request) => {
    const service = find(request);
    const base = baseUrl(request);
    return pageV1(request, poolNumbers(ctx, service), {
      key: 'phone_numbers', baseUrl: base, sidOf: (n) => n.sid, present: (n) => presentServicePhoneNumber(n, service.sid, base),
    });
  });

  api.post<{ Params: ServiceParams }>('/Services/:sid/PhoneNumbers', async (request, reply) => {
    const service = find(request);
    const number = numberToPool(ctx, service, param(asForm(request.body), 'PhoneNumberSid'));
    service.phoneNumbers.push(number.phoneNumber);
    service.dateUpdated = new Date();
    return reply.code(201).send(presentServicePhoneNumber(number, service.sid, baseUrl(request)));
  });

  type PoolParams = { Params: ServiceParams & { numberSid: string } };
  const pooled = (request: FastifyRequest<PoolParams>, service: MessagingService): IncomingNumber => {
    const number = poolNumbers(ctx, service).find((n) => n.sid === request.params.numberSid);
    if (!number) throw notFound(requestPath(request));
    return number;
  };

  api.get<PoolParams>('/Services/:sid/PhoneNumbers/:numberSid', async (request) => {
    const service = find(request);
    return presentServicePhoneNumber(pooled(request, service), service.sid, baseUrl(request));
  });

  api.delete<PoolParams>('/Services/:sid/PhoneNumbers/:numberSid', async (request, reply) => {
    const service = find(request);
    ctx.store.removeFromService(service, pooled(request, service).phoneNumber);
    return reply.code(204).send();
  });
}

/**
 * The account's number a PhoneNumbers create names. A number sits in one service at most:
 * 21710 when it is already in this one, 21712 when another service holds it.
 */
function numberToPool(ctx: SimContext, service: MessagingService, sid: string | undefined): IncomingNumber {
  if (!sid) throw badRequest(20001, 'Missing required parameter PhoneNumberSid in the post body');
  const number = [...ctx.store.incomingNumbers.values()].find((n) => n.sid === sid && n.accountSid === service.accountSid);
  if (!number) throw new TwilioApiError(404, 20404, `The requested resource PhoneNumber ${sid} was not found in this account`);
  const holder = ctx.store.serviceContaining(number.phoneNumber);
  if (holder?.sid === service.sid) throw new TwilioApiError(409, 21710, `Phone Number ${sid} is already in Messaging Service ${service.sid}`);
  if (holder) throw badRequest(21712, `Phone Number ${sid} is already in Messaging Service ${holder.sid}; remove it there first`);
  return number;
}

function poolNumbers(ctx: SimContext, service: MessagingService): IncomingNumber[] {
  return service.phoneNumbers
    .map((phone) => ctx.store.incomingNumbers.get(phone))
    .filter((n): n is IncomingNumber => n !== undefined);
}

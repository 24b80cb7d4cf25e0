import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.js';
import type { Application } from '../model.js';
import { requestAccount } from './auth.js';
import { notFound, requestPath } from './errors.js';
import { asForm, param, type Form } from './form.js';
import { page2010 } from './paging.js';
import { presentApplication } from './presenters.js';
import { assignDefined, methodParam, urlParam } from './webhook-settings.js';

type AccountParams = { accountSid: string };
type ApplicationParams = AccountParams & { sid: string };

/** Applications (TwiML Apps): list (FriendlyName filter), create, fetch, update, delete. */
export function registerApplications(api: FastifyInstance, ctx: SimContext): void {
  const owned = (accountSid: string): Application[] =>
    [...ctx.store.applications.values()].filter((a) => a.accountSid === accountSid);
  const find = (request: FastifyRequest<{ Params: ApplicationParams }>, accountSid: string): Application => {
    const application = ctx.store.applicationOf(accountSid, request.params.sid);
    if (!application) throw notFound(requestPath(request));
    return application;
  };

  api.get<{ Params: AccountParams }>('/Accounts/:accountSid/Applications.json', async (request) => {
    const account = requestAccount(request, request.params.accountSid);
    const friendlyName = param(asForm(request.query), 'FriendlyName');
    const applications = owned(account.sid).filter((a) => !friendlyName || a.friendlyName === friendlyName);
    return page2010(request, applications, {
      key: 'applications', sidOf: (a) => a.sid, present: presentApplication,
      filters: friendlyName ? { FriendlyName: friendlyName } : {},
    });
  });

  api.post<{ Params: AccountParams }>('/Accounts/:accountSid/Applications.json', async (request, reply) => {
    const account = requestAccount(request, request.params.accountSid);
    const settings = readSettings(asForm(request.body));
    const application = ctx.store.addApplication(account.sid);
    assignDefined(application, settings);
    return reply.code(201).send(presentApplication(application));
  });

  api.get<{ Params: ApplicationParams }>('/Accounts/:accountSid/Applications/:sid.json', async (request) => {
    const account = requestAccount(request, request.params.accountSid);
    return presentApplication(find(request, account.sid));
  });

  api.post<{ Params: ApplicationParams }>('/Accounts/:accountSid/Applications/:sid.json', async (request) => {
    const account = requestAccount(request, request.params.accountSid);
    const application = find(request, account.sid);
    assignDefined(application, readSettings(asForm(request.body)));
    application.dateUpdated = new Date();
    return presentApplication(application);
  });

  api.delete<{ Params: ApplicationParams }>('/Accounts/:accountSid/Applications/:sid.json', async (request, reply) => {
    const account = requestAccount(request, request.params.accountSid);
    ctx.store.deleteApplication(find(request, account.sid));
    return reply.code(204).send();
  });
}

function readSettings(form: Form): Partial<Application> {
  return {
    friendlyName: param(form, 'FriendlyName'),
    smsUrl: urlParam(form, 'SmsUrl'),
    smsMethod: methodParam(form, 'SmsMethod'),
  };
}

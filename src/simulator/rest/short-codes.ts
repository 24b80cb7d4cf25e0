import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.js';
import type { ShortCode } from '../model.js';
import { requestAccount } from './auth.js';
import { notFound, requestPath } from './errors.js';
import { asForm, param } from './form.js';
import { page2010 } from './paging.js';
import { presentShortCode } from './presenters.js';
import { assignDefined, methodParam, urlParam } from './webhook-settings.js';

type AccountParams = { accountSid: string };
type CodeParams = AccountParams & { sid: string };

/** SMS/ShortCodes: list (ShortCode, FriendlyName filters), fetch and update the SMS URL. */
export function registerShortCodes(api: FastifyInstance, ctx: SimContext): void {
  const owned = (accountSid: string): ShortCode[] =>
    [...ctx.store.shortCodes.values()].filter((c) => c.accountSid === accountSid);
  const find = (accountSid: string, sid: string): ShortCode | undefined => owned(accountSid).find((c) => c.sid === sid);

  api.get<{ Params: AccountParams }>('/Accounts/:accountSid/SMS/ShortCodes.json', async (request) => {
    const account = requestAccount(request, request.params.accountSid);
    const query = asForm(request.query);
    const filters: Record<string, string> = {};
    const shortCode = param(query, 'ShortCode');
    if (shortCode) filters.ShortCode = shortCode;
    const friendlyName = param(query, 'FriendlyName');
    if (friendlyName) filters.FriendlyName = friendlyName;
    const codes = owned(account.sid).filter(
      (c) => (!shortCode || c.shortCode === shortCode) && (!friendlyName || c.friendlyName === friendlyName),
    );
    return page2010(request, codes, { key: 'short_codes', sidOf: (c) => c.sid, present: presentShortCode, filters });
  });

  api.get<{ Params: CodeParams }>('/Accounts/:accountSid/SMS/ShortCodes/:sid.json', async (request) => {
    const account = requestAccount(request, request.params.accountSid);
    const code = find(account.sid, request.params.sid);
    if (!code) throw notFound(requestPath(request));
    return presentShortCode(code);
  });

  api.post<{ Params: CodeParams }>('/Accounts/:accountSid/SMS/ShortCodes/:sid.json', async (request) => {
    const account = requestAccount(request, request.params.accountSid);
    const code = find(account.sid, request.params.sid);
    if (!code) throw notFound(requestPath(request));
    const form = asForm(request.body);
    assignDefined(code, {
      friendlyName: param(form, 'FriendlyName'),
      smsUrl: urlParam(form, 'SmsUrl'),
      smsMethod: methodParam(form, 'SmsMethod'),
    });
    code.dateUpdated = new Date();
    return presentShortCode(code);
  });
}

import type { FastifyInstance } from 'fastify';
import { requestAccount } from './auth.js';
import { presentAccount } from './presenters.js';

/** `GET /Accounts/{Sid}.json`: how a client checks its credentials. */
export function registerAccounts(api: FastifyInstance): void {
  api.get<{ Params: { accountSid: string } }>('/Accounts/:accountSid.json', async (request) =>
    presentAccount(requestAccount(request, request.params.accountSid)),
  );
}

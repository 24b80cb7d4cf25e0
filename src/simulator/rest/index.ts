import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.js';
import { registerAccounts } from './accounts.js';
import { registerApplications } from './applications.js';
import { basicAuthHook } from './auth.js';
import { registerAvailableNumbers } from './available-numbers.js';
import { notFound, requestPath, sendTwilioError } from './errors.js';
import { accountLoadHook, restFaultHook } from './fault-hook.js';
import { registerIncomingNumbers } from './incoming-numbers.js';
import { registerMedia } from './media.js';
import { registerMessages } from './messages.js';
import { registerMessagingServices } from './messaging-services.js';
import { registerShortCodes } from './short-codes.js';

/**
 * The REST API on Twilio's paths: api.twilio.com's /2010-04-01 and messaging.twilio.com's /v1,
 * both on one listener. Every call goes through fault injection, basic auth, then the account's
 * load (its answer time and concurrency limit).
 */
export async function registerRestApi(app: FastifyInstance, ctx: SimContext): Promise<void> {
  const load = accountLoadHook(ctx);
  const guarded = (api: FastifyInstance): void => {
    api.addHook('onRequest', restFaultHook(ctx));
    api.addHook('onRequest', basicAuthHook(ctx));
    api.addHook('onRequest', load);
    api.setNotFoundHandler((request, reply) => sendTwilioError(reply, notFound(requestPath(request))));
  };

  await app.register(
    async (api) => {
      guarded(api);
      registerAccounts(api);
      registerMessages(api, ctx);
      registerMedia(api, ctx);
      registerIncomingNumbers(api, ctx);
      registerAvailableNumbers(api, ctx);
      registerShortCodes(api, ctx);
      registerApplications(api, ctx);
    },
    { prefix: '/2010-04-01' },
  );

  await app.register(
    async (api) => {
      guarded(api);
      registerMessagingServices(api, ctx);
    },
    { prefix: '/v1' },
  );
}

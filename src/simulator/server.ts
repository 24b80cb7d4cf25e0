import formbody from '@fastify/formbody';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { SimContext } from './context.js';
import { ControlError } from './control-error.js';
import { registerPhonePage } from './control/phone-page.js';
import { registerControlApi } from './control/routes.js';
import type { SimOperations } from './operations.js';
import { sendTwilioError, serverError, TwilioApiError } from './rest/errors.js';
import { registerRestApi } from './rest/index.js';

/** The main listener: Twilio's REST API, the /_sim/ control API and the phone page. */
export async function buildApiServer(ctx: SimContext, operations: SimOperations, logger: boolean): Promise<FastifyInstance> {
  // forceCloseConnections: stop() must not wait for requests the fault injection holds open.
  const app = Fastify({ logger, forceCloseConnections: true });
  await app.register(formbody);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof TwilioApiError) return sendTwilioError(reply, error);
    if (error instanceof ControlError) return reply.code(error.status).send({ error: error.message });
    const status = error.statusCode ?? 500;
    if (request.url.startsWith('/_sim/')) return reply.code(status).send({ error: error.message });
    if (status >= 500) {
      ctx.log(`REST ${request.method} ${request.url} failed: ${error.stack ?? error.message}`);
      return sendTwilioError(reply, serverError());
    }
    return sendTwilioError(reply, new TwilioApiError(status, 20001, error.message));
  });
  await registerRestApi(app, ctx);
  registerControlApi(app, operations);
  registerPhonePage(app);
  return app;
}

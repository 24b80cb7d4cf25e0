import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Context } from '../context.js';
import { MAX_MEDIA_BYTES } from '../domain/media-type.js';
import { authHooks } from './auth.js';
import { registerRoutes } from './routes.js';
import { registerErrorHandling } from './errors.js';
import { registerMetrics } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { opsRoutes, Readiness } from './ops.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';
import { registerSecurityHeaders } from './security-headers.js';
import { registerWebApp } from './static.js';

/** Named in the OpenAPI document; package.json's version. */
const PARLEY_VERSION = '0.1.0';

/** Secrets never reach a log line, whatever a handler logs. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
  'res.headers["set-cookie"]',
  '*.authToken',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
];

export async function buildApp(ctx: Context, readiness = new Readiness()): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    genReqId: requestIdOf,
    // A request that reaches us while we drain is still served (the database stays open until
    // the last one is done); a 503 would fail a webhook that another process could have taken.
    return503OnClosing: false,
    // JSON bodies need far less; uploads and Twilio's webhooks have limits of their own.
    bodyLimit: 1024 * 1024,
    // One line per request is noise at info level; debug and trace keep them.
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: ctx.config.logLevel !== 'debug' && ctx.config.logLevel !== 'trace' }),
  });
  app.addHook('onRequest', async (req, reply) => {
    reply.header(REQUEST_ID_HEADER, req.id);
  });
  registerErrorHandling(app);
  await registerSecurityHeaders(app);
  await app.register(cookie);
  // Uploads are one picture of at most 5 MB (docs/api.md); a larger file is a 413.
  await app.register(multipart, { limits: { fileSize: MAX_MEDIA_BYTES, files: 1, fields: 10, parts: 11, fieldSize: 1024 } });

  const auth = authHooks(ctx);
  registerOpenApi(app, auth, PARLEY_VERSION);
  opsRoutes(app, ctx, readiness);
  registerMetrics(app, ctx);
  // A worker answers only its own health, readiness and metrics (its sends are counted there).
  if (ctx.config.role === 'worker') return app;
  registerRoutes(app, ctx, auth);
  await registerWebApp(app);
  return app;
}

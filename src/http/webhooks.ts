import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

/** Twilio's webhooks are capped at 64 KiB, whatever the body claims to be (docs/rules.md#the-webhooks-steps, step 1). */
export const TWILIO_WEBHOOK_MAX_BYTES = 64 * 1024;

/**
 * Registers Twilio's webhook routes in a scope of their own that reads only what Twilio sends:
 * form bodies of at most 64 KiB. Anything else is read up to the same limit (413 past it) and
 * refused with 415, so a JSON or text body never reaches the signature check or the database.
 * The rest of the app never parses form bodies: a cross-site HTML form cannot post to the API.
 */
export function twilioWebhookRoutes(app: FastifyInstance, routes: (scope: FastifyInstance) => void): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    await scope.register(formbody, { bodyLimit: TWILIO_WEBHOOK_MAX_BYTES });
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: TWILIO_WEBHOOK_MAX_BYTES }, (request, _body, done) => {
      const type = request.headers['content-type'] ?? '(none)';
      done(new AppError('unsupported_media_type', `Content-Type ${type} is not accepted: Twilio webhooks are application/x-www-form-urlencoded`), undefined);
    });
    routes(scope);
  });
}

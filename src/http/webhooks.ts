import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { SignatureMismatch } from '../features/twilio/webhook.js';
import type { Metrics } from '../metrics.js';

/** Twilio's webhooks are capped at 64 KiB, whatever the body claims to be (docs/rules.md#the-webhooks-steps, step 1). */
export const TWILIO_WEBHOOK_MAX_BYTES = 64 * 1024;

/**
 * Registers Twilio's webhook routes in a scope of their own that reads only what Twilio sends:
 * form bodies of at most 64 KiB. Anything else is read up to the same limit (413 past it) and
 * refused with 415, so a JSON or text body never reaches the signature check or the database.
 * The rest of the app never parses form bodies: a cross-site HTML form cannot post to the API.
 */
export function twilioWebhookRoutes(app: FastifyInstance, counted: { metrics: Metrics; webhook: 'message' | 'status' }, routes: (scope: FastifyInstance) => void): void {
  app.register(async (scope) => {
    scope.addHook('onError', async (req, _reply, err) => void outcomes.set(req, refusalReason(err)));
    scope.addHook('onResponse', async (req, reply) => {
      const outcome = outcomes.get(req) ?? (reply.statusCode < 300 ? 'applied' : `status_${reply.statusCode}`);
      counted.metrics.webhooks.inc({ webhook: counted.webhook, outcome });
    });
    scope.removeAllContentTypeParsers();
    await scope.register(formbody, { bodyLimit: TWILIO_WEBHOOK_MAX_BYTES });
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: TWILIO_WEBHOOK_MAX_BYTES }, (request, _body, done) => {
      const type = request.headers['content-type'] ?? '(none)';
      done(new AppError('unsupported_media_type', `Content-Type ${type} is not accepted: Twilio webhooks are application/x-www-form-urlencoded`), undefined);
    });
    routes(scope);
  });
}

const outcomes = new WeakMap<FastifyRequest, string>();

/** What a webhook came to (stored, duplicate…), for parley_webhooks_total; refusals are named by the hook above. */
export function setWebhookOutcome(req: FastifyRequest, outcome: string): void {
  outcomes.set(req, outcome);
}

/** The refusal's reason as an operator reads it on a dashboard (docs/operations.md#metrics). */
function refusalReason(err: Error & { statusCode?: number }): string {
  if (err instanceof SignatureMismatch) return 'bad_signature';
  if (err instanceof AppError) {
    const reasons: Partial<Record<AppError['code'], string>> = {
      forbidden: 'unknown_account',
      bad_request: 'missing_fields',
      not_found: 'unknown_sender',
      unsupported_media_type: 'unsupported_media_type',
      payload_too_large: 'too_large',
    };
    return reasons[err.code] ?? err.code;
  }
  return err.statusCode === 413 ? 'too_large' : 'error';
}

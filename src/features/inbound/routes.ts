import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.js';
import { setWebhookOutcome, twilioWebhookRoutes } from '../../http/webhooks.js';
import { twilioWebhookOf } from '../twilio/routes.js';
import { receiveInboundMessage } from './service.js';

/** Twilio reads a reply from the answer; an empty one means "send nothing back". */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * Twilio's inbound message webhook. Refusals are AppErrors the error handler maps to their
 * statuses (413 size and 415 type in twilioWebhookRoutes, 403 account or signature, 400 fields,
 * 404 sender); a 200 leaves only after the commit, so Twilio retries anything we did not keep.
 */
export function inboundRoutes(app: FastifyInstance, ctx: Context) {
  twilioWebhookRoutes(app, { metrics: ctx.metrics, webhook: 'message' }, (scope) =>
    scope.post('/webhooks/twilio/messages', async (req, reply) => {
      setWebhookOutcome(req, await receiveInboundMessage(ctx, twilioWebhookOf(req)));
      return reply.status(200).header('Content-Type', 'text/xml').send(EMPTY_TWIML);
    }),
  );
}

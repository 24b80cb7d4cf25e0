import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { countSegments } from '../../domain/segments.js';
import { stripControls } from '../../domain/text.js';
import { authOf, type AuthHooks } from '../../http/auth.js';
import { twilioWebhookRoutes } from '../../http/webhooks.js';
import { id, parse, text } from '../../http/validate.js';
import { twilioWebhookOf } from '../twilio/routes.js';
import * as outbound from './service.js';
import { receiveStatusCallback } from './status.js';

// Generous bounds: the service's own checks give the readable refusal (1,600 characters, 10 pictures).
const body = text().max(100_000, 'is far longer than the 1,600 characters a message may have');
const mediaIds = z.array(text().min(1).max(64)).max(100);
const ref = text().min(1, 'must not be empty').max(64);

/** What an agent sends: a body and pictures. */
export const messageContent = { body: body.default(''), mediaIds: mediaIds.optional() };
/** Texting a customer first (POST /api/conversations, with the conversation routes). */
export const startInput = z.object({ senderId: ref, customerId: ref.optional(), phone: text().max(64).optional(), ...messageContent }).strict();
const reply = z.object(messageContent).strict();
const segmentsInput = z.object({ body }).strict();

/** Sending (docs/rules.md#outbound-messages and docs/api.md): replies, retries, the segment counter, delivery status. */
export function outboundRoutes(app: FastifyInstance, ctx: Context, auth: AuthHooks) {
  app.post('/api/conversations/:id/messages', { preHandler: auth.requireUser, schema: { body: reply } }, async (req, res) => {
    const conversationId = parse(id, req.params).id;
    const message = await outbound.sendReply(ctx, authOf(req), conversationId, parse(reply, req.body));
    return res.status(202).send(message);
  });

  app.post('/api/messages/:id/retry', { preHandler: auth.requireUser }, async (req, res) => {
    const message = await outbound.retryMessage(ctx, authOf(req), parse(id, req.params).id);
    return res.status(202).send(message);
  });

  app.post('/api/sms/segments', { preHandler: auth.requireUser, schema: { body: segmentsInput } }, async (req) => countSegments(parse(segmentsInput, req.body).body));

  twilioWebhookRoutes(app, { metrics: ctx.metrics, webhook: 'status' }, (scope) =>
    scope.post('/webhooks/twilio/status', async (req, res) => {
      const attempt = (req.query as Record<string, unknown> | undefined)?.attempt;
      await receiveStatusCallback(ctx, twilioWebhookOf(req), typeof attempt === 'string' ? stripControls(attempt) : undefined);
      return res.type('text/xml').send('<Response/>');
    }),
  );
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { isAccountSid } from '../../domain/phone.js';
import { authOf, type AuthHooks } from '../../http/auth.js';
import { id, parse, text } from '../../http/validate.js';
import { availableNumbers, incomingNumbers } from './numbers.js';
import { addSender, listActiveSenders, removeSender, updateSender, type AddSenderInput } from './senders.js';
import { connect, disconnect, integrationView } from './service.js';
import { formParams, type TwilioWebhook } from './webhook.js';

const credentials = z
  .object({
    accountSid: text().trim().refine(isAccountSid, 'must be AC followed by 32 lowercase hexadecimal characters, as shown in the Twilio console'),
    // Only the length is ever described: the value itself must not reach a message or a log.
    authToken: text().trim().min(1, 'must not be empty').max(200, 'is too long to be a Twilio Auth Token'),
  })
  .strict();

const replaceWebhook = z.boolean().optional();
const senderType = z.object({ type: z.enum(['phone_number', 'short_code', 'messaging_service']) }).loose();
const senderBodies = {
  phone_number: z.object({ type: z.literal('phone_number'), phoneNumber: text().min(1, 'must not be empty').max(40), purchase: z.boolean().optional(), replaceWebhook }).strict(),
  short_code: z.object({ type: z.literal('short_code'), shortCode: text().min(1, 'must not be empty').max(10), replaceWebhook }).strict(),
  messaging_service: z.object({ type: z.literal('messaging_service'), messagingServiceSid: text().trim().min(1, 'must not be empty').max(64), replaceWebhook }).strict(),
};

/** For the OpenAPI document; the handler picks the one schema of the body's type. */
const anySender = z.discriminatedUnion('type', [senderBodies.phone_number, senderBodies.short_code, senderBodies.messaging_service]);

const senderChanges = z
  .object({ ratePerSecond: z.number().gt(0, 'must be more than 0 segments per second').max(1000, 'must be at most 1000 segments per second') })
  .strict();

const availableQuery = z
  .object({
    country: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code such as US')
      .transform((c) => c.toUpperCase())
      .default('US'),
    areaCode: z
      .string()
      .regex(/^\d{3}$/, 'must be 3 digits')
      .transform(Number)
      .optional(),
    contains: z
      .string()
      .regex(/^[0-9A-Za-z*]{1,16}$/, 'must be up to 16 digits, letters or *')
      .optional(),
    mmsEnabled: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
  })
  .strict();

export function twilioRoutes(app: FastifyInstance, ctx: Context, auth: AuthHooks) {
  const admin = { preHandler: auth.requireAdmin };

  app.get('/api/integrations/twilio', admin, (req) => integrationView(ctx, authOf(req)));
  app.put('/api/integrations/twilio', { ...admin, schema: { body: credentials } }, (req) => connect(ctx, authOf(req), parse(credentials, req.body)));
  app.delete('/api/integrations/twilio', admin, (req) => disconnect(ctx, authOf(req)));

  app.get('/api/integrations/twilio/incoming-numbers', admin, (req) => incomingNumbers(ctx, authOf(req)));
  app.get('/api/integrations/twilio/available-numbers', { ...admin, schema: { querystring: availableQuery } }, (req) => availableNumbers(ctx, authOf(req), parse(availableQuery, req.query)));

  app.post('/api/integrations/twilio/senders', { ...admin, schema: { body: anySender } }, async (req, reply) => {
    const { type } = parse(senderType, req.body);
    const input = parse(senderBodies[type], req.body) as AddSenderInput;
    return reply.status(201).send(await addSender(ctx, authOf(req), input));
  });
  app.patch('/api/integrations/twilio/senders/:id', { ...admin, schema: { body: senderChanges } }, (req) => updateSender(ctx, authOf(req), parse(id, req.params).id, parse(senderChanges, req.body)));
  app.delete('/api/integrations/twilio/senders/:id', admin, (req) => removeSender(ctx, authOf(req), parse(id, req.params).id));

  app.get('/api/senders', { preHandler: auth.requireUser }, async (req) => ({ items: await listActiveSenders(ctx, authOf(req)), nextCursor: null }));
}

/** The plain values a Twilio webhook's steps need, taken from the request (docs/rules.md#the-webhooks-steps, steps 2–3 check them). */
export function twilioWebhookOf(req: FastifyRequest): TwilioWebhook {
  const signature = req.headers['x-twilio-signature'];
  return { path: req.url, signature: typeof signature === 'string' ? signature : undefined, params: formParams(req.body) };
}

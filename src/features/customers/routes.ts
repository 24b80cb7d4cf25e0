import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { authOf, type AuthHooks } from '../../http/auth.js';
import { id, parse, searchQuery, text } from '../../http/validate.js';
import { changeOptOut } from './opt-out.js';
import * as customers from './service.js';

const listQuery = z
  .object({
    phone: text().min(1).max(40).optional(),
    q: searchQuery().optional(),
    cursor: text().min(1).max(200).optional(),
    limit: z.coerce.number().int('must be a whole number').min(1).max(100).default(25),
  })
  .strict();

const timelineQuery = z
  .object({
    cursor: text().min(1).max(200).optional(),
    limit: z.coerce.number().int('must be a whole number').min(1).max(50).default(10),
    messages: z.coerce.number().int('must be a whole number').min(1).max(50).default(5),
  })
  .strict();

/** An empty field clears it: a form that blanks a name means "no name". */
const clearable = (schema: z.ZodString) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), schema.nullable()).optional();

const changes = z
  .object({
    name: clearable(text().trim().max(200, 'must be at most 200 characters')),
    email: clearable(text().trim().toLowerCase().email('must be an email address').max(254)),
    notes: clearable(text().max(10_000, 'must be at most 10,000 characters')),
  })
  .strict();

const senderId = text().min(1).max(64).optional();
const reason = text().trim().min(1, 'must say why (e.g. "asked by phone to receive texts again")').max(500, 'must be at most 500 characters');
const optOutInput = z.object({ senderId, reason: reason.optional() }).strict();
const optInInput = z.object({ senderId, reason }).strict();

export function customerRoutes(app: FastifyInstance, ctx: Context, auth: AuthHooks) {
  const user = { preHandler: auth.requireUser };

  app.get('/api/customers', { ...user, schema: { querystring: listQuery } }, (req) => customers.listCustomers(ctx, authOf(req), parse(listQuery, req.query)));

  app.get('/api/customers/:id', user, (req) => customers.getCustomer(ctx, authOf(req), parse(id, req.params).id));

  app.patch('/api/customers/:id', { ...user, schema: { body: changes } }, (req) => customers.updateCustomer(ctx, authOf(req), parse(id, req.params).id, parse(changes, req.body)));

  app.post('/api/customers/:id/opt-out', { ...user, schema: { body: optOutInput } }, (req) => changeOptOut(ctx, authOf(req), parse(id, req.params).id, 'opt_out', parse(optOutInput, req.body)));

  app.post('/api/customers/:id/opt-in', { ...user, schema: { body: optInInput } }, (req) => changeOptOut(ctx, authOf(req), parse(id, req.params).id, 'opt_in', parse(optInInput, req.body)));

  app.get('/api/customers/:id/timeline', { ...user, schema: { querystring: timelineQuery } }, (req) =>
    customers.customerTimeline(ctx, authOf(req), parse(id, req.params).id, parse(timelineQuery, req.query)),
  );
}

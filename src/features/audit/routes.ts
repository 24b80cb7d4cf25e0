import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { authOf, type AuthHooks } from '../../http/auth.js';
import { parse, text } from '../../http/validate.js';
import { listAudit } from './service.js';

const query = z
  .object({
    cursor: text().min(1).max(200).optional(),
    limit: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
  })
  .strict();

export function auditRoutes(app: FastifyInstance, ctx: Context, auth: AuthHooks) {
  app.get('/api/audit', { preHandler: auth.requireAdmin, schema: { querystring: query } }, async (req) => listAudit(ctx, authOf(req), parse(query, req.query)));
}

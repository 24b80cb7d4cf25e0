import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { authOf, type AuthHooks } from '../../http/auth.js';
import { parse, searchQuery, text } from '../../http/validate.js';
import * as search from './service.js';

const query = z
  .object({
    q: searchQuery(),
    cursor: text().min(1).max(200).optional(),
    limit: z.coerce.number().int('must be a whole number').min(1).max(50).default(20),
  })
  .strict();

export function searchRoutes(app: FastifyInstance, ctx: Context, auth: AuthHooks) {
  app.get('/api/search', { preHandler: auth.requireUser, schema: { querystring: query } }, (req) => search.searchMessages(ctx, authOf(req), parse(query, req.query)));
}

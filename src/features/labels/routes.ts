import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { LABEL_COLOR } from '../../domain/labels.js';
import { authOf, type AuthHooks } from '../../http/auth.js';
import { id, parse, text } from '../../http/validate.js';
import * as labels from './service.js';

const name = text().trim().min(1, 'must not be empty').max(50, 'must be at most 50 characters');
const color = text().regex(LABEL_COLOR, 'must be a colour as #rrggbb, e.g. #1f5f8b');
const newLabel = z.object({ name, color }).strict();
const labelChanges = z.object({ name: name.optional(), color: color.optional() }).strict();

export function labelRoutes(app: FastifyInstance, ctx: Context, auth: AuthHooks) {
  const user = { preHandler: auth.requireUser };
  const admin = { preHandler: auth.requireAdmin };

  app.get('/api/labels', user, (req) => labels.listLabels(ctx, authOf(req)));

  app.post('/api/labels', { ...admin, schema: { body: newLabel } }, async (req, res) => res.status(201).send(await labels.createLabel(ctx, authOf(req), parse(newLabel, req.body))));

  app.patch('/api/labels/:id', { ...admin, schema: { body: labelChanges } }, (req) =>
    labels.updateLabel(ctx, authOf(req), parse(id, req.params).id, parse(labelChanges, req.body)),
  );

  app.delete('/api/labels/:id', admin, async (req, res) => {
    await labels.deleteLabel(ctx, authOf(req), parse(id, req.params).id);
    return res.status(204).send();
  });
}

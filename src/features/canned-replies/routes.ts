import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { countSegments, MAX_BODY_CHARACTERS } from '../../domain/segments.js';
import { isBlankText } from '../../domain/text.js';
import { authOf, type AuthHooks } from '../../http/auth.js';
import { id, parse, text } from '../../http/validate.js';
import * as canned from './service.js';

const shortcut = text().regex(/^[a-z0-9-]{1,32}$/, 'must be 1 to 32 lower-case letters, digits or hyphens, e.g. refund-policy');
const title = text().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
// The longest text Twilio accepts, counted as the composer counts it; placeholders are counted as typed.
const body = text()
  .trim()
  .refine((b) => !isBlankText(b), 'must not be empty')
  .refine((b) => !countSegments(b).overLimit, `must be at most ${MAX_BODY_CHARACTERS.toLocaleString('en-US')} characters, the longest text Twilio sends`);
const newReply = z.object({ shortcut, title, body }).strict();
const replyChanges = z.object({ shortcut: shortcut.optional(), title: title.optional(), body: body.optional() }).strict();

export function cannedReplyRoutes(app: FastifyInstance, ctx: Context, auth: AuthHooks) {
  const user = { preHandler: auth.requireUser };

  // Never long (people write them by hand): one page, as the users list.
  app.get('/api/canned-replies', user, async (req) => ({ items: await canned.listCannedReplies(ctx, authOf(req)), nextCursor: null }));

  app.post('/api/canned-replies', { ...user, schema: { body: newReply } }, async (req, res) =>
    res.status(201).send(await canned.createCannedReply(ctx, authOf(req), parse(newReply, req.body))),
  );

  app.patch('/api/canned-replies/:id', { ...user, schema: { body: replyChanges } }, (req) =>
    canned.updateCannedReply(ctx, authOf(req), parse(id, req.params).id, parse(replyChanges, req.body)),
  );

  app.delete('/api/canned-replies/:id', user, async (req, res) => {
    await canned.deleteCannedReply(ctx, authOf(req), parse(id, req.params).id);
    return res.status(204).send();
  });
}

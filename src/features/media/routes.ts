import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.js';
import { authOf, type AuthHooks } from '../../http/auth.js';
import { id, parse } from '../../http/validate.js';
import { mediaForAgent } from './service.js';

/**
 * Media for signed-in agents. Customer-sent files are untrusted: only images whose bytes are
 * JPEG, PNG, GIF or WebP are shown inline; anything else is a download the browser may neither
 * sniff into HTML nor run script from (SPEC §4).
 */
export function mediaRoutes(app: FastifyInstance, ctx: Context, auth: AuthHooks) {
  app.get('/api/media/:id', { preHandler: auth.requireUser }, async (req, reply) => {
    const mediaId = parse(id, req.params).id;
    const media = await mediaForAgent(ctx, authOf(req), mediaId);
    return reply
      .header('Content-Type', media.contentType)
      .header('Content-Disposition', media.inline ? 'inline' : `attachment; filename="${mediaId}"`)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', 'sandbox')
      .header('Cache-Control', 'private, max-age=86400, immutable')
      .send(media.bytes);
  });
}

import Fastify, { type FastifyInstance } from 'fastify';
import type { SimContext } from './context.js';

/**
 * The second listener: Twilio's media CDN. It serves media bytes without authentication at
 * unguessable URLs (what Twilio's API redirects to) and refuses any request that carries an
 * `Authorization` header, so a client that forwards its Twilio credentials across the redirect
 * to another origin is caught.
 */
export function buildMediaHost(ctx: SimContext, logger: boolean): FastifyInstance {
  const app = Fastify({ logger, forceCloseConnections: true });
  app.get<{ Params: { token: string; sid: string } }>('/:token/:sid', async (request, reply) => {
    if (request.headers.authorization !== undefined) {
      return reply.code(403).type('text/plain').send('Forbidden: credentials must not be sent to the media host');
    }
    const media = ctx.store.media.get(request.params.sid);
    if (!media || media.token !== request.params.token) {
      return reply.code(404).type('text/plain').send('Not Found');
    }
    return reply
      .type(media.contentType)
      .header('Cache-Control', 'private, max-age=3600')
      .header('X-Content-Type-Options', 'nosniff')
      .send(media.data);
  });
  return app;
}

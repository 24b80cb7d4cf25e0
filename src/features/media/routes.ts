import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { invalid } from '../../errors.js';
import { authOf, type AuthHooks } from '../../http/auth.js';
import { id, parse } from '../../http/validate.js';
import { mediaForAgent, thumbnailForAgent, type ServedMedia } from './service.js';
import { mediaForTwilio } from './signed.js';
import { storeUpload } from './upload.js';

const signedQuery = z.object({ expires: z.coerce.number().int(), signature: z.string() });

/**
 * Media: agents' uploads, files for signed-in agents, and the signed links Twilio fetches
 * outbound pictures from. Customer-sent files are untrusted: only images whose bytes are JPEG,
 * PNG, GIF or WebP are shown inline; anything else is a download the browser may neither sniff
 * into HTML nor run script from (docs/rules.md#inbound-messages).
 */
export function mediaRoutes(app: FastifyInstance, ctx: Context, auth: AuthHooks) {
  app.get('/api/media/:id', { preHandler: auth.requireUser }, async (req, reply) => {
    const mediaId = parse(id, req.params).id;
    const media = await mediaForAgent(ctx, authOf(req), mediaId);
    return sendMedia(reply, media, mediaId).header('Cache-Control', 'private, max-age=86400, immutable').send(media.bytes);
  });

  app.get('/api/media/:id/thumbnail', { preHandler: auth.requireUser }, async (req, reply) => {
    const mediaId = parse(id, req.params).id;
    const media = await thumbnailForAgent(ctx, authOf(req), mediaId);
    return sendMedia(reply, media, mediaId)
      .header('Cache-Control', media.final ? 'private, max-age=86400, immutable' : 'private, no-cache')
      .send(media.bytes);
  });

  app.post('/api/media', { preHandler: auth.requireUser }, async (req, reply) => {
    const bytes = await readFileField(req);
    return reply.status(201).send(await storeUpload(ctx, authOf(req), bytes));
  });

  // No session: the signature is the permission.
  app.get<{ Params: { id: string } }>('/media/:id', async (req, reply) => {
    const mediaId = req.params.id;
    const media = await mediaForTwilio(ctx, mediaId, signedQuery.safeParse(req.query).data, ctx.clock.now());
    return sendMedia(reply, media, mediaId).header('Cache-Control', 'private, max-age=3600').send(media.bytes);
  });
}

function sendMedia(reply: FastifyReply, media: ServedMedia, mediaId: string): FastifyReply {
  return reply
    .header('Content-Type', media.contentType)
    .header('Content-Disposition', media.inline ? 'inline' : `attachment; filename="${mediaId}"`)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Content-Security-Policy', 'sandbox');
}

/** The bytes of the multipart field `file`; over 5 MB the multipart limit answers 413. */
async function readFileField(req: FastifyRequest): Promise<Buffer> {
  if (!req.isMultipart()) throw invalid('file', 'send the picture as multipart/form-data in a field named "file"');
  const part = await req.file();
  if (!part) throw invalid('file', 'is required: send the picture in a multipart field named "file"');
  if (part.fieldname !== 'file') throw invalid('file', `is required; the upload came in a field named "${part.fieldname}"`);
  return part.toBuffer();
}

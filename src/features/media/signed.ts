import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { AppError, forbidden, notFound } from '../../errors.js';
import * as q from './queries.js';
import { databaseMediaStorage } from './storage.js';

/** SPEC §5: a link Twilio fetches outbound media from works for 12 hours. */
export const SIGNED_URL_TTL_SECONDS = 12 * 3600;

function signature(ctx: Context, mediaId: string, expires: number): string {
  return createHmac('sha256', ctx.keyring.key('media-urls')).update(`${mediaId}.${expires}`).digest('hex');
}

/** A link for Twilio, signed afresh for each send attempt: `{PUBLIC_URL}/media/:id?expires=…&signature=…`. */
export function signedMediaUrl(ctx: Context, mediaId: string, now: number): string {
  const expires = Math.floor(now / 1000) + SIGNED_URL_TTL_SECONDS;
  return `${ctx.config.publicUrl}/media/${encodeURIComponent(mediaId)}?expires=${expires}&signature=${signature(ctx, mediaId, expires)}`;
}

export function isValidSignature(ctx: Context, mediaId: string, expires: number, given: string, now: number): boolean {
  const nowSeconds = Math.floor(now / 1000);
  // Expired, or further ahead than any link we hand out: refused without computing anything.
  if (expires < nowSeconds || expires > nowSeconds + SIGNED_URL_TTL_SECONDS + 60) return false;
  const expected = Buffer.from(signature(ctx, mediaId, expires), 'hex');
  const actual = Buffer.from(/^[0-9a-f]{64}$/.test(given) ? given : '', 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const query = z.object({ expires: z.coerce.number().int(), signature: z.string() });

/**
 * The outbound media Twilio fetches. No session: the signature is the permission, so a wrong or
 * expired one is a 403 whatever the id.
 */
export function signedMediaRoutes(app: FastifyInstance, ctx: Context) {
  app.get<{ Params: { id: string } }>('/media/:id', async (req, reply) => {
    const parsed = query.safeParse(req.query);
    const mediaId = req.params.id;
    if (!parsed.success || !isValidSignature(ctx, mediaId, parsed.data.expires, parsed.data.signature, ctx.clock.now())) {
      throw forbidden('This media link is invalid or has expired');
    }
    const media = await q.findMedia(ctx.db, mediaId);
    if (!media) throw notFound('Media');
    if (media.status !== 'ready') throw new AppError('not_found', 'This media has no stored file');
    const bytes = await databaseMediaStorage(ctx.db).get(mediaId);
    if (!bytes) throw notFound('Media');
    return reply
      .header('Content-Type', media.contentType)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Cache-Control', 'private, max-age=3600')
      .send(bytes);
  });
}

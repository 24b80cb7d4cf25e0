import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from '../../context.js';
import { INLINE_IMAGE_TYPES } from '../../domain/media-type.js';
import { AppError, forbidden, notFound } from '../../errors.js';
import * as q from './queries.js';
import type { ServedMedia } from './service.js';
import { databaseMediaStorage } from './storage.js';

/** docs/rules.md#signed-media: a link Twilio fetches outbound media from works for 12 hours. */
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

/**
 * A file Twilio fetches for an outbound message. A wrong or expired signature is a 403 whatever
 * the id. Only agents' uploads are ever signed, and only inline image types are served, so a
 * link can never turn a customer's file (an HTML page, say) into something a browser renders.
 */
export async function mediaForTwilio(ctx: Context, mediaId: string, query: { expires: number; signature: string } | undefined, now: number): Promise<ServedMedia> {
  if (!query || !isValidSignature(ctx, mediaId, query.expires, query.signature, now)) throw forbidden('This media link is invalid or has expired');
  const media = await q.findMedia(ctx.db, mediaId);
  if (!media || media.uploadedBy === null || !INLINE_IMAGE_TYPES.has(media.contentType)) throw notFound('Media');
  if (media.status !== 'ready') throw new AppError('not_found', 'This media has no stored file');
  const bytes = await databaseMediaStorage(ctx.db).get(mediaId);
  if (!bytes) throw notFound('Media');
  return { contentType: media.contentType, bytes, inline: true };
}

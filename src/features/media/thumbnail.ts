import type { Context } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { INLINE_IMAGE_TYPES } from '../../domain/media-type.js';
import { enqueue } from '../../jobs/queue.js';
import type { JobHandler } from '../../jobs/runner.js';
import { thumbnail, UnreadableImage } from './images.js';
import * as q from './queries.js';
import { databaseMediaStorage } from './storage.js';

export const MEDIA_THUMBNAIL = 'media.thumbnail';

export interface ThumbnailPayload {
  mediaId: string;
}

/** In the transaction that stores a picture's bytes: its thumbnail follows, made by a job. Other files get none. */
export async function enqueueThumbnail(tx: Tx, media: { id: string; organizationId: string; contentType: string }, now: number): Promise<void> {
  if (!INLINE_IMAGE_TYPES.has(media.contentType)) return;
  await enqueue(tx, MEDIA_THUMBNAIL, { mediaId: media.id } satisfies ThumbnailPayload, { now, subject: media.id, organizationId: media.organizationId });
}

/**
 * The `media.thumbnail` job: a picture scaled to at most 480 px a side for threads. A picture
 * libvips refuses (corrupt, or a decompression bomb from a customer) gets no thumbnail, and the
 * thread shows the full file's link instead; it is not retried.
 */
export function thumbnailJobHandler(ctx: Context): JobHandler<ThumbnailPayload> {
  return {
    kind: MEDIA_THUMBNAIL,
    maxAttempts: 3,
    baseBackoffMs: 2_000,
    maxBackoffMs: 30_000,
    async run({ mediaId }) {
      const bytes = await databaseMediaStorage(ctx.db).get(mediaId);
      if (!bytes) return;
      let made: Awaited<ReturnType<typeof thumbnail>>;
      try {
        made = await thumbnail(bytes);
      } catch (err) {
        if (!(err instanceof UnreadableImage)) throw err;
        ctx.log.warn({ mediaId, reason: err.message }, 'no thumbnail for a picture libvips refused');
        return;
      }
      await q.putThumbnail(ctx.db, { mediaId, contentType: made.contentType, bytes: made.bytes });
    },
    async onFinalFailure({ mediaId }, error) {
      ctx.log.warn({ mediaId, error: error.message }, 'thumbnail gave up');
    },
  };
}

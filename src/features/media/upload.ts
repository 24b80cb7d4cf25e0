import type { Context } from '../../context.js';
import { MAX_MEDIA_BYTES, sniffContentType, UPLOAD_IMAGE_TYPES } from '../../domain/media-type.js';
import { AppError, invalid } from '../../errors.js';
import { newId } from '../../ids.js';
import type { AuthUser } from '../accounts/sessions.js';
import * as q from './queries.js';
import { prepareForMms, UnreadableImage } from './images.js';
import { databaseMediaStorage } from './storage.js';
import { enqueueThumbnail } from './thumbnail.js';

/**
 * Keeps an upload, unattached, until a message takes it. Its type is read from its bytes (what
 * the browser claimed is ignored), and it goes through the image pipeline (images.ts) before
 * anything is stored: HEIC and WebP become JPEG, metadata is dropped, and it is scaled to fit
 * an MMS. Its thumbnail is made by a job queued with it.
 */
export async function storeUpload(ctx: Context, auth: AuthUser, upload: Buffer): Promise<{ id: string; contentType: string; size: number }> {
  if (upload.length > MAX_MEDIA_BYTES) throw new AppError('payload_too_large', 'The picture is larger than 5 MB');
  const sniffed = sniffContentType(upload);
  if (!sniffed || !UPLOAD_IMAGE_TYPES.has(sniffed)) {
    throw invalid('file', `is ${sniffed ?? 'not an image we recognize'}; send a JPEG, PNG, GIF, WebP or HEIC picture`);
  }
  const { bytes, contentType } = await prepared(upload, sniffed);
  const now = ctx.clock.now();
  const id = newId(now);
  await ctx.db.transaction().execute(async (tx) => {
    await q.insertMedia(tx, [
      { id, organizationId: auth.organizationId, messageId: null, contentType, size: bytes.length, status: 'ready', sourceUrl: null, errorMessage: null, position: 0, uploadedBy: auth.id, createdAt: now },
    ]);
    await databaseMediaStorage(tx).put(id, bytes);
    await enqueueThumbnail(tx, { id, organizationId: auth.organizationId, contentType }, now);
  });
  ctx.wakeWorker();
  return { id, contentType, size: bytes.length };
}

async function prepared(upload: Buffer, contentType: string) {
  try {
    return await prepareForMms(upload, contentType);
  } catch (err) {
    if (err instanceof UnreadableImage) throw invalid('file', `${err.message}; send another picture`);
    throw err;
  }
}

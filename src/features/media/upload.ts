import type { Context } from '../../context.js';
import { MAX_MEDIA_BYTES, OUTBOUND_IMAGE_TYPES, sniffContentType } from '../../domain/media-type.js';
import { AppError, invalid } from '../../errors.js';
import { newId } from '../../ids.js';
import type { AuthUser } from '../accounts/sessions.js';
import * as q from './queries.js';
import { databaseMediaStorage } from './storage.js';

/**
 * Keeps an upload, unattached, until a message takes it. Its type is read from its bytes (what
 * the browser claimed is ignored): only JPEG, PNG and GIF can go out by MMS.
 */
export async function storeUpload(ctx: Context, auth: AuthUser, bytes: Buffer): Promise<{ id: string; contentType: string; size: number }> {
  if (bytes.length > MAX_MEDIA_BYTES) throw new AppError('payload_too_large', 'The picture is larger than 5 MB');
  const contentType = sniffContentType(bytes);
  if (!contentType || !OUTBOUND_IMAGE_TYPES.has(contentType)) {
    throw invalid('file', `is ${contentType ?? 'not an image we recognize'}; only JPEG, PNG and GIF pictures can be sent`);
  }
  const now = ctx.clock.now();
  const id = newId(now);
  await ctx.db.transaction().execute(async (tx) => {
    await q.insertMedia(tx, [
      { id, organizationId: auth.organizationId, messageId: null, contentType, size: bytes.length, status: 'ready', sourceUrl: null, errorMessage: null, position: 0, uploadedBy: auth.id, createdAt: now },
    ]);
    await databaseMediaStorage(tx).put(id, bytes);
  });
  return { id, contentType, size: bytes.length };
}

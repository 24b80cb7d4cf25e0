import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.js';
import { MAX_MEDIA_BYTES, OUTBOUND_IMAGE_TYPES, sniffContentType } from '../../domain/media-type.js';
import { AppError, invalid } from '../../errors.js';
import { authOf, type AuthHooks } from '../../http/auth.js';
import { newId } from '../../ids.js';
import type { AuthUser } from '../accounts/sessions.js';
import * as q from './queries.js';
import { databaseMediaStorage } from './storage.js';

/** POST /api/media: one picture an agent will attach to a message (SPEC §7). */
export function uploadRoutes(app: FastifyInstance, ctx: Context, auth: AuthHooks) {
  app.post('/api/media', { preHandler: auth.requireUser }, async (req, reply) => {
    const bytes = await readFileField(req);
    return reply.status(201).send(await storeUpload(ctx, authOf(req), bytes));
  });
}

/** The bytes of the multipart field `file`; over 5 MB the multipart limit answers 413. */
async function readFileField(req: FastifyRequest): Promise<Buffer> {
  if (!req.isMultipart()) throw invalid('file', 'send the picture as multipart/form-data in a field named "file"');
  const part = await req.file();
  if (!part) throw invalid('file', 'is required: send the picture in a multipart field named "file"');
  if (part.fieldname !== 'file') throw invalid('file', `is required; the upload came in a field named "${part.fieldname}"`);
  return part.toBuffer();
}

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

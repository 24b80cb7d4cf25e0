import type { Context } from '../../context.js';
import type { Conn, Tx } from '../../db/database.js';
import { holdInsert, holdsWrites } from '../../db/held-writes.js';
import { INLINE_IMAGE_TYPES } from '../../domain/media-type.js';
import { AppError, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import { enqueue } from '../../jobs/queue.js';
import type { AuthUser } from '../accounts/sessions.js';
import * as q from './queries.js';
import { databaseMediaStorage } from './storage.js';

export const MEDIA_DOWNLOAD = 'media.download';

export interface MediaDownloadPayload {
  mediaId: string;
  /** The account whose credentials fetch the file; if it is disconnected meanwhile, the download fails. */
  accountId: string;
}

export interface InboundMediaItem {
  url: string;
  /** What Twilio said the type is; only a fallback until the bytes are sniffed. */
  contentType: string;
}

/**
 * Records an inbound message's media as pending, each with its download job, in the message's
 * transaction: the text is stored at once, the pictures follow (docs/rules.md#inbound-messages).
 */
export async function addInboundMedia(
  tx: Tx,
  input: { organizationId: string; messageId: string; accountId: string; items: InboundMediaItem[]; now: number },
): Promise<q.MediaRow[]> {
  const rows: q.MediaRow[] = input.items.map((item, position) => ({
    id: newId(input.now),
    organizationId: input.organizationId,
    messageId: input.messageId,
    contentType: item.contentType.slice(0, 100) || 'application/octet-stream',
    size: 0,
    status: 'pending' as const,
    sourceUrl: item.url,
    errorMessage: null,
    position,
    uploadedBy: null,
    createdAt: input.now,
  }));
  if (holdsWrites(tx)) for (const row of rows) holdInsert(tx, 'media', row);
  else await q.insertMedia(tx, rows);
  for (const row of rows) {
    await enqueue(tx, MEDIA_DOWNLOAD, { mediaId: row.id, accountId: input.accountId } satisfies MediaDownloadPayload, { now: input.now, subject: row.id, organizationId: input.organizationId });
  }
  return rows;
}

export interface ServedMedia {
  contentType: string;
  bytes: Buffer;
  /** Only images whose type was read from their own bytes are shown inline. */
  inline: boolean;
}

/** A file for a signed-in agent of the organization that owns it. */
export async function mediaForAgent(ctx: Context, auth: AuthUser, id: string): Promise<ServedMedia> {
  const media = await q.findMediaOfOrganization(ctx.db, auth.organizationId, id);
  if (!media) throw notFound('Media');
  if (media.status === 'pending') throw new AppError('conflict', 'This file is still being downloaded from Twilio; try again in a moment');
  if (media.status === 'failed') throw new AppError('not_found', `This file could not be downloaded from Twilio (${media.errorMessage ?? 'gave up'})`);
  const bytes = await databaseMediaStorage(ctx.db).get(id);
  if (!bytes) throw notFound('Media');
  return { contentType: media.contentType, bytes, inline: INLINE_IMAGE_TYPES.has(media.contentType) };
}

/**
 * A picture's thumbnail for a thread. Until its job has made one (or when libvips refused the
 * picture) the full file stands in, marked so the browser does not keep it as the thumbnail.
 */
export async function thumbnailForAgent(ctx: Context, auth: AuthUser, id: string): Promise<ServedMedia & { final: boolean }> {
  const media = await mediaForAgent(ctx, auth, id);
  const thumb = media.inline ? await q.findThumbnail(ctx.db, id) : undefined;
  if (!thumb) return { ...media, final: false };
  return { contentType: thumb.contentType, bytes: Buffer.from(thumb.bytes), inline: true, final: true };
}

/* For other features: a message's pictures, and the uploads an agent attaches to one. */

export type MediaRow = q.MediaRow;

/** The media of these messages, in their order within each message. */
export const mediaOfMessages = (conn: Conn, messageIds: string[]) => q.mediaOfMessages(conn, messageIds);
export const mediaIdsOfMessage = (conn: Conn, messageId: string) => q.mediaIdsOfMessage(conn, messageId);
export const uploadsByIds = (conn: Conn, organizationId: string, ids: string[]) => q.mediaByIds(conn, organizationId, ids);
/** Attaches an upload to a message unless another message took it first; returns whether it did. */
export const attachUpload = (tx: Tx, input: { organizationId: string; mediaId: string; messageId: string; position: number }) => q.attachMedia(tx, input);

/**
 * For a disconnect (docs/rules.md#disconnect-and-erasure: no record keeps the SID): pending downloads forget Twilio's URL;
 * their jobs then settle them as failed, shown on the message.
 */
export const forgetTwilioSources = (tx: Tx, organizationId: string) => q.forgetPendingSources(tx, organizationId);

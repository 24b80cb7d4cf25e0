import type { Context } from '../../context.js';
import { MAX_MEDIA_BYTES, sniffContentType } from '../../domain/media-type.js';
import type { JobHandler } from '../../jobs/runner.js';
import { lockMessage, presentedMessage, setMessageError } from '../conversations/service.js';
import { messageEvent } from '../events/app-event.js';
import { publishCommitted } from '../events/publish.js';
import { connectedAccountById } from '../twilio/accounts.js';
import * as q from './queries.js';
import { MEDIA_DOWNLOAD, type MediaDownloadPayload } from './service.js';
import { databaseMediaStorage } from './storage.js';
import { enqueueThumbnail } from './thumbnail.js';
import { downloadTwilioMedia, PermanentDownloadError } from './twilio-download.js';

export interface DownloadTuning {
  maxAttempts: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
}

/** About a quarter of an hour of retries: long enough for a Twilio hiccup, short enough that agents learn of a loss. */
export const DEFAULT_DOWNLOAD_TUNING: DownloadTuning = { maxAttempts: 8, baseBackoffMs: 2_000, maxBackoffMs: 300_000, timeoutMs: 30_000 };

/** The `media.download` job: fetch one inbound file from Twilio, store it, forget Twilio's URL. */
export function mediaDownloadJobHandler(ctx: Context, tuning: DownloadTuning = DEFAULT_DOWNLOAD_TUNING): JobHandler<MediaDownloadPayload> {
  return {
    kind: MEDIA_DOWNLOAD,
    maxAttempts: tuning.maxAttempts,
    baseBackoffMs: tuning.baseBackoffMs,
    maxBackoffMs: tuning.maxBackoffMs,
    async run(payload) {
      const media = await q.findMedia(ctx.db, payload.mediaId);
      if (!media || media.status !== 'pending') return;
      if (!media.sourceUrl) return markDownloadFailed(ctx, media, 'the Twilio account was disconnected before the file was downloaded');
      const account = await connectedAccountById(ctx, payload.accountId);
      if (!account || account.organizationId !== media.organizationId) return markDownloadFailed(ctx, media, 'the Twilio account is no longer connected');
      let bytes: Buffer;
      try {
        bytes = await downloadTwilioMedia(media.sourceUrl, { ...account, twilioApiUrl: ctx.config.twilioApiUrl, maxBytes: MAX_MEDIA_BYTES, timeoutMs: tuning.timeoutMs });
      } catch (err) {
        if (err instanceof PermanentDownloadError) return markDownloadFailed(ctx, media, err.message);
        throw err;
      }
      await storeDownloaded(ctx, media, bytes);
    },
    async onFinalFailure(payload, error) {
      const media = await q.findMedia(ctx.db, payload.mediaId);
      if (media) await markDownloadFailed(ctx, media, error.message);
    },
  };
}

/**
 * The type comes from the bytes; a declared type is kept only when it cannot make the file
 * render inline (a "image/png" that is really HTML becomes a plain download).
 */
function storedContentType(bytes: Buffer, declared: string): string {
  const sniffed = sniffContentType(bytes);
  if (sniffed) return sniffed;
  return declared.startsWith('image/') || !/^[\w.+-]+\/[\w.+-]+$/.test(declared) ? 'application/octet-stream' : declared;
}

async function storeDownloaded(ctx: Context, media: q.MediaRow, bytes: Buffer): Promise<void> {
  const contentType = storedContentType(bytes, media.contentType);
  const stored = await ctx.db.transaction().execute(async (tx) => {
    await databaseMediaStorage(tx).put(media.id, bytes);
    if (!(await q.settleMediaReady(tx, media.id, { size: bytes.length, contentType }))) return false;
    await enqueueThumbnail(tx, { id: media.id, organizationId: media.organizationId, contentType }, ctx.clock.now());
    return true;
  });
  if (!stored) return;
  await publishMessageUpdated(ctx, media);
  ctx.wakeWorker();
}

/** The file is lost, not the message: the message says how many attachments are missing. */
async function markDownloadFailed(ctx: Context, media: q.MediaRow, reason: string): Promise<void> {
  const failed = await ctx.db.transaction().execute(async (tx) => {
    // Two files of one message giving up at once must both be counted.
    if (media.messageId) await lockMessage(tx, media.messageId);
    if (!(await q.settleMediaFailed(tx, media.id, reason.slice(0, 300)))) return false;
    if (media.messageId) {
      const n = await q.countFailedMediaOfMessage(tx, media.messageId);
      await setMessageError(tx, media.messageId, `${n} ${n === 1 ? 'attachment' : 'attachments'} could not be downloaded from Twilio`, ctx.clock.now());
    }
    return true;
  });
  ctx.log.warn({ mediaId: media.id, reason }, 'inbound media download gave up');
  if (failed) await publishMessageUpdated(ctx, media);
}

async function publishMessageUpdated(ctx: Context, media: q.MediaRow): Promise<void> {
  if (!media.messageId) return;
  await publishCommitted(ctx, [messageEvent('message.updated', media.organizationId, await presentedMessage(ctx.db, media.organizationId, media.messageId))]);
}

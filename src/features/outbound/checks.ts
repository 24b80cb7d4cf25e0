import type { Conn } from '../../db/database.js';
import { MAX_ATTACHMENTS, MAX_MEDIA_BYTES, OUTBOUND_IMAGE_TYPES } from '../../domain/media-type.js';
import { isRetryable, type MessageStatus } from '../../domain/message-status.js';
import { toE164 } from '../../domain/phone.js';
import { countSegments, MAX_BODY_CHARACTERS, type SegmentCount } from '../../domain/segments.js';
import { isBlankText } from '../../domain/text.js';
import { AppError, invalid, notFound } from '../../errors.js';
import { isOptedOut } from '../customers/service.js';
import { senderForSending, type SenderState } from '../twilio/messaging.js';
import { uploadsByIds } from '../media/service.js';

/*
 * The limits of docs/rules.md#limits, each checked before anything is stored or sent. A refusal is a 422 that
 * says what was wrong and what to do about it.
 */

export function checkContent(body: string, mediaIds: string[]): SegmentCount {
  const count = countSegments(body);
  if (isBlankText(body) && mediaIds.length === 0) throw invalid('body', 'the message is empty; write some text or attach a picture');
  if (count.characters > MAX_BODY_CHARACTERS) {
    throw invalid('body', `is ${count.characters} characters long; Twilio accepts at most ${MAX_BODY_CHARACTERS}, so shorten it or send it in two messages`);
  }
  if (mediaIds.length > MAX_ATTACHMENTS) throw invalid('mediaIds', `has ${mediaIds.length} pictures; a message can carry at most ${MAX_ATTACHMENTS}`);
  if (new Set(mediaIds).size !== mediaIds.length) throw invalid('mediaIds', 'lists the same picture twice');
  return count;
}

/** The attachments must be this organization's own uploads, not yet sent, JPEG/PNG/GIF, 5 MB together. */
export async function checkMedia(conn: Conn, organizationId: string, mediaIds: string[]): Promise<void> {
  const found = new Map((await uploadsByIds(conn, organizationId, mediaIds)).map((m) => [m.id, m]));
  let total = 0;
  for (const id of mediaIds) {
    const media = found.get(id);
    if (!media || media.uploadedBy === null) throw invalid('mediaIds', `picture ${id} was not found; upload it first with POST /api/media`);
    if (media.messageId !== null) throw invalid('mediaIds', `picture ${id} is already attached to another message; upload it again to send it twice`);
    if (media.status !== 'ready' || !OUTBOUND_IMAGE_TYPES.has(media.contentType)) {
      throw invalid('mediaIds', `picture ${id} is ${media.contentType}; only JPEG, PNG and GIF images can be sent`);
    }
    total += media.size;
  }
  if (total > MAX_MEDIA_BYTES) {
    throw invalid('mediaIds', `the pictures add up to ${(total / 1024 / 1024).toFixed(1)} MB; together they may be at most 5 MB`);
  }
}

/** The sender must exist in the organization, be active, and have a connected Twilio account. */
export async function checkSender(conn: Conn, organizationId: string, senderId: string, opts: { hasMedia: boolean }): Promise<SenderState> {
  const sender = await senderForSending(conn, organizationId, senderId);
  if (!sender) throw notFound('Sender');
  // A disconnect also deactivates the senders; the account is what an admin has to fix then.
  if (sender.accountId === null) throw invalid('senderId', "this support number's Twilio account is disconnected; an admin must connect it again");
  if (sender.active !== 1) throw invalid('senderId', 'this support number was removed; send from another one');
  if (opts.hasMedia && sender.mmsCapable !== 1) throw invalid('mediaIds', 'this support number cannot send pictures (it is not MMS-capable); send text only');
  return sender;
}

/** A number Twilio can text, in E.164. */
export function checkPhone(phone: string, field: 'phone' | 'customerId'): string {
  const e164 = toE164(phone);
  if (e164) return e164;
  if (field === 'phone') throw invalid('phone', 'is not a valid phone number; write it in full with its country code, e.g. +14155550100');
  throw invalid('customerId', `the customer's number ${phone} is not a valid phone number; correct it before texting them`);
}

export async function checkNotOptedOut(conn: Conn, customerId: string, senderId: string, field: 'phone' | 'customerId'): Promise<void> {
  if (await isOptedOut(conn, customerId, senderId)) {
    throw invalid(field, 'the customer has unsubscribed from this support number (they replied STOP); they must text START before they can be messaged again');
  }
}

/** Only a failed or undelivered outbound message can be sent again. */
export function checkRetryable(message: { direction: string; status: MessageStatus }): void {
  if (message.direction !== 'outbound') throw new AppError('conflict', 'Only messages sent by agents can be sent again');
  if (!isRetryable(message.status)) {
    throw new AppError('conflict', `This message is ${message.status}; only a failed or undelivered message can be sent again`);
  }
}

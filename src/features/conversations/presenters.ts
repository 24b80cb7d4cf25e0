import type { MediaRow } from '../media/service.js';
import type { ConversationWithCustomer, MessageRow } from './queries.js';
import { iso } from '../../domain/time.js';
import { INLINE_IMAGE_TYPES } from '../../domain/media-type.js';

/**
 * The conversation of docs/api.md#objects. `unread` is for one reader (their read time); events, which go to
 * everyone, pass no reader and mark a conversation unread when its last message is inbound.
 */
export function presentConversation(c: ConversationWithCustomer, readAt?: number | null) {
  const unread =
    c.lastInboundAt !== null && (readAt === undefined ? c.lastInboundAt >= c.lastMessageAt : readAt === null || c.lastInboundAt > readAt);
  return {
    id: c.id,
    customer: { id: c.customerId, name: c.customerName, phone: c.customerPhone },
    senderId: c.senderId,
    status: c.status,
    assigneeId: c.assigneeId,
    lastMessageAt: iso(c.lastMessageAt),
    preview: c.preview,
    unread,
    createdAt: iso(c.createdAt),
  };
}

export function presentMedia(m: MediaRow) {
  const thumbnailUrl = m.status === 'ready' && INLINE_IMAGE_TYPES.has(m.contentType) ? `/api/media/${m.id}/thumbnail` : null;
  return { id: m.id, contentType: m.contentType, size: m.size, url: `/api/media/${m.id}`, thumbnailUrl, status: m.status };
}

/** The message of docs/api.md#objects: a whitelist of fields, so no internal column can leak by accident. */
export function presentMessage(m: MessageRow, media: MediaRow[]) {
  return {
    id: m.id,
    conversationId: m.conversationId,
    direction: m.direction,
    body: m.body,
    media: media.filter((x) => x.messageId === m.id).map(presentMedia),
    status: m.status,
    errorCode: m.errorCode,
    errorMessage: m.errorMessage,
    segments: m.segments,
    encoding: m.encoding,
    twilioSid: m.twilioSid,
    authorId: m.authorId,
    automatic: m.automatic === 1,
    createdAt: iso(m.createdAt),
  };
}

export type PresentedConversation = ReturnType<typeof presentConversation>;
export type PresentedMedia = ReturnType<typeof presentMedia>;
export type PresentedMessage = ReturnType<typeof presentMessage>;

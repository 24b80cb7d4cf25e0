import type { MediaRow } from '../media/service.js';
import type { PresentedLabel } from '../labels/service.js';
import type { ConversationWithCustomer, MessageRow } from './queries.js';
import { iso } from '../../domain/time.js';
import { INLINE_IMAGE_TYPES } from '../../domain/media-type.js';

/** One reader's marks on a conversation: when they last read it, and the latest note that mentioned them. */
export interface ReaderMarks {
  readAt: number | null;
  mentionedAt: number | null;
}

/**
 * The conversation of docs/api.md#objects. `unread` is for one reader (their read time, or a note
 * mentioning them since); events, which go to everyone, pass no reader and mark a conversation
 * unread when its last message is inbound.
 */
export function presentConversation(c: ConversationWithCustomer, labels: PresentedLabel[], reader?: ReaderMarks) {
  const unread = reader === undefined ? c.lastInboundAt !== null && c.lastInboundAt >= c.lastMessageAt : isUnread(c.lastInboundAt, reader);
  return {
    id: c.id,
    customer: { id: c.customerId, name: c.customerName, phone: c.customerPhone },
    senderId: c.senderId,
    status: c.status,
    assigneeId: c.assigneeId,
    lastMessageAt: iso(c.lastMessageAt),
    preview: c.preview,
    unread,
    labels,
    createdAt: iso(c.createdAt),
  };
}

function isUnread(lastInboundAt: number | null, { readAt, mentionedAt }: ReaderMarks): boolean {
  const newer = (at: number | null) => at !== null && (readAt === null || at > readAt);
  return newer(lastInboundAt) || newer(mentionedAt);
}

export function presentMedia(m: MediaRow) {
  const thumbnailUrl = m.status === 'ready' && INLINE_IMAGE_TYPES.has(m.contentType) ? `/api/media/${m.id}/thumbnail` : null;
  return { id: m.id, contentType: m.contentType, size: m.size, url: `/api/media/${m.id}`, thumbnailUrl, status: m.status };
}

/** The message of docs/api.md#objects: a whitelist of fields, so no internal column can leak by accident. */
export function presentMessage(m: MessageRow, media: MediaRow[]) {
  const note = m.direction === 'note';
  return {
    id: m.id,
    conversationId: m.conversationId,
    direction: m.direction,
    body: m.body,
    media: media.filter((x) => x.messageId === m.id).map(presentMedia),
    // A note is never sent: no status and no segments (docs/api.md#objects).
    status: note ? null : m.status,
    errorCode: m.errorCode,
    errorMessage: m.errorMessage,
    segments: note ? null : m.segments,
    encoding: note ? null : m.encoding,
    twilioSid: m.twilioSid,
    authorId: m.authorId,
    automatic: m.automatic === 1,
    mentions: m.mentions ? (JSON.parse(m.mentions) as string[]) : [],
    createdAt: iso(m.createdAt),
  };
}

export type PresentedConversation = ReturnType<typeof presentConversation>;
export type PresentedMedia = ReturnType<typeof presentMedia>;
export type PresentedMessage = ReturnType<typeof presentMessage>;

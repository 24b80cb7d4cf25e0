/**
 * The one place that knows what the event stream sends and how each event changes what is on
 * screen. Everything here is pure; adapt `parseEvent` if the server's payload shape changes.
 *
 * Assumed wire format: each SSE `data:` is JSON `{type, data}` where `data` is the SPEC §7 object
 * (message, conversation or customer), sent either as unnamed events or as named events
 * (`event: message.created`). A named event whose data is the bare object is accepted too.
 * On PostgreSQL an oversized object travels as `{id, conversationId, customerId, partial: true}`;
 * such an event asks the screen to refetch instead.
 */
import type { Conversation, ConversationStatus, Customer, Id, InboxView, Message, MessageStatus, Timeline, TimelineConversation } from '../api/types';
import { sameId } from '../lib/ids';

export const EVENT_TYPES = [
  'message.created',
  'message.updated',
  'conversation.created',
  'conversation.updated',
  'customer.updated',
] as const;
export type LiveEventType = (typeof EVENT_TYPES)[number];

export type LiveEvent =
  | { type: 'message.created' | 'message.updated'; partial: false; data: Message }
  | { type: 'conversation.created' | 'conversation.updated'; partial: false; data: Conversation }
  | { type: 'customer.updated'; partial: false; data: Customer }
  | { type: LiveEventType; partial: true; ref: { id: Id | null; conversationId: Id | null; customerId: Id | null } };

const isType = (value: unknown): value is LiveEventType => EVENT_TYPES.includes(value as LiveEventType);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const idOf = (value: unknown): Id | null => (typeof value === 'string' || typeof value === 'number' ? String(value) : null);

/** Turns one SSE message into an event, or null for anything unrecognised (comments, pings). */
export function parseEvent(eventName: string, raw: string): LiveEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObject(json)) return null;

  let type: unknown = eventName;
  let data: unknown = json;
  if (isType(json.type)) {
    type = json.type;
    data = json.data ?? json.payload ?? json[json.type.split('.')[0] ?? ''];
  }
  if (!isType(type) || !isObject(data)) return null;

  if (data.partial === true) {
    return {
      type,
      partial: true,
      ref: { id: idOf(data.id), conversationId: idOf(data.conversationId), customerId: idOf(data.customerId) },
    };
  }
  if (data.id === undefined) return null;
  return { type, partial: false, data } as unknown as LiveEvent;
}

// ---------------------------------------------------------------- inbox

export interface InboxFilter {
  status: ConversationStatus;
  assignee: 'me' | 'unassigned' | null;
  meId: Id;
  q: string;
}

export function inboxFilter(view: InboxView, meId: Id, q: string): InboxFilter {
  return {
    status: view === 'closed' ? 'closed' : 'open',
    assignee: view === 'mine' ? 'me' : view === 'unassigned' ? 'unassigned' : null,
    meId,
    q: q.trim(),
  };
}

export function matchesFilter(conversation: Conversation, filter: InboxFilter): boolean {
  if (conversation.status !== filter.status) return false;
  if (filter.assignee === 'me' && !sameId(conversation.assigneeId, filter.meId)) return false;
  if (filter.assignee === 'unassigned' && conversation.assigneeId != null) return false;
  if (filter.q) {
    const q = filter.q.toLowerCase();
    const digits = q.replace(/\D/g, '');
    const name = (conversation.customer.name ?? '').toLowerCase();
    const phone = conversation.customer.phone.replace(/\D/g, '');
    if (!name.includes(q) && !(digits.length > 0 && phone.includes(digits))) return false;
  }
  return true;
}

/** Newest activity first; the id breaks ties so the order is stable. */
export function sortByActivity(items: Conversation[]): Conversation[] {
  return [...items].sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt) || String(b.id).localeCompare(String(a.id)));
}

export interface InboxChange {
  items: Conversation[];
  /** Something changed that the list cannot work out by itself: fetch the first page again. */
  refetch: boolean;
}

/** `openId` is the conversation on screen: it never shows as unread. */
export function applyToInbox(items: Conversation[], event: LiveEvent, filter: InboxFilter, openId: Id | null): InboxChange {
  const unchanged = { items, refetch: false };
  if (event.partial) return { items, refetch: event.type !== 'message.updated' };

  switch (event.type) {
    case 'conversation.created':
    case 'conversation.updated': {
      const incoming = event.data;
      const existing = items.find((c) => sameId(c.id, incoming.id));
      const rest = items.filter((c) => !sameId(c.id, incoming.id));
      if (!matchesFilter(incoming, filter)) return existing ? { items: rest, refetch: false } : unchanged;
      // Unread is per person: keep what this screen knows, take the server's word for a new row.
      const unread = sameId(incoming.id, openId) ? false : existing ? existing.unread : incoming.unread;
      return { items: sortByActivity([...rest, { ...incoming, unread }]), refetch: false };
    }
    case 'message.created': {
      const message = event.data;
      const existing = items.find((c) => sameId(c.id, message.conversationId));
      if (!existing) return { items, refetch: filter.status === 'open' };
      const newer = message.createdAt >= existing.lastMessageAt;
      const updated: Conversation = {
        ...existing,
        lastMessageAt: newer ? message.createdAt : existing.lastMessageAt,
        preview: newer ? previewOf(message) : existing.preview,
        unread: message.direction === 'inbound' && !sameId(existing.id, openId) ? true : existing.unread,
      };
      return { items: sortByActivity(items.map((c) => (c === existing ? updated : c))), refetch: false };
    }
    case 'customer.updated': {
      const customer = event.data;
      if (!items.some((c) => sameId(c.customer.id, customer.id))) return unchanged;
      return {
        items: items.map((c) =>
          sameId(c.customer.id, customer.id) ? { ...c, customer: { ...c.customer, name: customer.name, phone: customer.phone } } : c,
        ),
        refetch: false,
      };
    }
    default:
      return unchanged;
  }
}

/** Mirrors the server's inbox preview: the body on one line, or what was attached. */
export function previewOf(message: Message): string {
  const text = message.body.replace(/\s+/g, ' ').trim();
  if (text) return text.slice(0, 140);
  const count = message.media.length;
  return count === 1 ? '[picture]' : count > 1 ? `[${count} pictures]` : '';
}

/** Merges a fresh first page into a list that may hold older pages already. */
export function mergeFirstPage(items: Conversation[], page: Conversation[], hasMore: boolean): Conversation[] {
  const fresh = new Set(page.map((c) => String(c.id)));
  const oldest = page.reduce<string | null>((min, c) => (min === null || c.lastMessageAt < min ? c.lastMessageAt : min), null);
  // Rows inside the fresh page's window that it no longer holds have left this view.
  const kept = items.filter((c) => !fresh.has(String(c.id)) && hasMore && oldest !== null && c.lastMessageAt < oldest);
  return sortByActivity([...page, ...kept]);
}

// ---------------------------------------------------------------- thread

const RANK: Record<MessageStatus, number> = {
  pending: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  received: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
};
const FINAL = new Set<MessageStatus>(['delivered', 'undelivered', 'failed', 'received']);
const RETRYABLE = new Set<MessageStatus>(['failed', 'undelivered']);

export interface MergeOptions {
  /**
   * False for the answer to the POST that sent or retried the message: the worker may have sent
   * it and its events may have arrived first, so that `pending` is stale, not a retry.
   */
  allowRetry?: boolean;
}

/**
 * A status only moves forward and the first final status wins (SPEC §5), whatever order the
 * POST's answer and the events arrive in. A retry is the one way back: a failed message that
 * becomes pending or queued again.
 */
export function mergeMessage(existing: Message, incoming: Message, { allowRetry = true }: MergeOptions = {}): Message {
  const merged = { ...existing, ...incoming };
  if (existing.status === incoming.status) return merged;
  const retried = allowRetry && RETRYABLE.has(existing.status) && (incoming.status === 'pending' || incoming.status === 'queued');
  const forward = !FINAL.has(existing.status) && (FINAL.has(incoming.status) || RANK[incoming.status] >= RANK[existing.status]);
  if (retried || forward) return merged;
  return { ...merged, status: existing.status, errorCode: existing.errorCode, errorMessage: existing.errorMessage };
}

/** Oldest first; the id breaks ties (ids are time-ordered). */
export function sortThread(messages: Message[]): Message[] {
  return [...messages].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || String(a.id).localeCompare(String(b.id)));
}

export function upsertMessages(messages: Message[], incoming: Message[], options?: MergeOptions): Message[] {
  if (incoming.length === 0) return messages;
  const byId = new Map(messages.map((m) => [String(m.id), m]));
  for (const message of incoming) {
    const existing = byId.get(String(message.id));
    byId.set(String(message.id), existing ? mergeMessage(existing, message, options) : message);
  }
  return sortThread([...byId.values()]);
}

/** Optimistic copies of messages this screen is sending carry ids the server never gives. */
const LOCAL_ID_PREFIX = 'local-';
let localSequence = 0;
export const newLocalId = (): Id => `${LOCAL_ID_PREFIX}${++localSequence}`;
const isLocal = (message: Message) => String(message.id).startsWith(LOCAL_ID_PREFIX);

/**
 * The server's copy of a message sent from this screen can arrive (by event or refetch) before
 * the POST's answer does: it takes the place of its optimistic copy, so the thread never shows
 * the message twice.
 */
export function claimLocalCopy(messages: Message[], incoming: Message): Message[] {
  if (incoming.direction !== 'outbound' || messages.some((m) => sameId(m.id, incoming.id))) return messages;
  const local = messages.find(
    (m) => isLocal(m) && sameId(m.authorId, incoming.authorId) && m.body === incoming.body && m.media.length === incoming.media.length,
  );
  return local ? messages.filter((m) => m !== local) : messages;
}

export interface ThreadChange {
  messages: Message[];
  refetch: boolean;
}

export function applyToThread(messages: Message[], event: LiveEvent, conversationId: Id): ThreadChange {
  if (event.partial) {
    const mine = event.type.startsWith('message.') && (event.ref.conversationId === null || sameId(event.ref.conversationId, conversationId));
    return { messages, refetch: mine };
  }
  if ((event.type === 'message.created' || event.type === 'message.updated') && sameId(event.data.conversationId, conversationId)) {
    return { messages: upsertMessages(claimLocalCopy(messages, event.data), [event.data]), refetch: false };
  }
  return { messages, refetch: false };
}

// ---------------------------------------------------------------- one conversation, one customer

export function applyToConversation(conversation: Conversation, event: LiveEvent): { conversation: Conversation; refetch: boolean } {
  if (event.partial) {
    const mine = event.type.startsWith('conversation.') && sameId(event.ref.id, conversation.id);
    return { conversation, refetch: mine };
  }
  if (event.type === 'conversation.updated' && sameId(event.data.id, conversation.id)) {
    return { conversation: { ...event.data, unread: false }, refetch: false };
  }
  if (event.type === 'customer.updated' && sameId(event.data.id, conversation.customer.id)) {
    const { name, phone } = event.data;
    return { conversation: { ...conversation, customer: { ...conversation.customer, name, phone } }, refetch: false };
  }
  return { conversation, refetch: false };
}

export function applyToCustomer(customer: Customer, event: LiveEvent): { customer: Customer; refetch: boolean } {
  if (event.type !== 'customer.updated') return { customer, refetch: false };
  if (event.partial) return { customer, refetch: sameId(event.ref.id, customer.id) };
  return sameId(event.data.id, customer.id) ? { customer: event.data, refetch: false } : { customer, refetch: false };
}

// ---------------------------------------------------------------- a customer's timeline

export interface TimelineChange {
  timeline: Timeline;
  /** Something changed that the timeline cannot work out by itself: fetch it again. */
  refetch: boolean;
}

/** Oldest first, as the server lists them; the id breaks ties. */
function sortTimeline(conversations: TimelineConversation[]): TimelineConversation[] {
  return [...conversations].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || String(a.id).localeCompare(String(b.id)));
}

function withConversation(timeline: Timeline, conversation: TimelineConversation): Timeline {
  const rest = timeline.conversations.filter((c) => !sameId(c.id, conversation.id));
  return { ...timeline, conversations: sortTimeline([...rest, conversation]) };
}

/**
 * The server's reference names a customer only for an object with a `customerId`, which a message
 * and a conversation lack: they are matched by conversation instead.
 */
function partialTouchesTimeline(timeline: Timeline, event: Extract<LiveEvent, { partial: true }>): boolean {
  const { ref } = event;
  const ours = (id: Id | null) => timeline.conversations.some((c) => sameId(c.id, id));
  if (sameId(ref.customerId, timeline.customer.id)) return true;
  switch (event.type) {
    case 'message.created':
    case 'message.updated':
      return ref.conversationId === null || ours(ref.conversationId);
    case 'conversation.created':
      // A new conversation of unknown customer may be this one's.
      return ref.customerId === null;
    case 'conversation.updated':
      return ours(ref.id);
    case 'customer.updated':
      return sameId(ref.id, timeline.customer.id);
  }
}

/** The timeline follows the stream as the thread does: messages merge by id, statuses only move forward. */
export function applyToTimeline(timeline: Timeline, event: LiveEvent): TimelineChange {
  const unchanged = { timeline, refetch: false };
  if (event.partial) return { timeline, refetch: partialTouchesTimeline(timeline, event) };
  const find = (id: Id) => timeline.conversations.find((c) => sameId(c.id, id));

  switch (event.type) {
    case 'message.created':
    case 'message.updated': {
      const message = event.data;
      const conversation = find(message.conversationId);
      if (!conversation) return unchanged;
      return { timeline: withConversation(timeline, { ...conversation, messages: upsertMessages(conversation.messages, [message]) }), refetch: false };
    }
    case 'conversation.created':
    case 'conversation.updated': {
      const incoming = event.data;
      if (!sameId(incoming.customer.id, timeline.customer.id)) return unchanged;
      const existing = find(incoming.id);
      // A new conversation's messages come as their own events, right after this one; an update
      // of one never seen means events were missed, and only a refetch brings its messages.
      if (!existing && event.type === 'conversation.updated') return { timeline, refetch: true };
      return { timeline: withConversation(timeline, { ...incoming, messages: existing?.messages ?? [] }), refetch: false };
    }
    case 'customer.updated':
      return sameId(event.data.id, timeline.customer.id) ? { timeline: { ...timeline, customer: event.data }, refetch: false } : unchanged;
  }
}

/**
 * Takes in a fetched timeline without losing what events brought while the request was on its
 * way: the answer may predate them. Nothing deletes a message or a conversation, so what only
 * this screen knows is kept, and a status still only moves forward.
 */
export function mergeTimeline(current: Timeline | null, fetched: Timeline): Timeline {
  if (!current || !sameId(current.customer.id, fetched.customer.id)) return fetched;
  const known = new Map(current.conversations.map((c) => [String(c.id), c]));
  const conversations = fetched.conversations.map((c) => {
    const mine = known.get(String(c.id));
    known.delete(String(c.id));
    return mine ? { ...c, messages: upsertMessages(mine.messages, c.messages) } : c;
  });
  return { ...fetched, conversations: sortTimeline([...conversations, ...known.values()]) };
}

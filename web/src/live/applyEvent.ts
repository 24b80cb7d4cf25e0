/**
 * The one place that knows how each event changes what is on screen. Everything here is pure.
 *
 * Each SSE frame is JSON `{type, data}` (the server's StreamEvent): `data` is the object as the
 * API presents it or, on PostgreSQL when the object is too large for one NOTIFY, a reference
 * `{id, conversationId?, partial: true}` that asks the screen to refetch.
 */
import type { EventReference, EventType, PresentedEvent, StreamEvent } from '../../../src/features/events/app-event';
import { canMoveTo, isRetryable } from '../../../src/domain/message-status';
import { previewOf } from '../../../src/domain/preview';
import type { Conversation, ConversationStatus, Customer, Id, InboxView, Message, Timeline, TimelineConversation } from '../api/types';

export type LiveEvent = (PresentedEvent & { partial: false }) | { type: EventType; partial: true; ref: EventReference };

const KNOWN: Record<EventType, true> = {
  'message.created': true,
  'message.updated': true,
  'conversation.created': true,
  'conversation.updated': true,
  'customer.updated': true,
};

type AnyEvent = Exclude<StreamEvent, { type: 'resync' }>;
const isEvent = (frame: StreamEvent): frame is AnyEvent => Object.hasOwn(KNOWN, frame.type);

/** One SSE frame as an event; null for `resync` (the hub's business) and for a type from a newer server. */
export function parseEvent(raw: string): LiveEvent | null {
  const event = JSON.parse(raw) as StreamEvent;
  if (!isEvent(event)) return null;
  if ('partial' in event.data) return { type: event.type, partial: true, ref: event.data };
  return { ...(event as PresentedEvent), partial: false };
}

// ---------------------------------------------------------------- inbox

export interface InboxFilter {
  status: ConversationStatus;
  assignee: 'me' | 'unassigned' | null;
  meId: Id;
  q: string;
  labelId: Id | null;
}

export function inboxFilter(view: InboxView, meId: Id, q: string, labelId: Id | null = null): InboxFilter {
  return {
    status: view === 'closed' ? 'closed' : 'open',
    assignee: view === 'mine' ? 'me' : view === 'unassigned' ? 'unassigned' : null,
    meId,
    q: q.trim(),
    labelId,
  };
}

export function matchesFilter(conversation: Conversation, filter: InboxFilter): boolean {
  if (conversation.status !== filter.status) return false;
  if (filter.assignee === 'me' && conversation.assigneeId !== filter.meId) return false;
  if (filter.assignee === 'unassigned' && conversation.assigneeId !== null) return false;
  if (filter.labelId !== null && !conversation.labels.some((l) => l.id === filter.labelId)) return false;
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
  return [...items].sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt) || b.id.localeCompare(a.id));
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
      const existing = items.find((c) => c.id === incoming.id);
      const rest = items.filter((c) => c.id !== incoming.id);
      if (!matchesFilter(incoming, filter)) return existing ? { items: rest, refetch: false } : unchanged;
      // Unread is per person: keep what this screen knows, take the server's word for a new row.
      const unread = incoming.id === openId ? false : existing ? existing.unread : incoming.unread;
      return { items: sortByActivity([...rest, { ...incoming, unread }]), refetch: false };
    }
    case 'message.created': {
      const message = event.data;
      const existing = items.find((c) => c.id === message.conversationId);
      if (message.direction === 'note') return existing ? { items: markMentioned(items, existing, message, filter.meId, openId), refetch: false } : unchanged;
      if (!existing) return { items, refetch: filter.status === 'open' };
      const newer = message.createdAt >= existing.lastMessageAt;
      const updated: Conversation = {
        ...existing,
        lastMessageAt: newer ? message.createdAt : existing.lastMessageAt,
        preview: newer ? previewOf(message.body, message.media.length) : existing.preview,
        unread: message.direction === 'inbound' && existing.id !== openId ? true : existing.unread,
      };
      return { items: sortByActivity(items.map((c) => (c === existing ? updated : c))), refetch: false };
    }
    case 'customer.updated': {
      const customer = event.data;
      if (!items.some((c) => c.customer.id === customer.id)) return unchanged;
      return {
        items: items.map((c) =>
          c.customer.id === customer.id ? { ...c, customer: { ...c.customer, name: customer.name, phone: customer.phone } } : c,
        ),
        refetch: false,
      };
    }
    default:
      return unchanged;
  }
}

/** A note is not activity: it moves nothing, and is unread only for those it mentions. */
function markMentioned(items: Conversation[], existing: Conversation, note: Message, meId: Id, openId: Id | null): Conversation[] {
  if (existing.id === openId || existing.unread || !note.mentions.includes(meId)) return items;
  return items.map((c) => (c === existing ? { ...c, unread: true } : c));
}

/** Merges a fresh first page into a list that may hold older pages already. */
export function mergeFirstPage(items: Conversation[], page: Conversation[], hasMore: boolean): Conversation[] {
  const fresh = new Set(page.map((c) => c.id));
  const oldest = page.reduce<string | null>((min, c) => (min === null || c.lastMessageAt < min ? c.lastMessageAt : min), null);
  // Rows inside the fresh page's window that it no longer holds have left this view.
  const kept = items.filter((c) => !fresh.has(c.id) && hasMore && oldest !== null && c.lastMessageAt < oldest);
  return sortByActivity([...page, ...kept]);
}

// ---------------------------------------------------------------- thread

export interface MergeOptions {
  /**
   * False for the answer to the POST that sent or retried the message: the worker may have sent
   * it and its events may have arrived first, so that `pending` is stale, not a retry.
   */
  allowRetry?: boolean;
}

/**
 * A status only moves forward and the first final status wins (docs/rules.md#outbound-messages, the server's own
 * order), whatever order the POST's answer and the events arrive in. A retry is the one way
 * back: a failed message that becomes pending or queued again.
 */
export function mergeMessage(existing: Message, incoming: Message, { allowRetry = true }: MergeOptions = {}): Message {
  const merged = { ...existing, ...incoming };
  if (existing.status === incoming.status || existing.status === null || incoming.status === null) return merged;
  const retried = allowRetry && isRetryable(existing.status) && (incoming.status === 'pending' || incoming.status === 'queued');
  if (retried || canMoveTo(existing.status, incoming.status)) return merged;
  return { ...merged, status: existing.status, errorCode: existing.errorCode, errorMessage: existing.errorMessage };
}

/** Oldest first; the id breaks ties (ids are time-ordered). */
export function sortThread(messages: Message[]): Message[] {
  return [...messages].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

export function upsertMessages(messages: Message[], incoming: Message[], options?: MergeOptions): Message[] {
  if (incoming.length === 0) return messages;
  const byId = new Map(messages.map((m) => [m.id, m]));
  for (const message of incoming) {
    const existing = byId.get(message.id);
    byId.set(message.id, existing ? mergeMessage(existing, message, options) : message);
  }
  return sortThread([...byId.values()]);
}

/** Optimistic copies of messages this screen is sending carry ids the server never gives. */
const LOCAL_ID_PREFIX = 'local-';
let localSequence = 0;
export const newLocalId = (): Id => `${LOCAL_ID_PREFIX}${++localSequence}`;
const isLocal = (message: Message) => message.id.startsWith(LOCAL_ID_PREFIX);

/**
 * The server's copy of a message sent from this screen can arrive (by event or refetch) before
 * the POST's answer does: it takes the place of its optimistic copy, so the thread never shows
 * the message twice.
 */
export function claimLocalCopy(messages: Message[], incoming: Message): Message[] {
  if (incoming.direction !== 'outbound' || messages.some((m) => m.id === incoming.id)) return messages;
  const local = messages.find(
    (m) => isLocal(m) && m.authorId === incoming.authorId && m.body === incoming.body && m.media.length === incoming.media.length,
  );
  return local ? messages.filter((m) => m !== local) : messages;
}

export interface ThreadChange {
  messages: Message[];
  refetch: boolean;
}

export function applyToThread(messages: Message[], event: LiveEvent, conversationId: Id): ThreadChange {
  if (event.partial) {
    const mine = event.type.startsWith('message.') && event.ref.conversationId === conversationId;
    return { messages, refetch: mine };
  }
  if ((event.type === 'message.created' || event.type === 'message.updated') && event.data.conversationId === conversationId) {
    return { messages: upsertMessages(claimLocalCopy(messages, event.data), [event.data]), refetch: false };
  }
  return { messages, refetch: false };
}

// ---------------------------------------------------------------- one conversation, one customer

export function applyToConversation(conversation: Conversation, event: LiveEvent): { conversation: Conversation; refetch: boolean } {
  if (event.partial) {
    const mine = event.type.startsWith('conversation.') && event.ref.id === conversation.id;
    return { conversation, refetch: mine };
  }
  if (event.type === 'conversation.updated' && event.data.id === conversation.id) {
    return { conversation: { ...event.data, unread: false }, refetch: false };
  }
  if (event.type === 'customer.updated' && event.data.id === conversation.customer.id) {
    const { name, phone } = event.data;
    return { conversation: { ...conversation, customer: { ...conversation.customer, name, phone } }, refetch: false };
  }
  return { conversation, refetch: false };
}

export function applyToCustomer(customer: Customer, event: LiveEvent): { customer: Customer; refetch: boolean } {
  if (event.type !== 'customer.updated') return { customer, refetch: false };
  if (event.partial) return { customer, refetch: event.ref.id === customer.id };
  return event.data.id === customer.id ? { customer: event.data, refetch: false } : { customer, refetch: false };
}

// ---------------------------------------------------------------- a customer's timeline

export interface TimelineChange {
  timeline: Timeline;
  /** Something changed that the timeline cannot work out by itself: fetch it again. */
  refetch: boolean;
}

/** Newest first by when each began, as the server lists them; the id breaks ties. */
function sortTimeline(conversations: TimelineConversation[]): TimelineConversation[] {
  return [...conversations].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

function withConversation(timeline: Timeline, conversation: TimelineConversation): Timeline {
  const rest = timeline.conversations.filter((c) => c.id !== conversation.id);
  return { ...timeline, conversations: sortTimeline([...rest, conversation]) };
}

/** A reference names no customer: messages and conversations are matched by conversation instead. */
function partialTouchesTimeline(timeline: Timeline, event: Extract<LiveEvent, { partial: true }>): boolean {
  const { ref } = event;
  const ours = (id: Id | undefined) => timeline.conversations.some((c) => c.id === id);
  switch (event.type) {
    case 'message.created':
    case 'message.updated':
      return ours(ref.conversationId);
    case 'conversation.created':
      // A new conversation of unknown customer may be this one's.
      return true;
    case 'conversation.updated':
      return ours(ref.id);
    case 'customer.updated':
      return ref.id === timeline.customer.id;
  }
}

/** The timeline follows the stream as the thread does: messages merge by id, statuses only move forward. */
export function applyToTimeline(timeline: Timeline, event: LiveEvent): TimelineChange {
  const unchanged = { timeline, refetch: false };
  if (event.partial) return { timeline, refetch: partialTouchesTimeline(timeline, event) };
  const find = (id: Id) => timeline.conversations.find((c) => c.id === id);

  switch (event.type) {
    case 'message.created':
    case 'message.updated': {
      const message = event.data;
      const conversation = find(message.conversationId);
      if (!conversation) return unchanged;
      const isNew = !conversation.messages.some((m) => m.id === message.id);
      const messageCount = conversation.messageCount + (isNew && event.type === 'message.created' ? 1 : 0);
      return { timeline: withConversation(timeline, { ...conversation, messageCount, messages: upsertMessages(conversation.messages, [message]) }), refetch: false };
    }
    case 'conversation.created':
    case 'conversation.updated': {
      const incoming = event.data;
      if (incoming.customer.id !== timeline.customer.id) return unchanged;
      const existing = find(incoming.id);
      // A new conversation's messages come as their own events, right after this one; an update
      // of one never seen means events were missed, and only a refetch brings its messages.
      if (!existing && event.type === 'conversation.updated') return { timeline, refetch: true };
      const loaded = existing ? { messageCount: existing.messageCount, messages: existing.messages, messagesCursor: existing.messagesCursor } : { messageCount: 0, messages: [], messagesCursor: null };
      return { timeline: withConversation(timeline, { ...incoming, ...loaded }), refetch: false };
    }
    case 'customer.updated':
      return event.data.id === timeline.customer.id ? { timeline: { ...timeline, customer: event.data }, refetch: false } : unchanged;
  }
}

/**
 * Takes in a fetched first page without losing what events brought while the request was on its
 * way (the answer may predate them) or the older pages and messages the agent had loaded.
 * Nothing deletes a message or a conversation, so what only this screen knows is kept, and a
 * status still only moves forward.
 */
export function mergeTimeline(current: Timeline | null, fetched: Timeline): Timeline {
  if (!current || current.customer.id !== fetched.customer.id) return fetched;
  const known = new Map(current.conversations.map((c) => [c.id, c]));
  const conversations = fetched.conversations.map((c) => {
    const mine = known.get(c.id);
    known.delete(c.id);
    if (!mine) return c;
    // Older messages loaded on this screen keep their place, and so does the cursor before them.
    const olderLoaded = mine.messages.length > 0 && (c.messages.length === 0 || mine.messages[0]!.createdAt < c.messages[0]!.createdAt);
    return {
      ...c,
      messageCount: Math.max(c.messageCount, mine.messageCount),
      messages: upsertMessages(mine.messages, c.messages),
      messagesCursor: olderLoaded ? mine.messagesCursor : c.messagesCursor,
    };
  });
  const oldestFetched = fetched.conversations.at(-1);
  const deeper = oldestFetched !== undefined && [...known.values()].some((c) => c.createdAt < oldestFetched.createdAt);
  return {
    ...fetched,
    conversations: sortTimeline([...conversations, ...known.values()]),
    nextCursor: deeper ? current.nextCursor : fetched.nextCursor,
    optOutChanges: withOptOutChanges(current.optOutChanges, fetched.optOutChanges),
  };
}

/** The next page of conversations, after those shown, with the opt-out changes of its span of time. */
export function appendTimelinePage(current: Timeline, page: Timeline): Timeline {
  const shown = new Set(current.conversations.map((c) => c.id));
  return {
    ...current,
    conversations: sortTimeline([...current.conversations, ...page.conversations.filter((c) => !shown.has(c.id))]),
    nextCursor: page.nextCursor,
    optOutChanges: withOptOutChanges(current.optOutChanges, page.optOutChanges),
  };
}

/** Each page brings the changes of its own span: together, oldest first, each once. */
function withOptOutChanges(shown: Timeline['optOutChanges'], more: Timeline['optOutChanges']): Timeline['optOutChanges'] {
  const byId = new Map([...shown, ...more].map((c) => [c.id, c]));
  return [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** A conversation's older messages, loaded from its thread as the agent asks for them. */
export function prependTimelineMessages(timeline: Timeline, conversationId: Id, older: Message[], cursor: string | null): Timeline {
  return {
    ...timeline,
    conversations: timeline.conversations.map((c) => (c.id === conversationId ? { ...c, messages: upsertMessages(c.messages, older), messagesCursor: cursor } : c)),
  };
}

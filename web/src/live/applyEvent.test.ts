// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { EventReference, EventType, PresentedEvent } from '../../../src/features/events/app-event';
import type { Conversation, Message, Timeline, TimelineConversation } from '../api/types';
import { aConversation, aCustomer, aMessage, aTimelineConversation } from '../test/factories';
import {
  applyToConversation,
  applyToInbox,
  applyToThread,
  applyToTimeline,
  appendTimelinePage,
  inboxFilter,
  mergeFirstPage,
  mergeMessage,
  mergeTimeline,
  newLocalId,
  parseEvent,
  prependTimelineMessages,
  upsertMessages,
  type LiveEvent,
  } from './applyEvent';

/** An event as the server frames it, through parseEvent. */
const event = <T extends EventType>(type: T, data: Extract<PresentedEvent, { type: T }>['data']) => parseEvent(JSON.stringify({ type, data }))!;
const partial = (type: EventType, ref: Omit<EventReference, 'partial'>) => parseEvent(JSON.stringify({ type, data: { ...ref, partial: true } }))!;

describe('parseEvent', () => {
  it('reads the server frames: presented objects and references', () => {
    expect(parseEvent(JSON.stringify({ type: 'customer.updated', data: aCustomer() }))).toEqual({ type: 'customer.updated', partial: false, data: aCustomer() });
    expect(parseEvent(JSON.stringify({ type: 'message.created', data: { id: 'm9', conversationId: 'c1', partial: true } }))).toEqual({
      type: 'message.created',
      partial: true,
      ref: { id: 'm9', conversationId: 'c1', partial: true },
    });
  });

  it('leaves resync to the hub and ignores an event type it does not know', () => {
    expect(parseEvent(JSON.stringify({ type: 'resync', data: {} }))).toBeNull();
    expect(parseEvent(JSON.stringify({ type: 'user.deleted', data: { id: 'u1' } }))).toBeNull();
  });
});

describe('applyToInbox', () => {
  const open = inboxFilter('open', 'u1', '');

  it('puts a conversation with new activity on top and marks a customer message unread', () => {
    const items = [aConversation({ id: 'c2', lastMessageAt: '2025-03-03T11:00:00.000Z' }), aConversation({ id: 'c1' })];
    const change = applyToInbox(items, event('message.created', aMessage({ conversationId: 'c1', createdAt: '2025-03-03T12:00:00.000Z', body: 'New!' })), open, null);
    expect(change.items.map((c) => c.id)).toEqual(['c1', 'c2']);
    expect(change.items[0]).toMatchObject({ preview: 'New!', unread: true, lastMessageAt: '2025-03-03T12:00:00.000Z' });
    expect(change.refetch).toBe(false);
  });

  it('never marks the open conversation unread', () => {
    const change = applyToInbox([aConversation()], event('message.created', aMessage({ createdAt: '2025-03-03T12:00:00.000Z' })), open, 'c1');
    expect(change.items[0]!.unread).toBe(false);
  });

  it('a note moves nothing in the inbox and is unread only for the users it mentions', () => {
    const items = [aConversation({ id: 'c2', lastMessageAt: '2025-03-03T11:00:00.000Z' }), aConversation({ id: 'c1', lastMessageAt: '2025-03-03T10:00:00.000Z', preview: 'Hello' })];
    const note = (mentions: string[]) =>
      event('message.created', aMessage({ conversationId: 'c1', direction: 'note', status: null, segments: null, encoding: null, body: 'internal', mentions, createdAt: '2025-03-03T12:00:00.000Z' }));
    const other = applyToInbox(items, note(['u2']), open, null);
    expect(other.items).toBe(items);
    const mine = applyToInbox(items, note(['u1']), open, null);
    expect(mine.items.map((c) => [c.id, c.preview, c.lastMessageAt, c.unread])).toEqual([
      ['c2', 'Hello', '2025-03-03T11:00:00.000Z', false],
      ['c1', 'Hello', '2025-03-03T10:00:00.000Z', true],
    ]);
    expect(applyToInbox(items, note(['u1']), open, 'c1').items[1]!.unread).toBe(false);
    expect(applyToInbox([], note(['u1']), open, null).refetch).toBe(false);
  });

  it('asks for a refetch when a message arrives for a conversation it does not hold', () => {
    expect(applyToInbox([], event('message.created', aMessage({ conversationId: 'c9' })), open, null).refetch).toBe(true);
  });

  it('adds, updates and removes conversations by the view filter', () => {
    const mine = inboxFilter('mine', 'u1', '');
    const assigned = applyToInbox([], event('conversation.updated', aConversation({ assigneeId: 'u1', unread: true })), mine, null);
    expect(assigned.items).toHaveLength(1);
    expect(assigned.items[0]!.unread).toBe(true);
    const reassigned = applyToInbox(assigned.items, event('conversation.updated', aConversation({ assigneeId: 'u2' })), mine, null);
    expect(reassigned.items).toHaveLength(0);
    const closed = applyToInbox([aConversation()], event('conversation.updated', aConversation({ status: 'closed' })), open, null);
    expect(closed.items).toHaveLength(0);
  });

  it('keeps what this screen knows about unread when someone else changes a conversation', () => {
    const items = [aConversation({ unread: true })];
    const change = applyToInbox(items, event('conversation.updated', aConversation({ unread: false, assigneeId: 'u2' })), open, null);
    expect(change.items[0]).toMatchObject({ unread: true, assigneeId: 'u2' });
  });

  it('only shows search matches', () => {
    const search = inboxFilter('open', 'u1', '555');
    expect(applyToInbox([], event('conversation.created', aConversation()), search, null).items).toHaveLength(1);
    const byName = inboxFilter('open', 'u1', 'grace');
    expect(applyToInbox([], event('conversation.created', aConversation()), byName, null).items).toHaveLength(0);
  });

  it('renames customers everywhere', () => {
    const change = applyToInbox([aConversation()], event('customer.updated', aCustomer({ name: 'Ada King' })), open, null);
    expect(change.items[0]!.customer.name).toBe('Ada King');
  });
});

describe('mergeFirstPage', () => {
  it('drops rows that left the fresh window, keeps older pages', () => {
    const current = [
      aConversation({ id: 'a', lastMessageAt: '2025-03-03T12:00:00.000Z' }),
      aConversation({ id: 'gone', lastMessageAt: '2025-03-03T12:30:00.000Z' }),
      aConversation({ id: 'old', lastMessageAt: '2025-03-01T00:00:00.000Z' }),
    ];
    const page = [aConversation({ id: 'new', lastMessageAt: '2025-03-03T13:00:00.000Z' }), aConversation({ id: 'a', lastMessageAt: '2025-03-03T12:00:00.000Z' })];
    expect(mergeFirstPage(current, page, true).map((c) => c.id)).toEqual(['new', 'a', 'old']);
    expect(mergeFirstPage(current, page, false).map((c) => c.id)).toEqual(['new', 'a']);
  });
});

describe('messages', () => {
  const out = (status: string, extra = {}) => aMessage({ direction: 'outbound', status: status as never, ...extra });

  it('moves statuses forward only, and the first final status wins', () => {
    expect(mergeMessage(out('queued'), out('pending')).status).toBe('queued');
    expect(mergeMessage(out('pending'), out('sent')).status).toBe('sent');
    expect(mergeMessage(out('delivered'), out('sent')).status).toBe('delivered');
    expect(mergeMessage(out('delivered'), out('failed', { errorMessage: 'late' }))).toMatchObject({ status: 'delivered', errorMessage: null });
    expect(mergeMessage(out('sending'), out('failed', { errorCode: 30003 }))).toMatchObject({ status: 'failed', errorCode: 30003 });
  });

  it('lets a retry bring a failed message back to pending', () => {
    expect(mergeMessage(out('failed', { errorMessage: 'x' }), out('pending')).status).toBe('pending');
  });

  it('keeps a status that events brought before the answer to the send', () => {
    // The worker sent it and Twilio failed it before the 202 (status pending) reached the page.
    const answered = upsertMessages([out('failed', { errorCode: 30006 })], [out('pending')], { allowRetry: false });
    expect(answered[0]).toMatchObject({ status: 'failed', errorCode: 30006 });
    expect(mergeMessage(out('queued'), out('pending'), { allowRetry: false }).status).toBe('queued');
  });

  it('keeps the thread oldest first, deduplicated by id', () => {
    const thread = upsertMessages([aMessage({ id: 'b', createdAt: '2025-03-03T11:00:00.000Z' })], [aMessage({ id: 'a' }), aMessage({ id: 'b', createdAt: '2025-03-03T11:00:00.000Z', body: 'edited' })]);
    expect(thread.map((m) => [m.id, m.body])).toEqual([
      ['a', 'Hello'],
      ['b', 'edited'],
    ]);
  });

  it('lets the server’s copy of a message being sent take its optimistic copy’s place when the event beats the answer', () => {
    const local = out('pending', { id: newLocalId(), authorId: 'u1', body: 'We open at 10' });
    const other = out('pending', { id: newLocalId(), authorId: 'u1', body: 'Something else', createdAt: '2025-03-03T10:00:01.000Z' });
    const server = out('delivered', { id: 'm9', authorId: 'u1', body: 'We open at 10' });
    const thread = applyToThread([local, other], event('message.created', server), 'c1').messages;
    expect(thread.map((m) => m.id)).toEqual(['m9', other.id]);
    // An inbound message with the same words, or an agent’s copy already shown, claims nothing.
    expect(applyToThread([local], event('message.created', aMessage({ id: 'm10', body: 'We open at 10' })), 'c1').messages).toHaveLength(2);
    expect(applyToThread(thread, event('message.updated', server), 'c1').messages.map((m) => m.id)).toEqual(['m9', other.id]);
  });

  it('applies only this conversation’s messages', () => {
    expect(applyToThread([], event('message.created', aMessage({ conversationId: 'c2' })), 'c1').messages).toHaveLength(0);
    expect(applyToThread([], event('message.created', aMessage()), 'c1').messages).toHaveLength(1);
    expect(applyToThread([], partial('message.updated', { id: 'm1', conversationId: 'c1' }), 'c1').refetch).toBe(true);
    expect(applyToThread([], partial('message.updated', { id: 'm1', conversationId: 'c2' }), 'c1').refetch).toBe(false);
  });
});

describe('applyToConversation', () => {
  it('follows updates of the open conversation and its customer', () => {
    const conversation = aConversation();
    expect(applyToConversation(conversation, event('conversation.updated', aConversation({ status: 'closed' }))).conversation.status).toBe('closed');
    expect(applyToConversation(conversation, event('customer.updated', aCustomer({ name: 'Ada' }))).conversation.customer.name).toBe('Ada');
    expect(applyToConversation(conversation, event('conversation.updated', aConversation({ id: 'c2' }))).conversation).toBe(conversation);
  });
});

describe('applyToTimeline', () => {
  // Ada's timeline, newest first: c2 (one message) and an earlier c1 (two messages).
  const c1 = aTimelineConversation({ id: 'c1' }, [aMessage({ id: 'm1' }), aMessage({ id: 'm2', direction: 'outbound', status: 'sent', createdAt: '2025-03-03T10:05:00.000Z' })]);
  const c2 = aTimelineConversation({ id: 'c2', createdAt: '2025-03-05T09:00:00.000Z' }, [aMessage({ id: 'm5', conversationId: 'c2', createdAt: '2025-03-05T09:00:00.000Z' })]);
  const timeline: Timeline = { customer: aCustomer(), conversations: [c2, c1], nextCursor: null, optOutChanges: [] };
  const countOf = (t: Timeline, id: string) => t.conversations.find((c) => c.id === id)!.messageCount;
  const messagesOf = (t: Timeline, id: string) => t.conversations.find((c) => c.id === id)!.messages;
  const reply = (overrides: Partial<Message> = {}) => aMessage({ id: 'm3', direction: 'outbound', status: 'pending', body: 'On it', authorId: 'u1', createdAt: '2025-03-03T10:10:00.000Z', ...overrides });

  it('adds a new message to its conversation, oldest first, leaving the others alone', () => {
    const early = aMessage({ id: 'm0', createdAt: '2025-03-03T09:00:00.000Z' });
    const change = applyToTimeline(applyToTimeline(timeline, event('message.created', reply())).timeline, event('message.created', early));
    expect(messagesOf(change.timeline, 'c1').map((m) => m.id)).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect(countOf(change.timeline, 'c1')).toBe(4);
    expect(messagesOf(change.timeline, 'c2')).toBe(c2.messages);
    expect(change.refetch).toBe(false);
  });

  it('shows a message once, however many times it arrives', () => {
    const once = applyToTimeline(timeline, event('message.created', reply())).timeline;
    const twice = applyToTimeline(once, event('message.created', reply())).timeline;
    expect(messagesOf(twice, 'c1').map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect(countOf(twice, 'c1')).toBe(3);
  });

  it('moves a message’s status forward only', () => {
    const delivered = applyToTimeline(timeline, event('message.updated', { ...c1.messages[1]!, status: 'delivered' })).timeline;
    expect(messagesOf(delivered, 'c1')[1]!.status).toBe('delivered');
    const late = applyToTimeline(delivered, event('message.updated', { ...c1.messages[1]!, status: 'sending' })).timeline;
    expect(messagesOf(late, 'c1')[1]!.status).toBe('delivered');
    expect(countOf(late, 'c1')).toBe(2);
  });

  it('ignores messages of other customers’ conversations', () => {
    const change = applyToTimeline(timeline, event('message.created', reply({ conversationId: 'c9' })));
    expect(change.timeline).toBe(timeline);
    expect(change.refetch).toBe(false);
  });

  it('adds a new conversation of this customer, whose messages follow as their own events', () => {
    const created = applyToTimeline(timeline, event('conversation.created', aConversation({ id: 'c3', createdAt: '2025-03-04T00:00:00.000Z' })));
    expect(created.refetch).toBe(false);
    expect(created.timeline.conversations.map((c) => [c.id, c.messages.length, c.messageCount])).toEqual([
      ['c2', 1, 1],
      ['c3', 0, 0],
      ['c1', 2, 2],
    ]);
    const first = applyToTimeline(created.timeline, event('message.created', reply({ conversationId: 'c3', createdAt: '2025-03-04T00:00:00.000Z' })));
    expect(messagesOf(first.timeline, 'c3').map((m) => m.id)).toEqual(['m3']);

    const someoneElse = aConversation({ id: 'c8', customer: { id: 'cu2', name: 'Alan Turing', phone: '+441234567890' } });
    expect(applyToTimeline(timeline, event('conversation.created', someoneElse)).timeline).toBe(timeline);
  });

  it('follows a conversation’s changes and keeps its messages', () => {
    const closed = applyToTimeline(timeline, event('conversation.updated', aConversation({ id: 'c1', status: 'closed' })));
    expect(closed.timeline.conversations[1]).toMatchObject({ id: 'c1', status: 'closed', messageCount: 2 });
    expect(messagesOf(closed.timeline, 'c1')).toBe(c1.messages);
    expect(closed.refetch).toBe(false);
    // A duplicate of a conversation already shown does not empty it either.
    expect(messagesOf(applyToTimeline(timeline, event('conversation.created', aConversation({ id: 'c1' }))).timeline, 'c1')).toBe(c1.messages);
  });

  it('refetches for a change to a conversation of this customer it never saw, whose messages it lacks', () => {
    const change = applyToTimeline(timeline, event('conversation.updated', aConversation({ id: 'c7' })));
    expect(change).toEqual({ timeline, refetch: true });
  });

  it('takes in the customer’s own changes', () => {
    expect(applyToTimeline(timeline, event('customer.updated', aCustomer({ name: 'Ada King' }))).timeline.customer.name).toBe('Ada King');
    expect(applyToTimeline(timeline, event('customer.updated', aCustomer({ id: 'cu2', name: 'Alan' }))).timeline).toBe(timeline);
  });

  it('refetches for a partial event that may be about this timeline, and only then', () => {
    const refetches = (e: LiveEvent) => applyToTimeline(timeline, e).refetch;
    expect(refetches(partial('message.created', { id: 'm9', conversationId: 'c2' }))).toBe(true);
    expect(refetches(partial('message.updated', { id: 'm9', conversationId: 'c9' }))).toBe(false);
    // The server's reference to a conversation names no customer: a new one may be this customer's.
    expect(refetches(partial('conversation.created', { id: 'c9' }))).toBe(true);
    expect(refetches(partial('conversation.updated', { id: 'c1' }))).toBe(true);
    expect(refetches(partial('conversation.updated', { id: 'c9' }))).toBe(false);
    expect(refetches(partial('customer.updated', { id: 'cu1' }))).toBe(true);
    expect(refetches(partial('customer.updated', { id: 'cu2' }))).toBe(false);
    expect(applyToTimeline(timeline, partial('message.created', { id: 'm9', conversationId: 'c2' })).timeline).toBe(timeline);
  });
});

describe('mergeTimeline', () => {
  const conversation = (overrides: Partial<Conversation>, messages: Message[], more: Partial<TimelineConversation> = {}) => aTimelineConversation(overrides, messages, more);
  const timelineOf = (nextCursor: string | null, ...conversations: TimelineConversation[]): Timeline => ({ customer: aCustomer(), conversations, nextCursor, optOutChanges: [] });

  it('keeps what events brought while the request was on its way, and statuses never move back', () => {
    // Shown: m2 delivered and m3 just arrived, and a conversation c3 just created; the answer predates all three.
    const current = timelineOf(
      null,
      conversation({ id: 'c3', createdAt: '2025-03-06T00:00:00.000Z' }, []),
      conversation({ id: 'c1' }, [aMessage({ id: 'm2', direction: 'outbound', status: 'delivered' }), aMessage({ id: 'm3', createdAt: '2025-03-03T11:00:00.000Z' })], { messageCount: 3 }),
    );
    const fetched = timelineOf(
      null,
      conversation({ id: 'c2', createdAt: '2025-03-05T00:00:00.000Z' }, [aMessage({ id: 'm5', conversationId: 'c2' })]),
      conversation({ id: 'c1', status: 'closed' }, [aMessage({ id: 'm1', createdAt: '2025-03-03T09:00:00.000Z' }), aMessage({ id: 'm2', direction: 'outbound', status: 'sent' })]),
    );
    const merged = mergeTimeline(current, fetched);
    expect(merged.conversations.map((c) => c.id)).toEqual(['c3', 'c2', 'c1']);
    expect(merged.conversations[2]).toMatchObject({ status: 'closed', messageCount: 3 });
    expect(merged.conversations[2]!.messages.map((m) => [m.id, m.status])).toEqual([
      ['m1', 'received'],
      ['m2', 'delivered'],
      ['m3', 'received'],
    ]);
    expect(merged.conversations[1]!.messages.map((m) => m.id)).toEqual(['m5']);
  });

  it('keeps older pages and older messages the agent loaded, with the cursors past them', () => {
    const older = aMessage({ id: 'm0', createdAt: '2025-03-03T08:00:00.000Z' });
    const current = timelineOf(
      'after-c0',
      conversation({ id: 'c1' }, [older, aMessage({ id: 'm1' })], { messageCount: 9, messagesCursor: 'before-m0' }),
      conversation({ id: 'c0', createdAt: '2025-03-01T00:00:00.000Z' }, []),
    );
    const fetched = timelineOf('after-c1', conversation({ id: 'c1' }, [aMessage({ id: 'm1' })], { messageCount: 9, messagesCursor: 'before-m1' }));
    const merged = mergeTimeline(current, fetched);
    expect(merged.conversations.map((c) => c.id)).toEqual(['c1', 'c0']);
    expect(merged.nextCursor).toBe('after-c0');
    expect(merged.conversations[0]).toMatchObject({ messagesCursor: 'before-m0', messageCount: 9 });
    expect(merged.conversations[0]!.messages.map((m) => m.id)).toEqual(['m0', 'm1']);
  });

  it('takes the answer as it is when nothing is shown yet, or another customer is', () => {
    const fetched = timelineOf(null, conversation({ id: 'c1' }, [aMessage()]));
    expect(mergeTimeline(null, fetched)).toBe(fetched);
    const other: Timeline = { customer: aCustomer({ id: 'cu2' }), conversations: [conversation({ id: 'c9' }, [])], nextCursor: null, optOutChanges: [] };
    expect(mergeTimeline(other, fetched)).toBe(fetched);
  });
});

describe('timeline pages', () => {
  it('appends the next page of conversations once each, and prepends a conversation’s older messages', () => {
    const first: Timeline = { customer: aCustomer(), conversations: [aTimelineConversation({ id: 'c2', createdAt: '2025-03-05T00:00:00.000Z' }, [])], nextCursor: 'p2', optOutChanges: [] };
    const second: Timeline = { customer: aCustomer(), conversations: [aTimelineConversation({ id: 'c2', createdAt: '2025-03-05T00:00:00.000Z' }, []), aTimelineConversation({ id: 'c1' }, [aMessage({ id: 'm5' })], { messagesCursor: 'm-older' })], nextCursor: null, optOutChanges: [] };
    const both = appendTimelinePage(first, second);
    expect([both.conversations.map((c) => c.id), both.nextCursor]).toEqual([['c2', 'c1'], null]);
    const earlier = prependTimelineMessages(both, 'c1', [aMessage({ id: 'm4', createdAt: '2025-03-03T09:00:00.000Z' })], null);
    expect(earlier.conversations[1]).toMatchObject({ messagesCursor: null });
    expect(earlier.conversations[1]!.messages.map((m) => m.id)).toEqual(['m4', 'm5']);
  });

  it('keeps the opt-out changes of every page loaded, oldest first, each once, when the first page is fetched again', () => {
    const change = (id: string, createdAt: string) => ({ id, action: 'opt_out' as const, senderId: null, reason: id, actorId: 'u1', createdAt });
    const first: Timeline = { customer: aCustomer(), conversations: [aTimelineConversation({ id: 'c2', createdAt: '2025-03-05T00:00:00.000Z' }, [])], nextCursor: 'p2', optOutChanges: [change('late', '2025-03-06T00:00:00.000Z')] };
    const second: Timeline = { customer: aCustomer(), conversations: [aTimelineConversation({ id: 'c1' }, [])], nextCursor: null, optOutChanges: [change('early', '2025-03-01T00:00:00.000Z')] };
    const both = appendTimelinePage(first, second);
    expect(both.optOutChanges.map((c) => c.id)).toEqual(['early', 'late']);
    const refetched = mergeTimeline(both, { ...first, optOutChanges: [change('late', '2025-03-06T00:00:00.000Z'), change('newer', '2025-03-07T00:00:00.000Z')] });
    expect(refetched.optOutChanges.map((c) => c.id)).toEqual(['early', 'late', 'newer']);
  });
});

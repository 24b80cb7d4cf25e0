// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { aConversation, aCustomer, aMessage } from '../test/factories';
import {
  applyToConversation,
  applyToInbox,
  applyToThread,
  inboxFilter,
  mergeFirstPage,
  mergeMessage,
  newLocalId,
  parseEvent,
  touchesTimeline,
  upsertMessages,
  type LiveEvent,
} from './applyEvent';

const event = (type: string, data: unknown) => parseEvent('message', JSON.stringify({ type, data })) as LiveEvent;

describe('parseEvent', () => {
  it('reads {type, data} envelopes, named events, and partial references', () => {
    expect(parseEvent('message', JSON.stringify({ type: 'customer.updated', data: aCustomer() }))).toMatchObject({ type: 'customer.updated', partial: false });
    expect(parseEvent('message.created', JSON.stringify(aMessage()))).toMatchObject({ type: 'message.created', data: { id: 'm1' } });
    expect(parseEvent('message', JSON.stringify({ type: 'message.created', organizationId: 'o', data: { id: 'm9', conversationId: 'c1', partial: true } }))).toEqual({
      type: 'message.created',
      partial: true,
      ref: { id: 'm9', conversationId: 'c1', customerId: null },
    });
  });

  it('ignores what it does not know', () => {
    expect(parseEvent('message', 'ping')).toBeNull();
    expect(parseEvent('message', JSON.stringify({ type: 'user.deleted', data: { id: 1 } }))).toBeNull();
    expect(parseEvent('message', JSON.stringify({ type: 'message.created', data: null }))).toBeNull();
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
    const partial = parseEvent('message', JSON.stringify({ type: 'message.updated', data: { id: 'm1', conversationId: 'c1', partial: true } }))!;
    expect(applyToThread([], partial, 'c1').refetch).toBe(true);
  });
});

describe('conversation and timeline', () => {
  it('follows updates of the open conversation and its customer', () => {
    const conversation = aConversation();
    expect(applyToConversation(conversation, event('conversation.updated', aConversation({ status: 'closed' }))).conversation.status).toBe('closed');
    expect(applyToConversation(conversation, event('customer.updated', aCustomer({ name: 'Ada' }))).conversation.customer.name).toBe('Ada');
    expect(applyToConversation(conversation, event('conversation.updated', aConversation({ id: 'c2' }))).conversation).toBe(conversation);
  });

  it('knows which events touch a customer’s timeline', () => {
    const ids = new Set(['c1']);
    expect(touchesTimeline(event('message.created', aMessage()), 'cu1', ids)).toBe(true);
    expect(touchesTimeline(event('message.created', aMessage({ conversationId: 'c7' })), 'cu1', ids)).toBe(false);
    expect(touchesTimeline(event('conversation.created', aConversation({ id: 'c7' })), 'cu1', ids)).toBe(true);
  });
});

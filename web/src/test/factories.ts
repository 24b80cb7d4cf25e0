import type { Conversation, Customer, Message, Sender, TimelineConversation, User } from '../api/types';

export function aMessage(overrides: Partial<Message> = {}): Message {
  return {
    id: 'm1',
    conversationId: 'c1',
    direction: 'inbound',
    body: 'Hello',
    media: [],
    status: 'received',
    errorCode: null,
    errorMessage: null,
    segments: 1,
    encoding: 'GSM-7',
    twilioSid: null,
    authorId: null,
    automatic: false,
    mentions: [],
    createdAt: '2025-03-03T10:00:00.000Z',
    ...overrides,
  };
}

export function aConversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: 'c1',
    customer: { id: 'cu1', name: 'Ada Lovelace', phone: '+14155550100' },
    senderId: 's1',
    status: 'open',
    assigneeId: null,
    lastMessageAt: '2025-03-03T10:00:00.000Z',
    preview: 'Hello',
    labels: [],
    unread: false,
    createdAt: '2025-03-03T10:00:00.000Z',
    ...overrides,
  };
}

/** A conversation as the timeline shows it: all its messages loaded unless a cursor says otherwise. */
export function aTimelineConversation(overrides: Partial<Conversation>, messages: Message[], more: Partial<Pick<TimelineConversation, 'messageCount' | 'messagesCursor'>> = {}): TimelineConversation {
  return { ...aConversation(overrides), messageCount: messages.length, messages, messagesCursor: null, ...more };
}

export function aCustomer(overrides: Partial<Customer> = {}): Customer {
  return {
    id: 'cu1',
    name: 'Ada Lovelace',
    phone: '+14155550100',
    email: null,
    notes: null,
    smsOptOut: false,
    smsOptOutAt: null,
    optOuts: [],
    twilioOptOuts: [],
    createdAt: '2025-03-01T10:00:00.000Z',
    ...overrides,
  };
}

export function aSender(overrides: Partial<Sender> = {}): Sender {
  return {
    id: 's1',
    type: 'phone_number',
    phoneNumber: '+14155550199',
    shortCode: null,
    messagingServiceSid: null,
    twilioSid: 'PN00000000000000000000000000000000',
    capabilities: { sms: true, mms: true },
    ratePerSecond: 1,
    active: true,
    ...overrides,
  };
}

export function aUser(overrides: Partial<User> = {}): User {
  return { id: 'u1', email: 'agent@example.com', name: 'Grace Hopper', role: 'agent', active: true, ...overrides };
}

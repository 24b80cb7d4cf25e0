import type { PresentedConversation, PresentedMessage } from '../conversations/presenters.js';
import type { PresentedCustomer } from '../customers/presenters.js';

/** What each event carries: the object exactly as the API presents it (docs/api.md). */
interface EventData {
  'message.created': PresentedMessage;
  'message.updated': PresentedMessage;
  'conversation.created': PresentedConversation;
  'conversation.updated': PresentedConversation;
  'customer.updated': PresentedCustomer;
}

export type EventType = keyof EventData;

/** An event as a browser sees it: its type decides the shape of its data. */
export type PresentedEvent = { [T in EventType]: { type: T; data: EventData[T] } }[EventType];

/** An event on the bus, for one organization's streams. */
export type AppEvent = PresentedEvent & { organizationId: string };

/**
 * On PostgreSQL an event too large for one NOTIFY travels as this reference instead of its
 * object (messages name their conversation); the browser refetches what it names.
 */
export interface EventReference {
  id: string;
  conversationId?: string;
  partial: true;
}

/**
 * The JSON of one SSE frame: an event, or `resync` when the stream's process may have missed
 * events (docs/api.md#live-events), on which the browser refetches what it shows.
 */
export type StreamEvent = PresentedEvent | { type: EventType; data: EventReference } | { type: 'resync'; data: Record<string, never> };

/*
 * The builders take the presented object or null (a row gone since the commit), so a caller
 * passes a read straight in and publishCommitted skips what could not be built.
 */

export const messageEvent = (
  type: 'message.created' | 'message.updated',
  organizationId: string,
  message: PresentedMessage | null,
): AppEvent | null => message && { type, organizationId, data: message };

export const conversationEvent = (
  type: 'conversation.created' | 'conversation.updated',
  organizationId: string,
  conversation: PresentedConversation | null,
): AppEvent | null => conversation && { type, organizationId, data: conversation };

export const customerUpdatedEvent = (organizationId: string, customer: PresentedCustomer | null): AppEvent | null =>
  customer && { type: 'customer.updated', organizationId, data: customer };

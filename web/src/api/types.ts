/** The SPEC §7 shapes, as the API returns them (camelCase JSON, ISO 8601 UTC timestamps). */

export type Id = string;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type Role = 'admin' | 'agent';

export interface User {
  id: Id;
  email: string;
  name: string;
  role: Role;
  active: boolean;
}

export interface Organization {
  id: Id;
  name: string;
  threadingWindowHours: number;
}

export interface Me {
  user: User;
  organization: Organization;
}

export type SenderType = 'phone_number' | 'short_code' | 'messaging_service';

export interface Sender {
  id: Id;
  type: SenderType;
  phoneNumber: string | null;
  shortCode: string | null;
  messagingServiceSid: string | null;
  twilioSid: string | null;
  capabilities: { sms: boolean; mms: boolean };
  ratePerSecond: number;
  active: boolean;
}

export interface OptOut {
  senderId: Id;
  at: string;
}

export interface Customer {
  id: Id;
  name: string | null;
  phone: string;
  email: string | null;
  notes: string | null;
  smsOptOut: boolean;
  smsOptOutAt: string | null;
  optOuts: OptOut[];
  createdAt: string;
}

export interface ConversationCustomer {
  id: Id;
  name: string | null;
  phone: string;
}

export type ConversationStatus = 'open' | 'closed';

export interface Conversation {
  id: Id;
  customer: ConversationCustomer;
  senderId: Id;
  status: ConversationStatus;
  assigneeId: Id | null;
  lastMessageAt: string;
  preview: string | null;
  unread: boolean;
  createdAt: string;
}

export type OutboundStatus = 'pending' | 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed';
export type MessageStatus = OutboundStatus | 'received';
export type Encoding = 'GSM-7' | 'UCS-2';

export interface Media {
  id: Id;
  contentType: string;
  size: number;
  url: string;
  /** Inbound pictures are downloaded from Twilio after the message is stored. */
  status?: 'ready' | 'pending' | 'failed';
}

export interface Message {
  id: Id;
  conversationId: Id;
  direction: 'inbound' | 'outbound';
  body: string;
  media: Media[];
  status: MessageStatus;
  errorCode: string | number | null;
  errorMessage: string | null;
  segments: number;
  encoding: Encoding;
  twilioSid: string | null;
  authorId: Id | null;
  createdAt: string;
}

export interface TimelineConversation extends Conversation {
  messages: Message[];
}

export interface Timeline {
  customer: Customer;
  conversations: TimelineConversation[];
}

export interface UploadedMedia {
  id: Id;
  contentType: string;
  size: number;
}

export interface TwilioIntegration {
  connected: boolean;
  accountSid: string | null;
  connectedAt: string | null;
  /** A user id, or the user itself, depending on the server's presenter. */
  connectedBy: Id | { id: Id; name?: string; email?: string } | null;
  paused: boolean;
  senders: Sender[];
}

/** A number already in the Twilio account (IncomingPhoneNumbers). */
export interface IncomingNumber {
  phoneNumber: string;
  friendlyName?: string | null;
  twilioSid?: string | null;
  capabilities?: { sms?: boolean; mms?: boolean } | null;
  smsUrl?: string | null;
  /** Whose SMS URL the number holds: none, Twilio's demo, Parley's, or another application's. */
  webhook?: 'none' | 'demo' | 'parley' | 'other';
  /** Set when Parley already uses the number as a sender. */
  senderId?: Id | null;
}

/** A number Twilio offers to buy (AvailablePhoneNumbers). */
export interface AvailableNumber {
  phoneNumber: string;
  friendlyName?: string | null;
  locality?: string | null;
  region?: string | null;
  capabilities?: { sms?: boolean; mms?: boolean } | null;
}

export type NewSender =
  | { type: 'phone_number'; phoneNumber: string; purchase?: true; replaceWebhook?: boolean }
  | { type: 'short_code'; shortCode: string; replaceWebhook?: boolean }
  | { type: 'messaging_service'; messagingServiceSid: string; replaceWebhook?: boolean };

/** An audit record; only `id`, `action` and `createdAt` are relied upon, the rest is shown as found. */
export interface AuditEntry {
  id: Id;
  action: string;
  createdAt: string;
  /** What the action was about, e.g. a number or a masked Account SID. */
  target?: string | null;
  actorId?: Id | null;
  actor?: { id?: Id; name?: string | null; email?: string } | string | null;
  [key: string]: unknown;
}

export type InboxView = 'open' | 'mine' | 'unassigned' | 'closed';

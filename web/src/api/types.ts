/**
 * The API's shapes (docs/api.md), exactly as the server's presenters and services return them.
 * Imported as types only: the browser bundle holds none of the server's code.
 */
import type { MessageStatus } from '../../../src/domain/message-status';
import type { PresentedOrganization, PresentedPreferences, PresentedUser } from '../../../src/features/accounts/presenters';
import type { login, me, signup } from '../../../src/features/accounts/service';
import type { PresentedAuditEntry } from '../../../src/features/audit/presenters';
import type { PresentedCannedReply } from '../../../src/features/canned-replies/presenters';
import type { PresentedConversation, PresentedMedia, PresentedMessage } from '../../../src/features/conversations/presenters';
import type { PresentedCustomer } from '../../../src/features/customers/presenters';
import type { PresentedSearchResult } from '../../../src/features/search/presenters';
import type { customerTimeline } from '../../../src/features/customers/service';
import type { startConversation } from '../../../src/features/outbound/service';
import type {
  PresentedAddedSender,
  PresentedAdminSender,
  PresentedAvailableNumber,
  PresentedIncomingNumber,
  PresentedIntegration,
  PresentedSender,
  SenderWarning,
} from '../../../src/features/twilio/presenters';

export type { MessageStatus };

type Answer<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

export type Id = string;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type User = PresentedUser;
export type Role = User['role'];
export type Organization = PresentedOrganization;
export type Me = Answer<typeof me>;
export type Preferences = PresentedPreferences;
export type LoginAnswer = Answer<typeof login>;
export type SignupAnswer = Answer<typeof signup>;

export type Sender = PresentedSender;
/** A sender in the admin's integration view, with its last catch-up. */
export type AdminSender = PresentedAdminSender;
/** A sender just added, with `warnings` when there is something left to do outside Parley. */
export type AddedSender = PresentedAddedSender;
export type { SenderWarning };
export type Customer = PresentedCustomer;
export type Conversation = PresentedConversation;
export type Label = Conversation['labels'][number];
export type CannedReply = PresentedCannedReply;
export type ConversationStatus = Conversation['status'];
export type Media = PresentedMedia;
export type Message = PresentedMessage;
export type SearchResult = PresentedSearchResult;
export type Timeline = Answer<typeof customerTimeline>;
export type TimelineConversation = Timeline['conversations'][number];
export type StartedConversation = Answer<typeof startConversation>;
export type UploadedMedia = Pick<Media, 'id' | 'contentType' | 'size'>;

export type TwilioIntegration = PresentedIntegration;
/** A number already in the Twilio account (IncomingPhoneNumbers). */
export type IncomingNumber = PresentedIncomingNumber;
/** A number Twilio offers to buy (AvailablePhoneNumbers). */
export type AvailableNumber = PresentedAvailableNumber;
export type AuditEntry = PresentedAuditEntry;

export type NewSender =
  | { type: 'phone_number'; phoneNumber: string; purchase?: true; replaceWebhook?: boolean }
  | { type: 'short_code'; shortCode: string; replaceWebhook?: boolean }
  | { type: 'messaging_service'; messagingServiceSid: string; replaceWebhook?: boolean };

export type InboxView = 'open' | 'mine' | 'unassigned' | 'closed';

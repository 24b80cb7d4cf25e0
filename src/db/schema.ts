import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';
import type { MessageStatus } from '../domain/message-status.js';
import type { NotifyPreference } from '../domain/notify.js';

export type { MessageStatus };

/*
 * Table types for Kysely. Columns are snake_case in SQL and camelCase here (CamelCasePlugin).
 * Times are integer milliseconds since the epoch on both engines, so one query text serves
 * SQLite and PostgreSQL alike; presenters turn them into ISO 8601. Flags are 0/1 integers
 * for the same reason.
 */
type Millis = number;
type Flag = 0 | 1;

export interface OrganizationsTable {
  id: string;
  name: string;
  threadingWindowHours: number;
  createdAt: Millis;
  /** JSON of BusinessHours (src/domain/business-hours.ts); null: always open. */
  businessHours: ColumnType<string | null, string | null | undefined, string | null>;
  awayMessage: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface UsersTable {
  id: string;
  organizationId: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
  passwordHash: string;
  active: Flag;
  createdAt: Millis;
  notify: ColumnType<NotifyPreference, NotifyPreference | undefined, NotifyPreference>;
  notifySound: ColumnType<Flag, Flag | undefined, Flag>;
}

export interface SessionsTable {
  /** HMAC of the bearer token: a database leak gives no usable session. */
  id: string;
  userId: string;
  organizationId: string;
  createdAt: Millis;
  lastUsedAt: Millis;
}

export interface LoginAttemptsTable {
  id: string;
  /** HMAC of the normalized email: fixed size, and no record of who was tried. */
  key: string;
  at: Millis;
}

export interface TwilioAccountsTable {
  id: string;
  organizationId: string;
  accountSid: string;
  /** AES-256-GCM under a key derived from APP_SECRET; names the secret it was sealed with. */
  authTokenSealed: string;
  connectedAt: Millis;
  connectedBy: string | null;
  /** Set when Twilio answered 20003 to a send: sending waits until the token is replaced. */
  pausedAt: Millis | null;
  /** Webhooks naming this account refused for their signature since the last valid one (0 when none). */
  signatureFailures: ColumnType<number, number | undefined, number>;
  /** When the latest of those was refused. */
  signatureFailureAt: Millis | null;
}

export type SenderType = 'phone_number' | 'short_code' | 'messaging_service';

export interface SendersTable {
  id: string;
  organizationId: string;
  /** Null once the account is disconnected: the sender's history stays, it cannot send. */
  twilioAccountId: string | null;
  type: SenderType;
  phoneNumber: string | null;
  shortCode: string | null;
  messagingServiceSid: string | null;
  /** Whichever of the three identifies the sender; unique among active senders. */
  address: string;
  twilioSid: string | null;
  smsCapable: Flag;
  mmsCapable: Flag;
  ratePerSecond: number;
  /** Shared by every worker: the earliest time the next segment may go out. */
  nextSendAt: Millis;
  active: Flag;
  createdAt: Millis;
  removedAt: Millis | null;
  /**
   * The inbound route Parley replaced when it took the sender over, put back when it lets go.
   * Null URL: nothing recorded (a number Parley bought, or one added before this was kept).
   * A number's or short code's SmsUrl and SmsMethod, or a service's InboundRequestUrl and InboundMethod.
   */
  previousWebhookUrl: Recorded<string>;
  previousWebhookMethod: Recorded<string>;
  /** A number's SmsApplicationSid ('' for none). */
  previousSmsApplicationSid: Recorded<string>;
  /** A service's UseInboundWebhookOnNumber. */
  previousUseInboundWebhookOnNumber: Recorded<Flag>;
  /** Where the last complete catch-up began: the next one lists Twilio's messages from there (less an overlap). Null: never ran. */
  catchupFrom: Recorded<Millis>;
  /** When the last complete catch-up ended, and what it recovered. */
  catchupAt: Recorded<Millis>;
  catchupMessages: ColumnType<number, number | undefined, number>;
  catchupStatuses: ColumnType<number, number | undefined, number>;
  /** Why the latest run failed, when it did; cleared by the next complete one. */
  catchupError: Recorded<string>;
  catchupErrorAt: Recorded<Millis>;
}

/** Nullable, and optional when a row is written: most writes do not touch it. */
type Recorded<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface CustomersTable {
  id: string;
  organizationId: string;
  name: string | null;
  phone: string;
  email: string | null;
  notes: string | null;
  createdAt: Millis;
  updatedAt: Millis;
  /** Name, email and phone digits, folded, for search (src/domain/search.ts customerSearchText). */
  searchText: string;
  /** SQLite only: the customer's row in the `customer_search` trigram index (null on PostgreSQL). */
  searchKey: ColumnType<number | null, number | null | undefined, number | null>;
}

/** SQLite only: the FTS5 trigram index of customers' search text, keyed by their search key. */
export interface CustomerSearchTable {
  rowid: number;
  searchText: string;
}

export interface OptOutsTable {
  customerId: string;
  senderId: string;
  organizationId: string;
  at: Millis;
}

export interface ConversationsTable {
  id: string;
  organizationId: string;
  customerId: string;
  senderId: string;
  status: 'open' | 'closed';
  assigneeId: string | null;
  lastMessageAt: Millis;
  /** Drives the unread marker: a reader is behind when this is newer than their read time. */
  lastInboundAt: Millis | null;
  preview: string;
  createdAt: Millis;
  /** When the away reply went out in this conversation: it goes once. */
  awaySentAt: Recorded<Millis>;
}

export interface ConversationReadsTable {
  conversationId: string;
  userId: string;
  readAt: Millis;
  /** The latest note that mentioned this user: unread for them while newer than readAt. */
  mentionedAt: Recorded<Millis>;
}

export interface MessagesTable {
  id: string;
  organizationId: string;
  conversationId: string;
  /** A note is the team's own: never sent, never customer activity. */
  direction: 'inbound' | 'outbound' | 'note';
  body: string;
  /** A note keeps 'received' here and shows no status. */
  status: MessageStatus;
  errorCode: number | null;
  errorMessage: string | null;
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  twilioSid: string | null;
  authorId: string | null;
  createdAt: Millis;
  updatedAt: Millis;
  /** Sent by Parley itself (the away reply), not by an agent. */
  automatic: ColumnType<Flag, Flag | undefined, Flag>;
  /** A note's mentioned user ids, as JSON; null for every other message. */
  mentions: Recorded<string>;
  /*
   * SQLite also keeps `search_key`, the message's row in `message_search`: set by a trigger,
   * read only by message search (features/search/queries.ts), so it stays out of this type and
   * out of every row the app builds.
   */
}

/**
 * The index of messages' words (0011_message_search), written by triggers on `messages`.
 * SQLite: an FTS5 table, one row per message under its search key (rowid), with the body and
 * the organization's id without hyphens (one word, so a search names it).
 * PostgreSQL: a table of each message's id, organization, time and words (a tsvector).
 */
export interface MessageSearchTable {
  /* SQLite */
  rowid: number;
  body: string;
  organization: string;
  /* PostgreSQL */
  messageId: string;
  organizationId: string;
  createdAt: Millis;
  words: string;
}

export interface SendAttemptsTable {
  id: string;
  messageId: string;
  organizationId: string;
  /** started: calling Twilio; accepted: Twilio gave a SID; unknown: outcome to be checked; failed; superseded. */
  state: 'started' | 'accepted' | 'unknown' | 'failed' | 'superseded';
  twilioSid: string | null;
  startedAt: Millis;
  finishedAt: Millis | null;
}

export interface MediaTable {
  id: string;
  organizationId: string;
  messageId: string | null;
  contentType: string;
  size: number;
  /** ready: bytes stored; pending: being downloaded from Twilio; failed: gave up. */
  status: 'ready' | 'pending' | 'failed';
  /** Twilio's URL for inbound media, forgotten as soon as the bytes are stored. */
  sourceUrl: string | null;
  errorMessage: string | null;
  position: number;
  uploadedBy: string | null;
  createdAt: Millis;
}

export interface MediaBlobsTable {
  mediaId: string;
  bytes: Buffer;
}

/** A picture scaled down for threads (at most 480 px a side), made by a job once the bytes are stored. */
export interface MediaThumbnailsTable {
  mediaId: string;
  contentType: string;
  bytes: Buffer;
}

export interface JobsTable {
  id: string;
  kind: string;
  payload: string;
  /** What the job is about (a message or media id), so it is found without reading its payload. */
  subject: string | null;
  organizationId: string | null;
  status: 'pending' | 'failed';
  runAt: Millis;
  attempts: number;
  lockedUntil: Millis | null;
  lockedBy: string | null;
  lastError: string | null;
  createdAt: Millis;
}

/** Opt-outs and opt-ins an agent made on a customer's behalf: who, when and why. */
export interface OptOutChangesTable {
  id: string;
  organizationId: string;
  customerId: string;
  /** Null: every sender. */
  senderId: string | null;
  action: 'opt_out' | 'opt_in';
  reason: string | null;
  actorId: string;
  createdAt: Millis;
}

/** Twilio's own block: the customer texted STOP (or a send got 21610) and not START since. */
export interface TwilioOptOutsTable {
  customerId: string;
  senderId: string;
  organizationId: string;
  at: Millis;
}

export interface LabelsTable {
  id: string;
  organizationId: string;
  name: string;
  /** #rrggbb */
  color: string;
  createdAt: Millis;
}

export interface CannedRepliesTable {
  id: string;
  organizationId: string;
  /** [a-z0-9-]{1,32}, unique per organization. */
  shortcut: string;
  title: string;
  body: string;
  createdBy: string;
  createdAt: Millis;
  updatedAt: Millis;
}

export interface ConversationLabelsTable {
  conversationId: string;
  labelId: string;
  organizationId: string;
}

export interface AuditLogTable {
  id: string;
  organizationId: string;
  actorId: string | null;
  action: string;
  target: string;
  createdAt: Millis;
}

export interface DB {
  organizations: OrganizationsTable;
  users: UsersTable;
  sessions: SessionsTable;
  loginAttempts: LoginAttemptsTable;
  twilioAccounts: TwilioAccountsTable;
  senders: SendersTable;
  customers: CustomersTable;
  customerSearch: CustomerSearchTable;
  optOuts: OptOutsTable;
  optOutChanges: OptOutChangesTable;
  twilioOptOuts: TwilioOptOutsTable;
  labels: LabelsTable;
  conversationLabels: ConversationLabelsTable;
  cannedReplies: CannedRepliesTable;
  conversations: ConversationsTable;
  conversationReads: ConversationReadsTable;
  messages: MessagesTable;
  messageSearch: MessageSearchTable;
  sendAttempts: SendAttemptsTable;
  media: MediaTable;
  mediaBlobs: MediaBlobsTable;
  mediaThumbnails: MediaThumbnailsTable;
  jobs: JobsTable;
  auditLog: AuditLogTable;
}

export type Row<T extends keyof DB> = Selectable<DB[T]>;
export type NewRow<T extends keyof DB> = Insertable<DB[T]>;
export type RowUpdate<T extends keyof DB> = Updateable<DB[T]>;

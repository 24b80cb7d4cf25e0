/** The simulator's records. Field names follow Twilio's resources, in camelCase. */

export const DEMO_SMS_URL = 'https://demo.twilio.com/welcome/sms/reply';

export type HttpMethod = 'GET' | 'POST';

export type AccountType = 'Trial' | 'Full';

/** Twilio's Message Redaction, account-wide: each half is switched on separately. */
export interface Redaction {
  /** Bodies no longer readable through the API once the message has been handled. */
  body: boolean;
  /** The last four digits of numbers that are not the account's own replaced with XXXX. */
  phoneNumbers: boolean;
}

export interface Account {
  sid: string;
  authToken: string;
  friendlyName: string;
  /** A Trial account may text only its verified numbers, and Twilio prefixes what it sends. */
  type: AccountType;
  /** The Verified Caller IDs a Trial account may text. */
  verifiedNumbers: string[];
  redaction: Redaction;
  dateCreated: Date;
}

/** A TwiML App: a number whose SmsApplicationSid names one takes the app's SMS URL instead of its own. */
export interface Application {
  sid: string;
  accountSid: string;
  friendlyName: string;
  smsUrl: string;
  smsMethod: HttpMethod;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface Capabilities {
  sms: boolean;
  mms: boolean;
  voice: boolean;
}

export interface IncomingNumber {
  sid: string;
  accountSid: string;
  phoneNumber: string;
  friendlyName: string;
  capabilities: Capabilities;
  smsUrl: string;
  smsMethod: HttpMethod;
  /** Called when SmsUrl (or the application's) fails, with ErrorCode and ErrorUrl added. */
  smsFallbackUrl: string;
  smsFallbackMethod: HttpMethod;
  /** An Application SID (AP…) that wins over smsUrl; '' when none, as Twilio answers it. */
  smsApplicationSid: string;
  /** The number's StatusCallback is for voice calls; kept apart so a test can see nobody touched it. */
  statusCallback: string;
  statusCallbackMethod: HttpMethod;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface AvailableNumber {
  country: string;
  phoneNumber: string;
  friendlyName: string;
  locality: string;
  region: string;
  postalCode: string;
  capabilities: Capabilities;
}

export interface ShortCode {
  sid: string;
  accountSid: string;
  shortCode: string;
  friendlyName: string;
  smsUrl: string;
  smsMethod: HttpMethod;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface MessagingService {
  sid: string;
  accountSid: string;
  friendlyName: string;
  inboundRequestUrl: string;
  inboundMethod: HttpMethod;
  /** true: inbound goes to the number's own SmsUrl; false: to the service's InboundRequestUrl. */
  useInboundWebhookOnNumber: boolean;
  /** Called when InboundRequestUrl fails, as a number's SmsFallbackUrl is. */
  fallbackUrl: string;
  fallbackMethod: HttpMethod;
  statusCallback: string;
  /**
   * Advanced Opt-Out switched on (a console setting, not in the REST API). Only then does the
   * inbound webhook carry OptOutType.
   */
  advancedOptOut: boolean;
  /** E.164 numbers in the sender pool; each is also one of the account's IncomingNumbers. */
  phoneNumbers: string[];
  dateCreated: Date;
  dateUpdated: Date;
}

export type MessageStatus =
  | 'accepted' | 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'received';

export interface SimMedia {
  sid: string;
  messageSid: string;
  accountSid: string;
  contentType: string;
  data: Buffer;
  /** Unauthenticated URL on the media host (what Twilio's API redirects to). */
  url: string;
  /** The unguessable part of `url`; the media host serves only with it. */
  token: string;
  dateCreated: Date;
}

export interface SimMessage {
  sid: string;
  accountSid: string;
  direction: 'inbound' | 'outbound-api';
  /** null while a Messaging Service send has not picked its sender yet (status `accepted`). */
  from: string | null;
  to: string;
  body: string;
  status: MessageStatus;
  errorCode: number | null;
  errorMessage: string | null;
  messagingServiceSid: string | null;
  numSegments: number;
  /** For outbound: how many MediaUrls were asked for (Twilio reports that before fetching). */
  numMedia: number;
  mediaUrls: string[];
  media: SimMedia[];
  statusCallback: string | null;
  /** A send's own ContentRetention / AddressRetention, over the account's Message Redaction. */
  redaction: Partial<Redaction>;
  dateCreated: Date;
  dateUpdated: Date;
  dateSent: Date | null;
}

export interface WebhookLogEntry {
  kind: 'inbound' | 'status-callback';
  messageSid: string;
  url: string;
  method: HttpMethod;
  params: Record<string, string>;
  signature: string;
  /** The receiver's HTTP status; 0 when no response came (refused, timed out, nothing configured). */
  status: number;
  body: string;
  error: string | null;
  at: Date;
}

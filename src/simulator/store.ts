import { ControlError } from './control-error.js';
import { defaultFaults, type Faults } from './faults.js';
import {
  DEMO_SMS_URL,
  type Account,
  type AccountType,
  type Application,
  type AvailableNumber,
  type Capabilities,
  type HttpMethod,
  type IncomingNumber,
  type MessagingService,
  type Redaction,
  type ShortCode,
  type SimMedia,
  type SimMessage,
  type WebhookLogEntry,
} from './model.js';
import { friendlyName, isE164, isShortCode } from './phone-numbers.js';
import { isSid, newAuthToken, newSid } from './sids.js';

export interface AccountOptions {
  sid?: string;
  authToken?: string;
  friendlyName?: string;
  type?: AccountType;
  verifiedNumbers?: string[];
  redaction?: Partial<Redaction>;
}

export type AccountSettings = Pick<AccountOptions, 'type' | 'verifiedNumbers' | 'redaction' | 'friendlyName'>;

export interface ApplicationOptions {
  friendlyName?: string;
  smsUrl?: string;
  smsMethod?: HttpMethod;
}

export interface IncomingNumberOptions {
  smsUrl?: string;
  smsMethod?: HttpMethod;
  /** An Application SID of the same account, or '' for none. */
  smsApplicationSid?: string;
  smsFallbackUrl?: string;
  smsFallbackMethod?: HttpMethod;
  statusCallback?: string;
  friendlyName?: string;
  capabilities?: Partial<Capabilities>;
}

export interface AvailableNumberOptions {
  locality?: string;
  region?: string;
  postalCode?: string;
  capabilities?: Partial<Capabilities>;
}

export interface MessagingServiceOptions {
  sid?: string;
  friendlyName?: string;
  phoneNumbers?: string[];
  inboundRequestUrl?: string;
  inboundMethod?: HttpMethod;
  useInboundWebhookOnNumber?: boolean;
  fallbackUrl?: string;
  fallbackMethod?: HttpMethod;
  statusCallback?: string;
  advancedOptOut?: boolean;
}

/** `phoneNumbers` replaces the whole pool. */
export type MessagingServiceSettings = Omit<MessagingServiceOptions, 'sid'>;

const ALL_CAPABLE: Capabilities = { sms: true, mms: true, voice: true };

/** Everything the simulated Twilio knows, in memory. No HTTP here. */
export class SimStore {
  readonly accounts = new Map<string, Account>();
  readonly incomingNumbers = new Map<string, IncomingNumber>(); // by phone number
  readonly shortCodes = new Map<string, ShortCode>(); // by short code
  readonly services = new Map<string, MessagingService>(); // by SID
  readonly applications = new Map<string, Application>(); // by SID
  availableNumbers: AvailableNumber[] = [];
  /** Oldest first; lists reverse it. */
  readonly messages: SimMessage[] = [];
  private readonly messagesBySid = new Map<string, SimMessage>();
  readonly media = new Map<string, SimMedia>();
  /** `${phone}|${sender}` where sender is a number, short code or MG SID. */
  private readonly optOuts = new Set<string>();
  readonly webhookLog: WebhookLogEntry[] = [];
  faults: Faults = defaultFaults();

  createAccount(opts: AccountOptions = {}): Account {
    const sid = opts.sid ?? newSid('AC');
    if (!isSid('AC', sid)) throw new ControlError(400, `Account SID ${sid} must be AC followed by 32 hex digits`);
    if (this.accounts.has(sid)) throw new ControlError(409, `Account ${sid} already exists`);
    const account: Account = {
      sid,
      authToken: opts.authToken ?? newAuthToken(),
      friendlyName: 'Simulated account',
      type: 'Full',
      verifiedNumbers: [],
      redaction: { body: false, phoneNumbers: false },
      dateCreated: new Date(),
    };
    this.updateAccount(account, opts);
    this.accounts.set(sid, account);
    return account;
  }

  /** Changes an account's type, verified numbers, redaction or name; only what is given. */
  updateAccount(account: Account, settings: AccountSettings): void {
    for (const number of settings.verifiedNumbers ?? []) {
      if (!isE164(number)) throw new ControlError(400, `verified number ${number} is not an E.164 phone number`);
    }
    if (settings.friendlyName !== undefined) account.friendlyName = settings.friendlyName;
    if (settings.type !== undefined) account.type = settings.type;
    if (settings.verifiedNumbers !== undefined) account.verifiedNumbers = [...settings.verifiedNumbers];
    if (settings.redaction !== undefined) account.redaction = { ...account.redaction, ...settings.redaction };
  }

  addApplication(accountSid: string, opts: ApplicationOptions = {}): Application {
    this.requireAccount(accountSid);
    const now = new Date();
    const application: Application = {
      sid: newSid('AP'),
      accountSid,
      friendlyName: opts.friendlyName ?? '',
      smsUrl: opts.smsUrl ?? '',
      smsMethod: opts.smsMethod ?? 'POST',
      dateCreated: now,
      dateUpdated: now,
    };
    this.applications.set(application.sid, application);
    return application;
  }

  /** Numbers that named it go back to their own SmsUrl. */
  deleteApplication(application: Application): void {
    this.applications.delete(application.sid);
    for (const number of this.incomingNumbers.values()) {
      if (number.smsApplicationSid === application.sid) number.smsApplicationSid = '';
    }
  }

  /** The account's Application with this SID, or undefined. */
  applicationOf(accountSid: string, sid: string): Application | undefined {
    const application = this.applications.get(sid);
    return application?.accountSid === accountSid ? application : undefined;
  }

  requireIncomingNumber(phoneNumber: string): IncomingNumber {
    const number = this.incomingNumbers.get(phoneNumber);
    if (!number) throw new ControlError(404, `No incoming number ${phoneNumber}; add it first`);
    return number;
  }

  /** Changes a number's SMS routing as the console would; an unknown Application SID is refused. */
  updateIncomingNumber(number: IncomingNumber, opts: IncomingNumberOptions): void {
    const appSid = opts.smsApplicationSid;
    if (appSid && !this.applicationOf(number.accountSid, appSid)) {
      throw new ControlError(400, `smsApplicationSid ${appSid} is not an Application of account ${number.accountSid}`);
    }
    if (opts.smsUrl !== undefined) number.smsUrl = opts.smsUrl;
    if (opts.smsMethod !== undefined) number.smsMethod = opts.smsMethod;
    if (opts.smsFallbackUrl !== undefined) number.smsFallbackUrl = opts.smsFallbackUrl;
    if (opts.smsFallbackMethod !== undefined) number.smsFallbackMethod = opts.smsFallbackMethod;
    if (appSid !== undefined) number.smsApplicationSid = appSid;
    if (opts.statusCallback !== undefined) number.statusCallback = opts.statusCallback;
    if (opts.friendlyName !== undefined) number.friendlyName = opts.friendlyName;
    if (opts.capabilities !== undefined) number.capabilities = { ...number.capabilities, ...opts.capabilities };
    number.dateUpdated = new Date();
  }

  requireAccount(sid: string): Account {
    const account = this.accounts.get(sid);
    if (!account) throw new ControlError(404, `No account ${sid}; create it first`);
    return account;
  }

  addIncomingNumber(accountSid: string, phoneNumber: string, opts: IncomingNumberOptions = {}): IncomingNumber {
    this.requireAccount(accountSid);
    if (!isE164(phoneNumber)) throw new ControlError(400, `${phoneNumber} is not an E.164 phone number`);
    const existing = this.incomingNumbers.get(phoneNumber);
    if (existing) throw new ControlError(409, `${phoneNumber} already belongs to account ${existing.accountSid}`);
    const now = new Date();
    const number: IncomingNumber = {
      sid: newSid('PN'),
      accountSid,
      phoneNumber,
      friendlyName: opts.friendlyName ?? friendlyName(phoneNumber),
      capabilities: { ...ALL_CAPABLE, ...opts.capabilities },
      // New numbers point at Twilio's demo reply, as real ones do.
      smsUrl: DEMO_SMS_URL,
      smsMethod: 'POST',
      smsFallbackUrl: '',
      smsFallbackMethod: 'POST',
      smsApplicationSid: '',
      statusCallback: '',
      statusCallbackMethod: 'POST',
      dateCreated: now,
      dateUpdated: now,
    };
    this.updateIncomingNumber(number, { ...opts, capabilities: undefined });
    this.incomingNumbers.set(phoneNumber, number);
    return number;
  }

  addAvailableNumber(country: string, phoneNumber: string, opts: AvailableNumberOptions = {}): AvailableNumber {
    if (!isE164(phoneNumber)) throw new ControlError(400, `${phoneNumber} is not an E.164 phone number`);
    if (this.incomingNumbers.has(phoneNumber)) throw new ControlError(409, `${phoneNumber} is already owned`);
    const available: AvailableNumber = {
      country: country.toUpperCase(),
      phoneNumber,
      friendlyName: friendlyName(phoneNumber),
      locality: opts.locality ?? '',
      region: opts.region ?? '',
      postalCode: opts.postalCode ?? '',
      capabilities: { ...ALL_CAPABLE, ...opts.capabilities },
    };
    this.availableNumbers = this.availableNumbers.filter((n) => n.phoneNumber !== phoneNumber);
    this.availableNumbers.push(available);
    return available;
  }

  /** Moves a number from the available list into the account; undefined if it is not available. */
  buyNumber(accountSid: string, phoneNumber: string, opts: IncomingNumberOptions = {}): IncomingNumber | undefined {
    const available = this.availableNumbers.find((n) => n.phoneNumber === phoneNumber);
    if (!available) return undefined;
    this.availableNumbers = this.availableNumbers.filter((n) => n !== available);
    return this.addIncomingNumber(accountSid, phoneNumber, { capabilities: available.capabilities, ...opts });
  }

  addShortCode(accountSid: string, shortCode: string): ShortCode {
    this.requireAccount(accountSid);
    if (!isShortCode(shortCode)) throw new ControlError(400, `${shortCode} is not a 5 or 6 digit short code`);
    const existing = this.shortCodes.get(shortCode);
    if (existing) throw new ControlError(409, `${shortCode} already belongs to account ${existing.accountSid}`);
    const now = new Date();
    const code: ShortCode = {
      sid: newSid('SC'),
      accountSid,
      shortCode,
      friendlyName: shortCode,
      smsUrl: DEMO_SMS_URL,
      smsMethod: 'POST',
      dateCreated: now,
      dateUpdated: now,
    };
    this.shortCodes.set(shortCode, code);
    return code;
  }

  /** Pool numbers the account does not own yet are added to it, so a service is one call away. */
  addMessagingService(accountSid: string, opts: MessagingServiceOptions = {}): MessagingService {
    this.requireAccount(accountSid);
    const sid = opts.sid ?? newSid('MG');
    if (!isSid('MG', sid)) throw new ControlError(400, `Messaging Service SID ${sid} must be MG followed by 32 hex digits`);
    if (this.services.has(sid)) throw new ControlError(409, `Messaging Service ${sid} already exists`);
    const phoneNumbers = this.claimPool(accountSid, opts.phoneNumbers ?? [], undefined);
    const now = new Date();
    const service: MessagingService = {
      sid,
      accountSid,
      friendlyName: 'Simulated Messaging Service',
      inboundRequestUrl: '',
      inboundMethod: 'POST',
      useInboundWebhookOnNumber: false,
      fallbackUrl: '',
      fallbackMethod: 'POST',
      statusCallback: '',
      advancedOptOut: false,
      phoneNumbers: [...phoneNumbers],
      dateCreated: now,
      dateUpdated: now,
    };
    this.updateMessagingService(service, { ...opts, phoneNumbers: undefined });
    this.services.set(sid, service);
    return service;
  }

  /** Checks a pool (the account's numbers, or new ones, in no other service) and adds the new numbers. */
  private claimPool(accountSid: string, phoneNumbers: string[], service: MessagingService | undefined): string[] {
    for (const phoneNumber of phoneNumbers) {
      if (!isE164(phoneNumber)) throw new ControlError(400, `${phoneNumber} is not an E.164 phone number`);
      const owner = this.incomingNumbers.get(phoneNumber)?.accountSid;
      if (owner && owner !== accountSid) {
        throw new ControlError(409, `${phoneNumber} belongs to account ${owner}, not ${accountSid}`);
      }
      const pooled = this.serviceContaining(phoneNumber);
      if (pooled && pooled !== service) throw new ControlError(409, `${phoneNumber} is already in Messaging Service ${pooled.sid}`);
    }
    for (const phoneNumber of phoneNumbers) {
      if (!this.incomingNumbers.has(phoneNumber)) this.addIncomingNumber(accountSid, phoneNumber);
    }
    return [...new Set(phoneNumbers)];
  }

  requireService(sid: string): MessagingService {
    const service = this.services.get(sid);
    if (!service) throw new ControlError(404, `No Messaging Service ${sid}; add it first`);
    return service;
  }

  updateMessagingService(service: MessagingService, settings: MessagingServiceSettings): void {
    if (settings.phoneNumbers !== undefined) {
      service.phoneNumbers = this.claimPool(service.accountSid, settings.phoneNumbers, service);
    }
    const changes: Partial<MessagingService> = {
      friendlyName: settings.friendlyName,
      inboundRequestUrl: settings.inboundRequestUrl,
      inboundMethod: settings.inboundMethod,
      useInboundWebhookOnNumber: settings.useInboundWebhookOnNumber,
      fallbackUrl: settings.fallbackUrl,
      fallbackMethod: settings.fallbackMethod,
      statusCallback: settings.statusCallback,
      advancedOptOut: settings.advancedOptOut,
    };
    for (const [key, value] of Object.entries(changes)) {
      if (value !== undefined) (service as unknown as Record<string, unknown>)[key] = value;
    }
    service.dateUpdated = new Date();
  }

  /** Takes a number out of its service's pool; it keeps its own settings, as on Twilio. */
  removeFromService(service: MessagingService, phoneNumber: string): void {
    service.phoneNumbers = service.phoneNumbers.filter((p) => p !== phoneNumber);
    service.dateUpdated = new Date();
  }

  serviceContaining(phoneNumber: string): MessagingService | undefined {
    for (const service of this.services.values()) {
      if (service.phoneNumbers.includes(phoneNumber)) return service;
    }
    return undefined;
  }

  /** The account owning a number or short code, if any. */
  ownerOf(address: string): { accountSid: string; smsCapable: boolean } | undefined {
    const number = this.incomingNumbers.get(address);
    if (number) return { accountSid: number.accountSid, smsCapable: number.capabilities.sms };
    const code = this.shortCodes.get(address);
    if (code) return { accountSid: code.accountSid, smsCapable: true };
    return undefined;
  }

  addMessage(message: SimMessage): void {
    this.messages.push(message);
    this.messagesBySid.set(message.sid, message);
    for (const media of message.media) this.media.set(media.sid, media);
  }

  message(sid: string): SimMessage | undefined {
    return this.messagesBySid.get(sid);
  }

  optOut(phone: string, senders: string[]): void {
    for (const sender of senders) this.optOuts.add(`${phone}|${sender}`);
  }

  optIn(phone: string, senders: string[]): void {
    for (const sender of senders) this.optOuts.delete(`${phone}|${sender}`);
  }

  isOptedOut(phone: string, senders: string[]): boolean {
    return senders.some((sender) => this.optOuts.has(`${phone}|${sender}`));
  }
}

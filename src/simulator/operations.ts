import type { SimContext } from './context.js';
import { phoneSend, type PhoneSendOptions, type PhoneSendResult } from './delivery/inbound.js';
import { defaultFaults, type Faults } from './faults.js';
import type {
  Account,
  Application,
  AvailableNumber,
  IncomingNumber,
  MessagingService,
  ShortCode,
  SimMessage,
  WebhookLogEntry,
} from './model.js';
import type {
  AccountOptions,
  AccountSettings,
  ApplicationOptions,
  AvailableNumberOptions,
  IncomingNumberOptions,
  MessagingServiceOptions,
  MessagingServiceSettings,
} from './store.js';

/** An account as the control API shows it: its settings, never its token. */
export type AccountView = Pick<Account, 'sid' | 'friendlyName' | 'type' | 'verifiedNumbers' | 'redaction'>;

export interface SupportNumber {
  address: string;
  kind: 'phone_number' | 'short_code';
  accountSid: string;
  friendlyName: string;
  messagingServiceSid: string | null;
}

/**
 * The simulator's control operations, shared by the in-process API and /_sim/. They return
 * copies, so a test cannot change the simulator's state by editing what it was given.
 */
export class SimOperations {
  constructor(protected readonly ctx: SimContext) {}

  createAccount(opts: AccountOptions = {}): { sid: string; authToken: string } {
    const account = this.ctx.store.createAccount(opts);
    return { sid: account.sid, authToken: account.authToken };
  }

  getAccount(accountSid: string): AccountView | undefined {
    const account = this.ctx.store.accounts.get(accountSid);
    return account && viewAccount(account);
  }

  /** Switches an account to Trial or Full, sets its verified numbers, or its Message Redaction. */
  updateAccount(accountSid: string, settings: AccountSettings): AccountView {
    const account = this.ctx.store.requireAccount(accountSid);
    this.ctx.store.updateAccount(account, settings);
    return viewAccount(account);
  }

  addApplication(accountSid: string, opts?: ApplicationOptions): Application {
    return { ...this.ctx.store.addApplication(accountSid, opts) };
  }

  /** Changes a number's settings as its owner would in Twilio's console. */
  updateIncomingNumber(phoneNumber: string, opts: IncomingNumberOptions): IncomingNumber {
    const number = this.ctx.store.requireIncomingNumber(phoneNumber);
    this.ctx.store.updateIncomingNumber(number, opts);
    return copyNumber(number);
  }

  /** Changes a service's inbound settings, or switches Advanced Opt-Out (a console-only setting). */
  updateMessagingService(sid: string, settings: MessagingServiceSettings): MessagingService {
    const service = this.ctx.store.requireService(sid);
    this.ctx.store.updateMessagingService(service, settings);
    return copyService(service);
  }

  /** Simulates a token rotated in Twilio's console: the old one stops working at once. */
  setAuthToken(accountSid: string, authToken: string): void {
    this.ctx.store.requireAccount(accountSid).authToken = authToken;
  }

  addIncomingNumber(accountSid: string, phoneNumber: string, opts?: IncomingNumberOptions): IncomingNumber {
    return copyNumber(this.ctx.store.addIncomingNumber(accountSid, phoneNumber, opts));
  }

  addAvailableNumber(country: string, phoneNumber: string, opts?: AvailableNumberOptions): AvailableNumber {
    const available = this.ctx.store.addAvailableNumber(country, phoneNumber, opts);
    return { ...available, capabilities: { ...available.capabilities } };
  }

  availableNumbers(country?: string): AvailableNumber[] {
    return this.ctx.store.availableNumbers
      .filter((n) => !country || n.country === country.toUpperCase())
      .map((n) => ({ ...n, capabilities: { ...n.capabilities } }));
  }

  addShortCode(accountSid: string, shortCode: string): ShortCode {
    return { ...this.ctx.store.addShortCode(accountSid, shortCode) };
  }

  addMessagingService(accountSid: string, opts?: MessagingServiceOptions): MessagingService {
    return copyService(this.ctx.store.addMessagingService(accountSid, opts));
  }

  getIncomingNumber(phoneNumber: string): IncomingNumber | undefined {
    const number = this.ctx.store.incomingNumbers.get(phoneNumber);
    return number && copyNumber(number);
  }

  getShortCode(shortCode: string): ShortCode | undefined {
    const code = this.ctx.store.shortCodes.get(shortCode);
    return code && { ...code };
  }

  getMessagingService(sid: string): MessagingService | undefined {
    const service = this.ctx.store.services.get(sid);
    return service && copyService(service);
  }

  /** Every number and short code a phone can text, across accounts (the phone page's picker). */
  supportNumbers(): SupportNumber[] {
    const store = this.ctx.store;
    return [
      ...[...store.incomingNumbers.values()].map((n) => ({
        address: n.phoneNumber, kind: 'phone_number' as const, accountSid: n.accountSid,
        friendlyName: n.friendlyName, messagingServiceSid: store.serviceContaining(n.phoneNumber)?.sid ?? null,
      })),
      ...[...store.shortCodes.values()].map((c) => ({
        address: c.shortCode, kind: 'short_code' as const, accountSid: c.accountSid,
        friendlyName: c.friendlyName, messagingServiceSid: null,
      })),
    ];
  }

  /** A simulated phone texts a number; resolves once the webhook answered (or failed). */
  phoneSend(opts: PhoneSendOptions): Promise<PhoneSendResult> {
    return phoneSend(this.ctx, opts);
  }

  /** What a phone received: outbound messages delivered to it, oldest first. */
  phoneInbox(phoneNumber: string): SimMessage[] {
    return this.ctx.store.messages
      .filter((m) => m.direction === 'outbound-api' && m.to === phoneNumber && m.status === 'delivered')
      .map(copyMessage);
  }

  /** A phone's conversation with one number or short code, both directions, oldest first. */
  phoneThread(phoneNumber: string, other: string): SimMessage[] {
    return this.ctx.store.messages
      .filter((m) => (m.from === phoneNumber && m.to === other) || (m.to === phoneNumber && m.from === other))
      .map(copyMessage);
  }

  /** All messages the simulator knows (both directions), oldest first. */
  messages(accountSid?: string): SimMessage[] {
    return this.ctx.store.messages.filter((m) => !accountSid || m.accountSid === accountSid).map(copyMessage);
  }

  /** Every webhook and status callback sent, with the receiver's answer, oldest first. */
  webhooks(filter: { kind?: WebhookLogEntry['kind']; messageSid?: string } = {}): WebhookLogEntry[] {
    return this.ctx.store.webhookLog
      .filter((e) => (!filter.kind || e.kind === filter.kind) && (!filter.messageSid || e.messageSid === filter.messageSid))
      .map((e) => ({ ...e, params: { ...e.params } }));
  }

  get faults(): Faults {
    return structuredClone(this.ctx.store.faults);
  }

  setFaults(faults: Partial<Faults>): void {
    const given = Object.fromEntries(Object.entries(faults).filter(([, value]) => value !== undefined));
    this.ctx.store.faults = { ...this.ctx.store.faults, ...structuredClone(given) };
  }

  resetFaults(): void {
    this.ctx.store.faults = defaultFaults();
  }
}

function viewAccount(a: Account): AccountView {
  return { sid: a.sid, friendlyName: a.friendlyName, type: a.type, verifiedNumbers: [...a.verifiedNumbers], redaction: { ...a.redaction } };
}

function copyNumber(n: IncomingNumber): IncomingNumber {
  return { ...n, capabilities: { ...n.capabilities } };
}

function copyService(s: MessagingService): MessagingService {
  return { ...s, phoneNumbers: [...s.phoneNumbers] };
}

function copyMessage(m: SimMessage): SimMessage {
  return { ...m, mediaUrls: [...m.mediaUrls], media: m.media.map((item) => ({ ...item })) };
}

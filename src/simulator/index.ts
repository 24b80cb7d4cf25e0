import { Background } from './background.js';
import type { SimContext } from './context.js';
import type { PhoneSendOptions, PhoneSendResult } from './delivery/inbound.js';
import { RateWindow, type Faults } from './faults.js';
import { buildMediaHost } from './media-host.js';
import type {
  Application,
  AvailableNumber,
  IncomingNumber,
  MessagingService,
  ShortCode,
  SimMessage,
  WebhookLogEntry,
} from './model.js';
import { SimOperations, type AccountView, type SupportNumber } from './operations.js';
import { buildApiServer } from './server.js';
import {
  SimStore,
  type AccountOptions,
  type AccountSettings,
  type ApplicationOptions,
  type AvailableNumberOptions,
  type IncomingNumberOptions,
  type MessagingServiceOptions,
  type MessagingServiceSettings,
} from './store.js';

export type { CreateFault, FailingWebhook, Faults, WebhookFailure } from './faults.js';
export type {
  Account,
  AccountType,
  Application,
  AvailableNumber,
  Capabilities,
  IncomingNumber,
  MessageStatus,
  MessagingService,
  ShortCode,
  SimMedia,
  SimMessage,
  WebhookLogEntry,
} from './model.js';
export { DEMO_SMS_URL } from './model.js';
export { ControlError } from './control-error.js';
export type { PhoneSendOptions, PhoneSendResult } from './delivery/inbound.js';
export type { AccountView, SupportNumber } from './operations.js';
export type {
  AccountOptions,
  AccountSettings,
  ApplicationOptions,
  AvailableNumberOptions,
  IncomingNumberOptions,
  MessagingServiceOptions,
  MessagingServiceSettings,
} from './store.js';

export interface SimulatorOptions {
  /** REST API port; 0 (the default) picks a free one. */
  port?: number;
  /** Media host port; 0 (the default) picks a free one. */
  mediaPort?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Log requests (Fastify's logger) and webhook failures. */
  log?: boolean;
  /** The API's base URL as clients reach it, when not the listen address (e.g. behind a proxy). */
  publicUrl?: string;
  /** The media host's base URL as clients reach it, when not the listen address. */
  mediaPublicUrl?: string;
  /** How long webhooks and status callbacks may take to answer; Twilio's 15 s by default. */
  webhookTimeoutMs?: number;
}

/** A running simulator. Control methods throw ControlError for refused operations. */
export interface Simulator {
  /** Base URL of the REST API: api.twilio.com paths (/2010-04-01/...) and messaging.twilio.com paths (/v1/...). */
  readonly url: string;
  /** The media CDN: a second listener, so a different origin from `url`. */
  readonly mediaHostUrl: string;
  stop(): Promise<void>;

  /** A Full account without redaction unless `type`, `verifiedNumbers` or `redaction` say otherwise. */
  createAccount(opts?: AccountOptions): { sid: string; authToken: string };
  setAuthToken(accountSid: string, authToken: string): void;
  getAccount(accountSid: string): AccountView | undefined;
  /** Trial or Full, the Verified Caller IDs a Trial account may text, Message Redaction. */
  updateAccount(accountSid: string, settings: AccountSettings): AccountView;
  /** A TwiML App whose SmsUrl a number with this SmsApplicationSid uses instead of its own. */
  addApplication(accountSid: string, opts?: ApplicationOptions): Application;
  /** New numbers start with Twilio's demo SmsUrl unless `smsUrl` is given. */
  addIncomingNumber(accountSid: string, phoneNumber: string, opts?: IncomingNumberOptions): IncomingNumber;
  addAvailableNumber(country: string, phoneNumber: string, opts?: AvailableNumberOptions): AvailableNumber;
  /** Numbers still to buy, optionally of one country. */
  availableNumbers(country?: string): AvailableNumber[];
  addShortCode(accountSid: string, shortCode: string): ShortCode;
  /** Pool numbers not yet in the account are added to it. */
  addMessagingService(accountSid: string, opts?: MessagingServiceOptions): MessagingService;
  /** SmsUrl, SmsMethod, SmsApplicationSid ('' clears it) and the rest, as its owner would set them. */
  updateIncomingNumber(phoneNumber: string, opts: IncomingNumberOptions): IncomingNumber;
  /** Inbound settings, and Advanced Opt-Out (only then do inbound webhooks carry OptOutType). */
  updateMessagingService(sid: string, settings: MessagingServiceSettings): MessagingService;
  getIncomingNumber(phoneNumber: string): IncomingNumber | undefined;
  getShortCode(shortCode: string): ShortCode | undefined;
  getMessagingService(sid: string): MessagingService | undefined;
  /** Every number and short code a phone can text. */
  supportNumbers(): SupportNumber[];

  /**
   * A phone (or a short code or alphanumeric sender) texts a number or short code; resolves when
   * the webhook has answered. `dropped` when the number's service has inbound switched off.
   */
  phoneSend(opts: PhoneSendOptions): Promise<PhoneSendResult>;
  /** Outbound messages delivered to this phone, oldest first. */
  phoneInbox(phoneNumber: string): SimMessage[];
  /** The phone's conversation with one number or short code, both directions, oldest first. */
  phoneThread(phoneNumber: string, other: string): SimMessage[];
  /** All messages, both directions, oldest first. */
  messages(accountSid?: string): SimMessage[];
  /** Webhooks and status callbacks sent, with the receivers' answers, oldest first. */
  webhooks(filter?: { kind?: WebhookLogEntry['kind']; messageSid?: string }): WebhookLogEntry[];

  readonly faults: Faults;
  setFaults(faults: Partial<Faults>): void;
  resetFaults(): void;
}

class RunningSimulator extends SimOperations implements Simulator {
  private stopping: Promise<void> | undefined;

  constructor(
    ctx: SimContext,
    private readonly shutdown: () => Promise<void>,
  ) {
    super(ctx);
  }

  get url(): string {
    return this.ctx.urls.api;
  }

  get mediaHostUrl(): string {
    return this.ctx.urls.media;
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const log = opts.log ? (message: string) => console.log(`[simulator] ${message}`) : () => undefined;
  const ctx: SimContext = {
    store: new SimStore(),
    // A background task that throws is a simulator bug: always say so.
    background: new Background((error) => console.error('[simulator] background task failed:', error)),
    rateWindow: new RateWindow(),
    urls: { api: '', media: '' },
    webhookTimeoutMs: opts.webhookTimeoutMs ?? 15_000,
    log,
  };
  const operations = new SimOperations(ctx);
  const api = await buildApiServer(ctx, operations, opts.log ?? false);
  const media = buildMediaHost(ctx, opts.log ?? false);
  const host = opts.host ?? '127.0.0.1';
  const apiAddress = await api.listen({ port: opts.port ?? 0, host });
  let mediaAddress: string;
  try {
    mediaAddress = await media.listen({ port: opts.mediaPort ?? 0, host });
  } catch (error) {
    await api.close();
    throw error;
  }
  ctx.urls.api = withoutTrailingSlash(opts.publicUrl ?? apiAddress);
  ctx.urls.media = withoutTrailingSlash(opts.mediaPublicUrl ?? mediaAddress);

  return new RunningSimulator(ctx, async () => {
    await ctx.background.stop();
    await Promise.all([api.close(), media.close()]);
  });
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

import twilio, { type RequestClient } from 'twilio';
import type { Config } from '../../config.js';
import { TwilioTransport } from './transport.js';

export type TwilioClient = ReturnType<typeof twilio>;

type ClientConfig = Pick<Config, 'twilioApiUrl' | 'twilioMessagingApiUrl' | 'twilioTimeoutSeconds'>;
const cache = new Map<string, TwilioClient>();

/**
 * The official client, pointed at TWILIO_API_URL / TWILIO_MESSAGING_API_URL (Twilio itself, or the
 * simulator). Its own retries are off: the job runner decides what is retried, so nothing is sent twice.
 * Clients are reused per account and token; all of them share one connection pool (transport.ts).
 */
export function twilioClient(config: ClientConfig, accountSid: string, authToken: string): TwilioClient {
  const key = `${config.twilioApiUrl}|${config.twilioMessagingApiUrl}|${config.twilioTimeoutSeconds}|${accountSid}|${authToken}`;
  let client = cache.get(key);
  if (!client) {
    client = buildClient(config, accountSid, authToken);
    if (cache.size > 1000) cache.clear();
    cache.set(key, client);
  }
  return client;
}

/**
 * A client for one call with credentials not yet known to be good (checking a connection):
 * not cached, so a wrong or abandoned token does not stay in memory.
 */
export function oneOffTwilioClient(config: ClientConfig, accountSid: string, authToken: string): TwilioClient {
  return buildClient(config, accountSid, authToken);
}

function buildClient(config: ClientConfig, accountSid: string, authToken: string): TwilioClient {
  // TWILIO_TIMEOUT_SECONDS: long enough for Twilio's slowest answers, short enough that a hung call is settled as "unknown".
  const httpClient = new TwilioTransport(config.twilioTimeoutSeconds * 1000) as unknown as RequestClient;
  const client = twilio(accountSid, authToken, { httpClient, autoRetry: false });
  client.api.baseUrl = config.twilioApiUrl;
  client.messaging.baseUrl = config.twilioMessagingApiUrl;
  return client;
}

/** Forget clients made with a token that is no longer valid (rotated or disconnected). */
export function forgetTwilioClients(accountSid: string): void {
  for (const key of cache.keys()) if (key.includes(`|${accountSid}|`)) cache.delete(key);
}

export interface TwilioFailure {
  /** Twilio's error code (20003, 21610, …), when Twilio answered with one. */
  code: number | null;
  /** HTTP status, when Twilio answered at all. */
  status: number | null;
  message: string;
  /** No answer: refused, reset or timed out before a response arrived. */
  network: boolean;
  timedOut: boolean;
}

/** Reads the twilio library's error shapes (RestException, the transport's network errors) into one. */
export function describeTwilioError(err: unknown): TwilioFailure {
  const e = err as { status?: number; code?: number | string; message?: string; moreInfo?: string };
  if (typeof e?.status === 'number') {
    return { code: typeof e.code === 'number' ? e.code : null, status: e.status, message: e.message ?? `HTTP ${e.status}`, network: false, timedOut: false };
  }
  const code = typeof e?.code === 'string' ? e.code : '';
  const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(e?.message ?? '');
  return { code: null, status: null, message: e?.message ?? String(err), network: true, timedOut };
}

import { isRetriedLater } from '../../domain/twilio-errors.js';
import { describeTwilioError, type TwilioClient } from '../twilio/client.js';

/** What a call to Twilio tells us about a send, in the terms of docs/rules.md#outbound-messages. */
export type CallOutcome =
  /** Twilio has it: its SID, and the status it gave. */
  | { kind: 'accepted'; sid: string; status: string }
  /** Twilio refused this message for good (a 4xx error code). */
  | { kind: 'rejected'; code: number | null; message: string }
  /** 20003: the account's credentials no longer work; sending waits for a new token. */
  | { kind: 'paused'; message: string }
  /** Twilio certainly did not take it (connection refused, 20429, 21611): try again after a backoff. */
  | { kind: 'retry'; message: string }
  /** Twilio may or may not have it (timeout, 5xx, connection lost mid-call): check before sending again. */
  | { kind: 'unknown'; message: string };

// Errors raised before a connection exists: the request never reached Twilio.
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

export function classifyTwilioError(err: unknown): CallOutcome {
  const failure = describeTwilioError(err);
  if (failure.network) {
    const code = (err as { code?: unknown })?.code;
    if (!failure.timedOut && typeof code === 'string' && NEVER_CONNECTED.has(code)) return { kind: 'retry', message: failure.message };
    return { kind: 'unknown', message: failure.message };
  }
  if (isRetriedLater(failure.code) || failure.status === 429) return { kind: 'retry', message: failure.message };
  if (failure.code === 20003 || failure.status === 401) return { kind: 'paused', message: failure.message };
  if (failure.status !== null && failure.status >= 400 && failure.status < 500) return { kind: 'rejected', code: failure.code, message: failure.message };
  return { kind: 'unknown', message: failure.message };
}

/** Who a message goes out from, as Twilio's API names it: a Messaging Service by its SID, a number or short code as `From`. */
export type SenderParams = { from: string } | { messagingServiceSid: string };

export function senderParams(sender: { senderType: string; senderAddress: string }): SenderParams {
  return sender.senderType === 'messaging_service' ? { messagingServiceSid: sender.senderAddress } : { from: sender.senderAddress };
}

export type SendParams = SenderParams & {
  to: string;
  body?: string;
  mediaUrl?: string[];
  statusCallback: string;
};

/** Messages.json create, never retried by the library itself: what happens next is the job's decision. */
export async function createMessage(client: TwilioClient, params: SendParams): Promise<CallOutcome> {
  try {
    const message = await client.messages.create(params);
    return { kind: 'accepted', sid: message.sid, status: message.status };
  } catch (err) {
    return classifyTwilioError(err);
  }
}

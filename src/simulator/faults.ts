/** Failure injection: how the simulated network misbehaves, set through setFaults or PUT /_sim/faults. */

/** `queue-full` is Twilio's 21611: the sender already has more than 10 hours of messages queued. */
export type CreateFault = 'server-error' | 'timeout' | 'accept-then-timeout' | 'rate-limit' | 'queue-full';

/** How a webhook target fails: the connection refused, a 500 answer, or no answer in time. */
export type WebhookFailure = 'refuse' | 'server-error' | 'timeout';

export interface FailingWebhook {
  /** Every webhook and status callback whose URL starts with this fails. */
  url: string;
  failure: WebhookFailure;
}

export interface Faults {
  /** Recipients whose messages end `undelivered` with 30003 (unreachable handset), after `sent`. */
  undeliveredNumbers: string[];
  /** Recipients whose messages end `failed` with 30006 (landline or unreachable carrier). */
  failedNumbers: string[];
  /** Recipients whose messages end `failed` with 30007 (filtered by the carrier). */
  filteredNumbers: string[];
  /** Share (0..1) of REST requests answered 500 with error 20500. */
  serverErrorRate: number;
  /** Share (0..1) of REST requests that hang, unprocessed, for `hangMs`, then lose the connection. */
  timeoutRate: number;
  /** Share (0..1) of Messages creates that create the message and answer only after `hangMs`. */
  acceptThenTimeoutRate: number;
  /** Faults for the next Messages create requests, one each, in order (deterministic for tests). */
  nextCreateFaults: CreateFault[];
  /** How long a hung request hangs. */
  hangMs: number;
  /**
   * How long every REST request takes to be answered. Twilio's API is a network away, not a
   * loopback: its answers take tens to hundreds of milliseconds, and a client that waits for one
   * answer before the next call sends at most one message per that time per call in flight.
   */
  responseMs: number;
  /** REST calls an account may have in flight; one more is answered 429 / 20429 at once. null: no limit. */
  concurrentRequests: number | null;
  /** Messages creates per account per second beyond which Twilio answers 429 / 20429; null: no limit. */
  messagesPerSecond: number | null;
  /** Wait before each status callback. */
  callbackDelayMs: number;
  /** `reversed` sends the final status callback before `sent`, as a congested network can. */
  callbackOrder: 'in-order' | 'reversed';
  /** Send no status callbacks at all (the message still progresses; list or fetch shows it). */
  dropStatusCallbacks: boolean;
  /** Webhook targets that fail without being called; the first matching URL prefix wins. */
  failingWebhooks: FailingWebhook[];
}

export function defaultFaults(): Faults {
  return {
    undeliveredNumbers: [],
    failedNumbers: [],
    filteredNumbers: [],
    serverErrorRate: 0,
    timeoutRate: 0,
    acceptThenTimeoutRate: 0,
    nextCreateFaults: [],
    hangMs: 30_000,
    responseMs: 0,
    concurrentRequests: null,
    messagesPerSecond: null,
    callbackDelayMs: 0,
    callbackOrder: 'in-order',
    dropStatusCallbacks: false,
    failingWebhooks: [],
  };
}

export interface DeliveryOutcome {
  status: 'delivered' | 'undelivered' | 'failed';
  errorCode: number | null;
}

/** What the carrier does with a message to this recipient. */
export function deliveryOutcome(faults: Faults, to: string): DeliveryOutcome {
  if (faults.undeliveredNumbers.includes(to)) return { status: 'undelivered', errorCode: 30003 };
  if (faults.failedNumbers.includes(to)) return { status: 'failed', errorCode: 30006 };
  if (faults.filteredNumbers.includes(to)) return { status: 'failed', errorCode: 30007 };
  return { status: 'delivered', errorCode: null };
}

/** Draws against a 0..1 rate; 0 never and 1 always, so tests stay deterministic. */
export function happens(rate: number): boolean {
  return rate > 0 && (rate >= 1 || Math.random() < rate);
}

/** Sliding one-second window of Messages creates per account, for the 429 fault. */
export class RateWindow {
  private readonly recent = new Map<string, number[]>();

  /** Records a create and says whether it is within the limit. */
  admit(accountSid: string, limit: number | null, now = Date.now()): boolean {
    if (limit === null) return true;
    const times = (this.recent.get(accountSid) ?? []).filter((t) => now - t < 1000);
    const allowed = times.length < limit;
    if (allowed) times.push(now);
    this.recent.set(accountSid, times);
    return allowed;
  }
}

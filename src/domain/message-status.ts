export type MessageStatus =
  | 'received'
  | 'pending'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'failed';

/**
 * docs/rules.md#statuses: outbound statuses only move forward, and the first final status wins, so a late
 * `sent` callback never overwrites `delivered`. The server and the web app both follow this
 * order, so a screen never shows a status the database could not hold.
 */
const RANK: Record<MessageStatus, number> = {
  received: 0,
  pending: 1,
  queued: 2,
  sending: 3,
  sent: 4,
  delivered: 5,
  undelivered: 5,
  failed: 5,
};

export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set(['delivered', 'undelivered', 'failed']);

export const isFinal = (s: MessageStatus) => FINAL_STATUSES.has(s);

/** What an agent may send again (docs/rules.md#outbound-messages). */
export const isRetryable = (s: MessageStatus) => s === 'failed' || s === 'undelivered';

/** An inbound message is `received` from the start to the end: nothing moves it, and nothing moves to it. */
export function canMoveTo(current: MessageStatus, next: MessageStatus): boolean {
  if (current === 'received' || isFinal(current)) return false;
  return RANK[next] > RANK[current];
}

/** Twilio's message statuses in Parley's vocabulary (`accepted` and `scheduled` count as queued). */
/** The statuses a message may be in for `next` to be a forward move (docs/rules.md#outbound-messages). */
export const movableTo = (next: MessageStatus): MessageStatus[] => (Object.keys(RANK) as MessageStatus[]).filter((s) => canMoveTo(s, next));

export function fromTwilioStatus(status: string): MessageStatus | null {
  switch (status) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
      return 'queued';
    case 'sending':
      return 'sending';
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
      return 'undelivered';
    case 'failed':
    case 'canceled':
      return 'failed';
    default:
      return null;
  }
}

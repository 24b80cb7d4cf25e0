/**
 * docs/rules.md#threading: a message joins the customer's conversation on the same sender with the
 * newest last message, if that was less than the organization's window ago; otherwise it
 * starts a new conversation. A closed conversation it joins reopens.
 */
export const DEFAULT_THREADING_WINDOW_HOURS = 24;
export const MAX_THREADING_WINDOW_HOURS = 720;

export interface ThreadCandidate {
  id: string;
  lastMessageAt: number;
  status: 'open' | 'closed';
}

export type ThreadingDecision = { join: string; reopen: boolean } | { start: true };

export function chooseConversation(latest: ThreadCandidate | undefined, now: number, windowHours: number): ThreadingDecision {
  if (latest && now - latest.lastMessageAt < windowHours * 3_600_000) {
    return { join: latest.id, reopen: latest.status === 'closed' };
  }
  return { start: true };
}

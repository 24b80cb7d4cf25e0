import { isPostgres, type Conn } from '../../db/database.js';
import { claimSendSlot } from '../twilio/messaging.js';
import { claimSlotAndStartOnPostgres, insertStartedAttempt, type StartedAttempt } from './queries.js';

/**
 * docs/rules.md#rate: each sender is held to its rate in segments per second. A message's slot costs
 * its segments (at least one: a picture-only MMS is still a message) divided by the rate,
 * rounded up to whole milliseconds so the schedule never runs faster than the rate.
 */
export function slotCostMs(segments: number, ratePerSecond: number): number {
  const rate = ratePerSecond > 0 ? ratePerSecond : 1;
  return Math.max(1, Math.ceil((Math.max(1, segments) * 1000) / rate));
}

/** The start of this message's send slot on its sender: now when the sender is free, else later. */
export function claimSlot(conn: Conn, sender: { id: string; ratePerSecond: number }, segments: number, now: number): Promise<number> {
  return claimSendSlot(conn, sender.id, now, slotCostMs(segments, sender.ratePerSecond));
}

/**
 * Claims the message's slot and, if it starts within `nearMs`, records the send's attempt as
 * started. Returns the slot's start, as claimSlot does. PostgreSQL does both in one statement;
 * SQLite, where a statement is no round trip, runs two.
 */
export async function claimSlotAndStart(conn: Conn, sender: { id: string; ratePerSecond: number }, segments: number, attempt: StartedAttempt, nearMs: number): Promise<number> {
  const now = attempt.startedAt;
  if (isPostgres(conn)) {
    const costMs = slotCostMs(segments, sender.ratePerSecond);
    return (await claimSlotAndStartOnPostgres(conn, sender.id, costMs, now + nearMs + costMs, attempt)) - costMs;
  }
  const slot = await claimSlot(conn, sender, segments, now);
  if (slot - now <= nearMs) await insertStartedAttempt(conn, attempt);
  return slot;
}

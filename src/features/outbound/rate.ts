import type { Conn } from '../../db/database.js';
import { claimSendSlot } from '../twilio/messaging.js';

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

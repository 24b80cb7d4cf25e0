import type { Context } from '../../context.js';
import { recordCatchupRun } from '../../metrics.js';

/** What one run did for one sender. */
export interface SenderCatchup {
  senderId: string;
  organizationId: string;
  address: string;
  /** Received messages Twilio listed since the sender's last catch-up (less the overlap). */
  listed: number;
  /** Of those, stored now: their webhook never reached Parley. */
  stored: number;
  /** Listed but with the customer's number redacted by Twilio (Message Redaction), so not stored. */
  unreadable: number;
  /** Outbound messages whose status was taken from Twilio. */
  statuses: number;
  /** Why the sender's catch-up failed; null when it completed. */
  error: string | null;
}

export interface CatchupRun {
  startedAt: number;
  finishedAt: number;
  senders: SenderCatchup[];
}

/** The run's counts, summed: what the log line says and what metrics would count. */
export function summarize(run: CatchupRun) {
  const sum = (pick: (s: SenderCatchup) => number) => run.senders.reduce((n, s) => n + pick(s), 0);
  return {
    startedAt: new Date(run.startedAt).toISOString(),
    senders: run.senders.length,
    failed: run.senders.filter((s) => s.error !== null).length,
    listed: sum((s) => s.listed),
    stored: sum((s) => s.stored),
    unreadable: sum((s) => s.unreadable),
    statuses: sum((s) => s.statuses),
    durationMs: run.finishedAt - run.startedAt,
  };
}

/**
 * Every run is logged with its counts (docs/operations.md#logs); each failed or redacted sender gets a
 * warning of its own, and the run is counted in /metrics from the same summary.
 */
export function reportCatchupRun(ctx: Context, run: CatchupRun): void {
  for (const s of run.senders) {
    if (s.error !== null) ctx.log.warn({ senderId: s.senderId, sender: s.address, error: s.error }, 'catch-up of a sender failed; the next run covers the same span again');
    if (s.unreadable > 0) ctx.log.warn({ senderId: s.senderId, sender: s.address, count: s.unreadable }, "catch-up: messages whose customer's number Twilio redacted cannot be stored");
  }
  const summary = summarize(run);
  ctx.log.info({ catchup: summary }, 'catch-up run finished');
  recordCatchupRun(ctx.metrics, {
    ok: summary.failed === 0,
    found: { inbound_stored: summary.stored, statuses_refreshed: summary.statuses, unreadable: summary.unreadable, senders_failed: summary.failed },
  });
}

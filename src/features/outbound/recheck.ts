import type { Conn } from '../../db/database.js';
import { redactedNumber } from '../../domain/redaction.js';
import type { TwilioClient } from '../twilio/client.js';
import type { SenderParams } from './twilio-call.js';
import * as q from './queries.js';

/**
 * Twilio's date_created has whole seconds and its clock is not ours: a message created for an
 * attempt may show a creation time somewhat before the attempt began by our clock.
 */
export const CLOCK_SKEW_MS = 60_000;
const PAGE_SIZE = 50;
// A customer's full history is not needed: the list is newest first and we stop at the attempt.
const MAX_PAGES = 20;
// Twilio prefixes bodies sent from trial accounts; the message is still ours.
const TRIAL_PREFIX = 'Sent from your Twilio trial account - ';

export interface SentMessage {
  sid: string;
  status: string;
  errorCode: number | null;
  errorMessage: string | null;
}

export interface Lookup {
  to: string;
  body: string;
  sender: SenderParams;
  startedAt: number;
}

/** The part of twilio-node's Page this search uses. */
interface ListPage {
  instances: unknown[];
  nextPage(): Promise<ListPage> | undefined;
}

interface Listed {
  sid: string;
  body: string | null;
  from: string;
  messagingServiceSid: string | null;
  direction: string;
  dateCreated: Date;
  status: string;
  errorCode: number | null;
  errorMessage: string | null;
}

/** What the recheck learned: Twilio has this send, may have it among several, or does not have it. */
export type Recheck = { kind: 'found'; message: SentMessage } | { kind: 'ambiguous'; candidates: number } | { kind: 'absent' };

/** How far from the attempt's start a message whose body or number Twilio rewrote may be created and still be taken for it. */
export const ATTEMPT_MINUTE_MS = 60_000;

/**
 * docs/rules.md#failures-and-unknown-outcomes: did Twilio create the message of an attempt whose outcome is unknown? Lists
 * the messages sent to that `To` (no date filter, newest first) and matches on sender, body and a
 * creation time after the attempt began; the earliest match wins. SIDs that another attempt
 * already owns are skipped, so an earlier identical message ("ok") is never taken for this one.
 *
 * Message Redaction (the number's last digits and the body hidden) and Smart Encoding (the body
 * rewritten) leave nothing exact to match. Then the outbound messages from that sender to that
 * number, or to its redacted form, created within the attempt's minute count: exactly one is this
 * send; several cannot be told apart, and sending again could send it twice.
 */
export async function findSentMessage(conn: Conn, client: TwilioClient, lookup: Lookup): Promise<Recheck> {
  const since = lookup.startedAt - CLOCK_SKEW_MS;
  const listed = (await listOutboundSince(client, lookup.to, since)).filter((m) => isFromSender(m, lookup));
  const exact = await unowned(conn, listed.filter((m) => hasBody(m, lookup.body)));
  if (exact.length > 0) return found(exact.sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime())[0]!);

  const redacted = redactedNumber(lookup.to);
  const hidden = redacted === lookup.to ? [] : (await listOutboundSince(client, redacted, since)).filter((m) => isFromSender(m, lookup));
  const nearby = (m: Listed) => Math.abs(m.dateCreated.getTime() - lookup.startedAt) <= ATTEMPT_MINUTE_MS;
  const loose = await unowned(conn, [...listed, ...hidden].filter(nearby));
  if (loose.length === 1) return found(loose[0]!);
  return loose.length > 1 ? { kind: 'ambiguous', candidates: loose.length } : { kind: 'absent' };
}

const found = (m: Listed): Recheck => ({ kind: 'found', message: { sid: m.sid, status: m.status, errorCode: m.errorCode, errorMessage: m.errorMessage } });

/** Twilio's outbound messages to `to`, back to `since` (the list is newest first). */
async function listOutboundSince(client: TwilioClient, to: string, since: number): Promise<Listed[]> {
  const listed: Listed[] = [];
  let page: ListPage = await client.messages.page({ to, pageSize: PAGE_SIZE });
  for (let pages = 1; ; pages++) {
    const items = page.instances as Listed[];
    listed.push(...items.filter((m) => m.direction.startsWith('outbound') && m.dateCreated.getTime() >= since));
    const reachedOlder = items.length === 0 || items[items.length - 1]!.dateCreated.getTime() < since;
    const next = reachedOlder || pages >= MAX_PAGES ? undefined : page.nextPage();
    if (!next) break;
    const nextPage = await next;
    if (!nextPage) break;
    page = nextPage;
  }
  return listed;
}

/** The candidates no other attempt has taken (one list call may show a message twice: by number and redacted). */
async function unowned(conn: Conn, candidates: Listed[]): Promise<Listed[]> {
  if (candidates.length === 0) return [];
  const owned = await q.ownedSids(conn, candidates.map((m) => m.sid));
  const bySid = new Map(candidates.filter((m) => !owned.has(m.sid)).map((m) => [m.sid, m]));
  return [...bySid.values()];
}

function hasBody(m: Listed, body: string): boolean {
  const shown = m.body ?? '';
  return shown === body || shown === TRIAL_PREFIX + body;
}

const isFromSender = (m: Listed, lookup: Lookup): boolean =>
  'from' in lookup.sender ? m.from === lookup.sender.from : m.messagingServiceSid === lookup.sender.messagingServiceSid;

import type { Conn } from '../../db/database.js';
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

/**
 * SPEC §5: did Twilio create the message of an attempt whose outcome is unknown? Lists the
 * messages sent to that `To` (no date filter, newest first) and matches on sender, body and a
 * creation time after the attempt began. SIDs that another attempt already owns are skipped, so
 * an earlier identical message ("ok") is never taken for this one. The earliest match wins.
 */
export async function findSentMessage(conn: Conn, client: TwilioClient, lookup: Lookup): Promise<SentMessage | null> {
  const since = lookup.startedAt - CLOCK_SKEW_MS;
  const candidates: Listed[] = [];
  let page: ListPage = await client.messages.page({ to: lookup.to, pageSize: PAGE_SIZE });
  for (let pages = 1; ; pages++) {
    const items = page.instances as Listed[];
    candidates.push(...items.filter((m) => isOurs(m, lookup, since)));
    const reachedOlder = items.length === 0 || items[items.length - 1]!.dateCreated.getTime() < since;
    const next = reachedOlder || pages >= MAX_PAGES ? undefined : page.nextPage();
    if (!next) break;
    const nextPage = await next;
    if (!nextPage) break;
    page = nextPage;
  }
  if (candidates.length === 0) return null;
  const owned = await q.ownedSids(conn, candidates.map((m) => m.sid));
  const match = candidates.filter((m) => !owned.has(m.sid)).sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime())[0];
  return match ? { sid: match.sid, status: match.status, errorCode: match.errorCode, errorMessage: match.errorMessage } : null;
}

function isOurs(m: Listed, lookup: Lookup, since: number): boolean {
  if (!m.direction.startsWith('outbound')) return false;
  if (m.dateCreated.getTime() < since) return false;
  const body = m.body ?? '';
  if (body !== lookup.body && body !== TRIAL_PREFIX + lookup.body) return false;
  return 'from' in lookup.sender ? m.from === lookup.sender.from : m.messagingServiceSid === lookup.sender.messagingServiceSid;
}

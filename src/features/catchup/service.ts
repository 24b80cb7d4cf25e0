import type { Context } from '../../context.js';
import { isRedactedNumber } from '../../domain/redaction.js';
import { AppError } from '../../errors.js';
import { storedTwilioSids } from '../conversations/service.js';
import { receiveListedMessage } from '../inbound/service.js';
import { refreshStatuses } from '../outbound/status-refresh.js';
import { clientFor, type ConnectedAccount } from '../twilio/accounts.js';
import { describeTwilioError, type TwilioClient } from '../twilio/client.js';
import { recordCatchup, recordCatchupFailure, sendersToCatchUp, type SenderRow } from '../twilio/messaging.js';
import { reportCatchupRun, type SenderCatchup } from './report.js';
import { listReceived, mediaOf, numbersOf, webhookParams, type ListedMessage } from './twilio-messages.js';

/*
 * docs/twilio.md#7-nothing-lost-while-parley-is-down. Twilio does not queue a webhook that failed, so
 * each run asks it for every active sender's received messages since that sender's last complete
 * run (less an overlap) and stores those Parley does not have through the webhook's own steps,
 * then fetches the statuses of sends left unfinished. Twilio is called outside any transaction.
 */

/** What the first run of a sender that has never been caught up looks back over. */
const FIRST_RUN_MS = 24 * 3_600_000;
/** Each run lists again the last minutes before where the previous one began: clocks and Twilio's indexing are not exact. */
const OVERLAP_MS = 10 * 60_000;
/** Senders caught up at once, and customers of a sender stored at once: their messages share the database's group commits. */
const PARALLEL_SENDERS = 8;
const PARALLEL_CUSTOMERS = 8;

/**
 * One run over every active sender. When `stopping` aborts (the process is shutting down), it ends
 * at the next message: what it stored stays, and senders it did not finish keep their place.
 */
export async function runCatchup(ctx: Context, keepLease: () => Promise<void>, stopping?: AbortSignal): Promise<SenderCatchup[]> {
  const startedAt = ctx.clock.now();
  const work = await sendersToCatchUp(ctx);
  const results: SenderCatchup[] = [];
  await inLanes(work, PARALLEL_SENDERS, async ({ sender, account }) => {
    if (stopping?.aborted) return;
    await keepLease();
    const result = await catchUpSender(ctx, sender, account, { keepLease, stopping });
    if (result) results.push(result);
  });
  reportCatchupRun(ctx, { startedAt, finishedAt: ctx.clock.now(), senders: results });
  return results;
}

interface RunControl {
  keepLease: () => Promise<void>;
  stopping: AbortSignal | undefined;
}

/** Thrown between messages once the process is stopping. */
class Stopped extends Error {}

/**
 * One sender: a failure is recorded and logged, and its place kept, so the next run covers the
 * same span again. Undefined when the process stopped before the sender was done.
 */
async function catchUpSender(ctx: Context, sender: SenderRow, account: ConnectedAccount, run: RunControl): Promise<SenderCatchup | undefined> {
  const startedAt = ctx.clock.now();
  const from = sender.catchupFrom === null ? startedAt - FIRST_RUN_MS : sender.catchupFrom - OVERLAP_MS;
  const base = { senderId: sender.id, organizationId: sender.organizationId, address: sender.address };
  try {
    const client = clientFor(ctx, account);
    const found = await recoverMessages(ctx, client, account, sender, from, run);
    if (run.stopping?.aborted) return undefined;
    const refreshMs = ctx.config.statusRefreshSeconds * 1000;
    const statuses = await refreshStatuses(ctx, client, sender.id, { after: from - refreshMs, until: startedAt - refreshMs });
    await recordCatchup(ctx.db, sender.id, { from: startedAt, at: ctx.clock.now(), messages: found.stored, statuses });
    return { ...base, ...found, statuses, error: null };
  } catch (err) {
    // Stopping (the database may be closing): nothing to record, the next run covers the span.
    if (err instanceof Stopped || run.stopping?.aborted) return undefined;
    const error = failureText(err);
    await recordCatchupFailure(ctx.db, sender.id, { at: ctx.clock.now(), error }).catch((e) => ctx.log.error({ err: e }, 'could not record a failed catch-up'));
    return { ...base, listed: 0, stored: 0, unreadable: 0, statuses: 0, error };
  }
}

/** The sender's received messages at Twilio since `from`, stored oldest first where Parley lacks them. */
async function recoverMessages(ctx: Context, client: TwilioClient, account: ConnectedAccount, sender: SenderRow, from: number, run: RunControl) {
  const { keepLease, stopping } = run;
  const listed: ListedMessage[][] = [];
  for (const number of await numbersOf(client, sender)) listed.push(await listReceived(client, number, new Date(from), keepLease));
  const ordered = oldestFirst(listed);
  const known = await storedTwilioSids(ctx.db, ordered.map(({ message }) => message.sid));
  const counts = { listed: ordered.length, stored: 0, unreadable: 0 };
  // Each customer's messages in their order (threading depends on it); customers side by side,
  // so their messages share the database's group commits.
  const byCustomer = new Map<string, { message: ListedMessage; at: number }[]>();
  for (const item of ordered) {
    if (known.has(item.message.sid)) continue;
    // Message Redaction keeps no usable number: the customer cannot be known, so it is reported, not stored.
    if (isRedactedNumber(item.message.from)) counts.unreadable++;
    else if (byCustomer.has(item.message.from)) byCustomer.get(item.message.from)!.push(item);
    else byCustomer.set(item.message.from, [item]);
  }
  await inLanes([...byCustomer.values()], PARALLEL_CUSTOMERS, async (messages) => {
    for (const { message, at } of messages) {
      if (stopping?.aborted) throw new Stopped();
      const media = await mediaOf(client, ctx.config.twilioApiUrl, message);
      if (await receiveListed(ctx, account, message, media, at)) counts.stored++;
      if (counts.stored % 500 === 499) await keepLease();
    }
  });
  return counts;
}

/** Runs `work` on every item, at most `lanes` at a time. */
async function inLanes<T>(items: T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
}

async function receiveListed(ctx: Context, account: ConnectedAccount, message: ListedMessage, media: Awaited<ReturnType<typeof mediaOf>>, at: number): Promise<boolean> {
  try {
    return (await receiveListedMessage(ctx, account, webhookParams(message, media), at)) === 'stored';
  } catch (err) {
    // The webhook would have been refused too (e.g. the sender was removed meanwhile): the same answer here.
    if (!(err instanceof AppError)) throw err;
    ctx.log.info({ messageSid: message.sid, reason: err.message }, 'catch-up: a listed message was not stored');
    return false;
  }
}

/**
 * Twilio lists newest first, in whole seconds. Messages are stored oldest first, so threading sees
 * them in order, and those sharing a second keep Twilio's order by a millisecond each.
 */
export function oldestFirst(lists: ListedMessage[][]): { message: ListedMessage; at: number }[] {
  const all = lists.flatMap((list) => [...list].reverse());
  all.sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime());
  let previous = -Infinity;
  return all.map((message) => {
    const second = message.dateCreated.getTime();
    previous = Math.min(Math.max(second, previous + 1), second + 999);
    return { message, at: previous };
  });
}

/** What an admin is shown and the log says: Twilio's code and reason, never the request (it carries credentials). */
function failureText(err: unknown): string {
  if (err instanceof AppError) return err.message;
  const e = err as { status?: unknown; code?: unknown };
  if (typeof e?.status !== 'number' && typeof e?.code !== 'string') return err instanceof Error ? err.message : String(err);
  const f = describeTwilioError(err);
  if (f.code === 20003) return "Twilio refused the account's credentials (20003): update the Auth Token in Parley's settings";
  if (f.network) return `Twilio could not be reached (${f.timedOut ? 'no answer in time' : 'no connection'})`;
  if (f.status !== null) return `Twilio answered HTTP ${f.status}${f.code ? ` (${f.code})` : ''}: ${f.message}`;
  return f.message;
}

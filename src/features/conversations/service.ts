import type { Context } from '../../context.js';
import { readSnapshot, type Conn, type Db, type Tx } from '../../db/database.js';
import type { NewRow, Row } from '../../db/schema.js';
import { putReadAhead, takeReadAhead } from '../../db/tx-memo.js';
import { cursorKey, pageOf } from '../../domain/cursor.js';
import { searchTerms } from '../../domain/search.js';
import { invalid, notFound } from '../../errors.js';
import type { AuthUser } from '../accounts/sessions.js';
import { isActiveUser } from '../accounts/service.js';
import { customersMatching } from '../customers/service.js';
import { conversationEvent } from '../events/app-event.js';
import { publishCommitted } from '../events/publish.js';
import { presentConversation, presentMessage } from './presenters.js';
import { mediaOfMessages } from '../media/service.js';
import { labelsById, presentedById, type PresentedLabel } from '../labels/service.js';
import * as q from './queries.js';

export interface InboxQuery {
  status?: 'open' | 'closed';
  /** `me`, `unassigned` or a user id. */
  assignee?: string;
  q?: string;
  label?: string;
  cursor?: string;
  limit: number;
}

/** Each conversation's labels, by conversation id, in name order. */
async function labelsOf(conn: Conn, organizationId: string, conversationIds: string[]): Promise<Map<string, PresentedLabel[]>> {
  const links = await q.labelsOfConversations(conn, conversationIds);
  return labelsByConversation(conversationIds, links, await labelsById(conn, organizationId, links.map((l) => l.labelId)));
}

function labelsByConversation(conversationIds: string[], links: { conversationId: string; labelId: string }[], labels: Map<string, PresentedLabel>): Map<string, PresentedLabel[]> {
  const byConversation = new Map<string, PresentedLabel[]>(conversationIds.map((id) => [id, []]));
  for (const link of links) {
    const label = labels.get(link.labelId);
    if (label) byConversation.get(link.conversationId)?.push(label);
  }
  for (const list of byConversation.values()) list.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return byConversation;
}

/** For inbound: one conversation's labels, for its event. */
export const conversationLabels = (conn: Conn, organizationId: string, id: string) =>
  takeReadAhead(conn, labelsKey(id), async () => (await labelsOf(conn, organizationId, [id])).get(id) ?? [], true);

const labelsKey = (conversationId: string) => `conversation-labels ${conversationId}`;

/**
 * For a batch of webhooks: these conversations' labels, read ahead together (their links and the
 * label rows), for conversationLabels to answer from (inbound never changes them). A label counts
 * only in its own organization, as labelsOf has it.
 */
export function putConversationLabels(tx: Tx, conversations: { id: string; organizationId: string }[], links: { conversationId: string; labelId: string }[], labels: Row<'labels'>[]): void {
  for (const organizationId of new Set(conversations.map((c) => c.organizationId))) {
    const ids = conversations.filter((c) => c.organizationId === organizationId).map((c) => c.id);
    const theirs = presentedById(labels.filter((l) => l.organizationId === organizationId));
    for (const [id, list] of labelsByConversation(ids, links, theirs)) putReadAhead(tx, labelsKey(id), list);
  }
}

function assigneeFilter(auth: AuthUser, assignee: string | undefined): string | null | undefined {
  if (assignee === 'me') return auth.id;
  if (assignee === 'unassigned') return null;
  return assignee;
}

/** The inbox: newest activity first, with an unread flag for the caller. */
export async function listConversations(ctx: Context, auth: AuthUser, input: InboxQuery) {
  const customerIds = input.q?.trim() ? customersMatching(ctx.db, auth.organizationId, searchTerms(input.q)) : undefined;
  const rows = await q.listInbox(ctx.db, {
    organizationId: auth.organizationId,
    readerId: auth.id,
    status: input.status,
    assigneeId: assigneeFilter(auth, input.assignee),
    customerIds,
    labelId: input.label,
    after: cursorKey(input.cursor),
    limit: input.limit + 1,
  });
  const { page, nextCursor } = pageOf(rows, input.limit, (r) => ({ at: r.lastMessageAt, id: r.id }));
  const labels = await labelsOf(ctx.db, auth.organizationId, page.map((r) => r.id));
  return { items: page.map((r) => presentConversation(r, labels.get(r.id) ?? [], r)), nextCursor };
}

async function conversationOrNotFound(conn: Conn, auth: AuthUser, id: string) {
  const row = await q.conversationForReader(conn, auth.organizationId, auth.id, id);
  if (!row) throw notFound('Conversation');
  return row;
}

export async function getConversation(ctx: Context, auth: AuthUser, id: string) {
  const row = await conversationOrNotFound(ctx.db, auth, id);
  return presentConversation(row, await conversationLabels(ctx.db, auth.organizationId, id), row);
}

/** Any user labels a conversation; every open inbox hears of it through `conversation.updated`. */
export async function setLabels(ctx: Context, auth: AuthUser, id: string, labelIds: string[]) {
  const wanted = [...new Set(labelIds)];
  await ctx.db.transaction().execute(async (tx) => {
    await conversationOrNotFound(tx, auth, id);
    const known = await labelsById(tx, auth.organizationId, wanted);
    const unknown = wanted.find((l) => !known.has(l));
    if (unknown !== undefined) throw invalid('labelIds', `${unknown} is not a label of your organization (see GET /api/labels)`);
    await q.replaceConversationLabels(tx, auth.organizationId, id, wanted);
  });
  const after = await conversationOrNotFound(ctx.db, auth, id);
  const labels = await conversationLabels(ctx.db, auth.organizationId, id);
  await publishCommitted(ctx, [conversationEvent('conversation.updated', auth.organizationId, presentConversation(after, labels))]);
  return presentConversation(after, labels, after);
}

/** Close, reopen, assign or unassign; everyone's inbox hears of it through `conversation.updated`. */
export async function updateConversation(ctx: Context, auth: AuthUser, id: string, changes: { status?: 'open' | 'closed'; assigneeId?: string | null }) {
  const before = await conversationOrNotFound(ctx.db, auth, id);
  if (typeof changes.assigneeId === 'string' && !(await isActiveUser(ctx.db, auth.organizationId, changes.assigneeId))) {
    throw invalid('assigneeId', 'must be an active user of your organization (see GET /api/users), or null to unassign');
  }
  const update = {
    ...(changes.status !== undefined && changes.status !== before.status ? { status: changes.status } : {}),
    ...(changes.assigneeId !== undefined && changes.assigneeId !== before.assigneeId ? { assigneeId: changes.assigneeId } : {}),
  };
  const labels = await conversationLabels(ctx.db, auth.organizationId, id);
  if (Object.keys(update).length === 0) return presentConversation(before, labels, before);
  await q.setConversationFields(ctx.db, id, update);
  const after = await conversationOrNotFound(ctx.db, auth, id);
  await publishCommitted(ctx, [conversationEvent('conversation.updated', auth.organizationId, presentConversation(after, labels))]);
  return presentConversation(after, labels, after);
}

/** Marks everything up to now as read by the caller; others' unread markers are their own. */
export async function markConversationRead(ctx: Context, auth: AuthUser, id: string) {
  const row = await conversationOrNotFound(ctx.db, auth, id);
  const readAt = ctx.clock.now();
  await q.markRead(ctx.db, id, auth.id, readAt);
  return presentConversation(row, await conversationLabels(ctx.db, auth.organizationId, id), { readAt, mentionedAt: row.mentionedAt });
}

/**
 * The thread a page at a time. The first page holds the newest messages, so an agent opening a
 * conversation sees the latest; `nextCursor` fetches the older ones before them. Within a page
 * messages are oldest first, the order they are read in.
 */
export async function listMessages(ctx: Context, auth: AuthUser, id: string, input: { cursor?: string; limit: number }) {
  await conversationOrNotFound(ctx.db, auth, id);
  const { rows, media } = await readSnapshot(ctx.db, async (tx) => {
    const rows = await q.threadPage(tx, id, cursorKey(input.cursor), input.limit + 1);
    return { rows, media: await mediaOfMessages(tx, rows.slice(0, input.limit).map((m) => m.id)) };
  });
  const { page, nextCursor } = pageOf(rows, input.limit, (m) => ({ at: m.createdAt, id: m.id }));
  return { items: page.reverse().map((m) => presentMessage(m, media)), nextCursor };
}

/* For other features: inbound, media, outbound and the customer timeline come through here. */

export type MessageRow = q.MessageRow;

export const findConversation = (conn: Conn, organizationId: string, id: string) => q.findConversation(conn, organizationId, id);

/** Moves a message's status forward (and takes a SID): see queries.ts. The changed row, or undefined. */
export const advanceMessage = q.advanceMessage;

/** A retry puts a failed message back to pending; false when it is no longer failed. */
export const resetForRetry = (tx: Tx, messageId: string, now: number) => q.resetForRetry(tx, messageId, now);

/** A message of the organization, or undefined. */
export const findMessage = (conn: Conn, organizationId: string, id: string) => q.findMessage(conn, organizationId, id);

/** Stores a message; the caller moves the conversation's activity with touchConversation. */
/** The away reply goes once per conversation (docs/rules.md#business-hours-and-away-message). */
export const markAwaySent = (tx: Tx, conversationId: string, at: number) => q.setConversationFields(tx, conversationId, { awaySentAt: at });

export const storeMessage = (tx: Tx, row: NewRow<'messages'>) => q.insertMessage(tx, row);

/** The subset of these Twilio SIDs already stored. */
export async function storedTwilioSids(conn: Conn, sids: string[]): Promise<Set<string>> {
  const stored = new Set<string>();
  // A thousand at a time: both engines cap the parameters of one statement.
  for (let i = 0; i < sids.length; i += 1000) for (const sid of await q.storedTwilioSids(conn, sids.slice(i, i + 1000))) stored.add(sid);
  return stored;
}

/** A sender's outbound messages still waiting for a final status, accepted by Twilio in (after, until]. */
export const unfinishedOutbound = (conn: Conn, senderId: string, after: number, until: number) => q.unfinishedOutbound(conn, senderId, after, until);

const storedKey = (twilioSid: string) => `message-stored ${twilioSid}`;

export const isMessageStored = (conn: Conn, twilioSid: string) =>
  takeReadAhead(conn, storedKey(twilioSid), async () => (await q.findMessageByTwilioSid(conn, twilioSid)) !== undefined);

/** A MessageSid this transaction stored (or holds to store), for a retry of it later in the batch. */
export const rememberStored = (tx: Tx, twilioSid: string) => putReadAhead(tx, storedKey(twilioSid), true);

/** For a batch of webhooks: which of these MessageSids are stored, read ahead together for isMessageStored to answer (once each). */
export function putStoredSids(tx: Tx, sids: string[], stored: Set<string>): void {
  for (const sid of sids) putReadAhead(tx, storedKey(sid), stored.has(sid));
}

/** A message as the API shows it, with its media, or null. */
export const presentedMessage = (db: Db, organizationId: string, id: string) =>
  readSnapshot(db, async (tx) => {
    const row = await q.findMessage(tx, organizationId, id);
    return row ? presentMessage(row, await mediaOfMessages(tx, [id])) : null;
  });

/**
 * A row a statement just changed (UPDATE … RETURNING) as the API shows it, reading only its
 * media; null when the statement changed nothing.
 */
export async function presentedMessageRow(conn: Conn, row: q.MessageRow | undefined, mediaCount: number | null) {
  if (!row) return null;
  // Counts arrive as numbers or, from some drivers, numeric strings.
  return presentMessage(row, Number(mediaCount) > 0 ? await mediaOfMessages(conn, [row.id]) : []);
}

/** A conversation as everyone's inbox shows it (no reader, so unread means "last message inbound"), or null. */
export async function presentedConversation(conn: Conn, organizationId: string, id: string) {
  const conversation = await q.conversationWithCustomer(conn, organizationId, id);
  return conversation ? presentConversation(conversation, await conversationLabels(conn, organizationId, id)) : null;
}

/** Takes the message's lock first, so concurrent changes to one message (e.g. two failed downloads) take turns. */
export const lockMessage = (tx: Tx, id: string) => q.selectMessageForUpdate(tx, id);

/** Shows a problem on the message itself (e.g. pictures that could not be downloaded). */
export const setMessageError = (conn: Conn, id: string, errorMessage: string, now: number) =>
  q.updateMessage(conn, id, { errorMessage, updatedAt: now });

export interface TimelineQuery {
  cursor?: string;
  /** Conversations a page. */
  limit: number;
  /** The newest messages shown with each conversation; `messagesCursor` fetches the older ones. */
  messages: number;
}

/**
 * A page of a customer's timeline (docs/api.md#the-customer-timeline): conversations newest
 * first, each with its message count and newest messages (oldest first), and `messagesCursor`
 * to read the rest from the thread (GET /api/conversations/:id/messages?cursor=). Ordered by
 * when each conversation began, which never changes, so new messages never move a conversation
 * between pages; one snapshot, so the counts, messages and media agree.
 */
export async function customerTimelinePage(db: Db, auth: AuthUser, customerId: string, input: TimelineQuery) {
  const { rows, latest, labels, counts, media } = await readSnapshot(db, async (tx) => {
    const rows = await q.conversationsOfCustomer(tx, { organizationId: auth.organizationId, readerId: auth.id, customerId, after: cursorKey(input.cursor), limit: input.limit + 1 });
    const ids = rows.slice(0, input.limit).map((c) => c.id);
    const latest = await q.newestOfThreads(tx, ids, input.messages + 1);
    const shown = [...latest.values()].flatMap((messages) => messages.slice(0, input.messages).map((m) => m.id));
    const labels = await labelsOf(tx, auth.organizationId, ids);
    return { rows, latest, labels, counts: await q.messageCounts(tx, ids), media: await mediaOfMessages(tx, shown) };
  });
  const { page, nextCursor } = pageOf(rows, input.limit, (c) => ({ at: c.createdAt, id: c.id }));
  const conversations = page.map((c) => {
    const thread = pageOf(latest.get(c.id) ?? [], input.messages, (m) => ({ at: m.createdAt, id: m.id }));
    return {
      ...presentConversation(c, labels.get(c.id) ?? [], c),
      messageCount: counts.get(c.id) ?? 0,
      messages: thread.page.reverse().map((m) => presentMessage(m, media)),
      messagesCursor: thread.nextCursor,
    };
  });
  return { conversations, nextCursor };
}

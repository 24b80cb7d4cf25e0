import type { Context } from '../../context.js';
import { cursorKey, pageOf } from '../../domain/cursor.js';
import type { Conn } from '../../db/database.js';
import { newId } from '../../ids.js';
import { listUsers } from '../accounts/service.js';
import type { AuthUser } from '../accounts/sessions.js';
import { presentAuditEntry } from './presenters.js';
import * as q from './queries.js';

export type AuditAction =
  | 'twilio.connected'
  | 'twilio.token_replaced'
  | 'twilio.disconnected'
  | 'sender.added'
  | 'sender.updated'
  | 'sender.removed'
  | 'customer.opted_out'
  | 'customer.opted_in';

export interface AuditEntry {
  organizationId: string;
  actorId: string | null;
  action: AuditAction;
  /** What was acted on, as people read it; never a secret (an Account SID is masked). */
  target: string;
  now: number;
}

/** Written in the transaction of the change it records, so the log never claims what did not happen. */
export async function recordAudit(conn: Conn, entry: AuditEntry): Promise<void> {
  await q.insertAuditEntry(conn, {
    id: newId(entry.now),
    organizationId: entry.organizationId,
    actorId: entry.actorId,
    action: entry.action,
    target: entry.target,
    createdAt: entry.now,
  });
}

export async function listAudit(ctx: Context, auth: AuthUser, opts: { cursor?: string; limit: number }) {
  const rows = await q.listAuditEntries(ctx.db, auth.organizationId, { after: cursorKey(opts.cursor), limit: opts.limit + 1 });
  const { page, nextCursor } = pageOf(rows, opts.limit, (row) => ({ at: row.createdAt, id: row.id }));
  const users = new Map((await listUsers(ctx, auth)).map((u) => [u.id, u]));
  return {
    items: page.map((row) => presentAuditEntry(row, row.actorId ? users.get(row.actorId) : undefined)),
    nextCursor,
  };
}

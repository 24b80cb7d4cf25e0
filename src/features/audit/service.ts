import type { Context } from '../../context.js';
import { decodeCursor, encodeCursor } from '../../domain/cursor.js';
import type { Conn } from '../../db/database.js';
import { invalid } from '../../errors.js';
import { newId } from '../../ids.js';
import { listUsers } from '../accounts/service.js';
import type { AuthUser } from '../accounts/sessions.js';
import { presentAuditEntry } from './presenters.js';
import * as q from './queries.js';

export type AuditAction = 'twilio.connected' | 'twilio.token_replaced' | 'twilio.disconnected' | 'sender.added' | 'sender.updated' | 'sender.removed';

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
  const key = opts.cursor ? decodeCursor(opts.cursor) : undefined;
  if (key === null) throw invalid('cursor', 'is not a cursor this API gave out; start again without it');
  const before = key ? { createdAt: key.at, id: key.id } : undefined;
  const rows = await q.listAuditEntries(ctx.db, auth.organizationId, { before, limit: opts.limit + 1 });
  const page = rows.slice(0, opts.limit);
  const users = new Map((await listUsers(ctx, auth)).map((u) => [u.id, u]));
  return {
    items: page.map((row) => presentAuditEntry(row, row.actorId ? users.get(row.actorId) : undefined)),
    nextCursor: rows.length > opts.limit ? encodeCursor({ at: page[page.length - 1]!.createdAt, id: page[page.length - 1]!.id }) : null,
  };
}

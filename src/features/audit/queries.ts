import type { Conn } from '../../db/database.js';
import { after } from '../../db/keyset.js';
import type { CursorKey } from '../../domain/cursor.js';
import type { NewRow, Row } from '../../db/schema.js';

export type AuditRow = Row<'auditLog'>;

export const insertAuditEntry = (conn: Conn, row: NewRow<'auditLog'>) => conn.insertInto('auditLog').values(row).execute();

/** Newest first; `after` is the (createdAt, id) of the last entry of the previous page. */
export const listAuditEntries = (conn: Conn, organizationId: string, opts: { after?: CursorKey; limit: number }) =>
  conn
    .selectFrom('auditLog')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .$if(opts.after !== undefined, (q) => q.where((eb) => after(eb, { at: 'createdAt', id: 'id' }, opts.after!)))
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .execute();

import type { Conn } from '../../db/database.js';
import type { NewRow, Row } from '../../db/schema.js';

export type AuditRow = Row<'auditLog'>;

export const insertAuditEntry = (conn: Conn, row: NewRow<'auditLog'>) => conn.insertInto('auditLog').values(row).execute();

/** Newest first; `before` is the (createdAt, id) of the last entry of the previous page. */
export const listAuditEntries = (conn: Conn, organizationId: string, opts: { before?: { createdAt: number; id: string }; limit: number }) =>
  conn
    .selectFrom('auditLog')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .$if(opts.before !== undefined, (q) =>
      q.where((eb) =>
        eb.or([eb('createdAt', '<', opts.before!.createdAt), eb.and([eb('createdAt', '=', opts.before!.createdAt), eb('id', '<', opts.before!.id)])]),
      ),
    )
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .execute();

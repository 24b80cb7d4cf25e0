import type { Conn } from '../../db/database.js';
import type { NewRow, Row } from '../../db/schema.js';

export type CannedReplyRow = Row<'cannedReplies'>;

export const listCannedReplies = (conn: Conn, organizationId: string) =>
  conn.selectFrom('cannedReplies').selectAll().where('organizationId', '=', organizationId).orderBy('shortcut').execute();

export const findCannedReply = (conn: Conn, organizationId: string, id: string) =>
  conn.selectFrom('cannedReplies').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();

export const insertCannedReply = (conn: Conn, row: NewRow<'cannedReplies'>) => conn.insertInto('cannedReplies').values(row).execute();

export const updateCannedReply = (conn: Conn, organizationId: string, id: string, changes: Partial<Pick<CannedReplyRow, 'shortcut' | 'title' | 'body' | 'updatedAt'>>) =>
  conn.updateTable('cannedReplies').set(changes).where('organizationId', '=', organizationId).where('id', '=', id).execute();

export const deleteCannedReply = (conn: Conn, organizationId: string, id: string) =>
  conn.deleteFrom('cannedReplies').where('organizationId', '=', organizationId).where('id', '=', id).execute();

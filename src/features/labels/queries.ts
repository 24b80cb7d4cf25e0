import type { Conn } from '../../db/database.js';
import type { NewRow, Row } from '../../db/schema.js';

export type LabelRow = Row<'labels'>;

export const listLabels = (conn: Conn, organizationId: string) =>
  conn.selectFrom('labels').selectAll().where('organizationId', '=', organizationId).orderBy('name').orderBy('id').execute();

export const findLabel = (conn: Conn, organizationId: string, id: string) =>
  conn.selectFrom('labels').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();

export const labelsByIds = (conn: Conn, organizationId: string, ids: string[]) =>
  ids.length === 0
    ? Promise.resolve([] as LabelRow[])
    : conn.selectFrom('labels').selectAll().where('organizationId', '=', organizationId).where('id', 'in', ids).execute();

export const insertLabel = (conn: Conn, row: NewRow<'labels'>) => conn.insertInto('labels').values(row).execute();

export const updateLabel = (conn: Conn, organizationId: string, id: string, changes: { name?: string; color?: string }) =>
  conn.updateTable('labels').set(changes).where('organizationId', '=', organizationId).where('id', '=', id).execute();

export const deleteLabel = (conn: Conn, organizationId: string, id: string) =>
  conn.deleteFrom('labels').where('organizationId', '=', organizationId).where('id', '=', id).execute();

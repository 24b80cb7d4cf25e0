import type { Conn } from '../../db/database.js';
import type { NewRow, Row, RowUpdate } from '../../db/schema.js';

export type MediaRow = Row<'media'>;

export const insertMedia = (conn: Conn, rows: NewRow<'media'>[]) => (rows.length === 0 ? Promise.resolve() : conn.insertInto('media').values(rows).execute());

export const findMedia = (conn: Conn, id: string) => conn.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();

export const findMediaOfOrganization = (conn: Conn, organizationId: string, id: string) =>
  conn.selectFrom('media').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();

/** Changes a media item only while it is still being downloaded, so a late retry never undoes an outcome. */
export const settlePendingMedia = async (conn: Conn, id: string, changes: RowUpdate<'media'>) =>
  (await conn.updateTable('media').set(changes).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst()).numUpdatedRows > 0n;

export const countFailedMediaOfMessage = async (conn: Conn, messageId: string) =>
  Number(
    (
      await conn
        .selectFrom('media')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('messageId', '=', messageId)
        .where('status', '=', 'failed')
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Twilio's media URLs name the Account SID: a disconnect forgets those not yet downloaded. */
export const forgetPendingSources = (conn: Conn, organizationId: string) =>
  conn.updateTable('media').set({ sourceUrl: null }).where('organizationId', '=', organizationId).where('status', '=', 'pending').execute();

export const mediaOfMessages = (conn: Conn, messageIds: string[]) =>
  messageIds.length === 0
    ? Promise.resolve([] as MediaRow[])
    : conn.selectFrom('media').selectAll().where('messageId', 'in', messageIds).orderBy('position').execute();

export const mediaIdsOfMessage = async (conn: Conn, messageId: string) =>
  (await conn.selectFrom('media').select('id').where('messageId', '=', messageId).orderBy('position').execute()).map((r) => r.id);

export const mediaByIds = (conn: Conn, organizationId: string, ids: string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : conn
        .selectFrom('media')
        .select(['id', 'messageId', 'contentType', 'size', 'status', 'uploadedBy'])
        .where('organizationId', '=', organizationId)
        .where('id', 'in', ids)
        .execute();

/** Attaches an upload to a message unless another message took it first; returns whether it did. */
export async function attachMedia(conn: Conn, input: { organizationId: string; mediaId: string; messageId: string; position: number }): Promise<boolean> {
  const result = await conn
    .updateTable('media')
    .set({ messageId: input.messageId, position: input.position })
    .where('id', '=', input.mediaId)
    .where('organizationId', '=', input.organizationId)
    .where('messageId', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export const putThumbnail = (conn: Conn, row: NewRow<'mediaThumbnails'>) =>
  conn
    .insertInto('mediaThumbnails')
    .values(row)
    .onConflict((oc) => oc.column('mediaId').doUpdateSet({ contentType: row.contentType, bytes: row.bytes }))
    .execute();

export const findThumbnail = (conn: Conn, mediaId: string) =>
  conn.selectFrom('mediaThumbnails').select(['contentType', 'bytes']).where('mediaId', '=', mediaId).executeTakeFirst();

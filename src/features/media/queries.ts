import type { Conn } from '../../db/database.js';
import { affectedRows, idList, inIdList, prepared } from '../../db/prepared.js';
import type { NewRow, Row } from '../../db/schema.js';

export type MediaRow = Row<'media'>;

export const insertMedia = (conn: Conn, rows: NewRow<'media'>[]) => (rows.length === 0 ? Promise.resolve() : conn.insertInto('media').values(rows).execute());

/* A picture's download and thumbnail jobs run the statements below prepared (db/prepared.ts), a dozen or so for each picture after its text is stored. */

const findMediaQuery = prepared((conn: Conn, id: string) => conn.selectFrom('media').selectAll().where('id', '=', id));
export const findMedia = async (conn: Conn, id: string): Promise<MediaRow | undefined> => (await findMediaQuery(conn, id)).rows[0];

export const findMediaOfOrganization = (conn: Conn, organizationId: string, id: string) =>
  conn.selectFrom('media').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();

/*
 * A media item is settled only while it is still being downloaded, so a late retry never undoes
 * an outcome. Each returns whether it settled the item. Twilio's URL is forgotten either way.
 */
const readyQuery = prepared((conn: Conn, id: string, size: number, contentType: string) =>
  conn.updateTable('media').set({ status: 'ready', size, contentType, sourceUrl: null }).where('id', '=', id).where('status', '=', 'pending'),
);
export const settleMediaReady = async (conn: Conn, id: string, stored: { size: number; contentType: string }) =>
  affectedRows(await readyQuery(conn, id, stored.size, stored.contentType)) > 0;

const failedQuery = prepared((conn: Conn, id: string, errorMessage: string) =>
  conn.updateTable('media').set({ status: 'failed', sourceUrl: null, errorMessage }).where('id', '=', id).where('status', '=', 'pending'),
);
export const settleMediaFailed = async (conn: Conn, id: string, errorMessage: string) => affectedRows(await failedQuery(conn, id, errorMessage)) > 0;

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

const mediaOfMessagesQuery = prepared((conn: Conn, messageIds: unknown) => conn.selectFrom('media').selectAll().where(inIdList(conn, 'messageId', messageIds)).orderBy('position'));

export const mediaOfMessages = async (conn: Conn, messageIds: string[]): Promise<MediaRow[]> =>
  messageIds.length === 0 ? [] : (await mediaOfMessagesQuery(conn, idList(conn, messageIds))).rows;

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

const putThumbnailQuery = prepared((conn: Conn, mediaId: string, contentType: string, bytes: Buffer) =>
  conn
    .insertInto('mediaThumbnails')
    .values({ mediaId, contentType, bytes })
    .onConflict((oc) => oc.column('mediaId').doUpdateSet((eb) => ({ contentType: eb.ref('excluded.contentType'), bytes: eb.ref('excluded.bytes') }))),
);
export const putThumbnail = async (conn: Conn, row: NewRow<'mediaThumbnails'>) => void (await putThumbnailQuery(conn, row.mediaId, row.contentType, row.bytes));

export const findThumbnail = (conn: Conn, mediaId: string) =>
  conn.selectFrom('mediaThumbnails').select(['contentType', 'bytes']).where('mediaId', '=', mediaId).executeTakeFirst();

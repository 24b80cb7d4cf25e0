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

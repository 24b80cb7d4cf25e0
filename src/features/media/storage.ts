import type { Conn } from '../../db/database.js';
import { prepared } from '../../db/prepared.js';

/**
 * Where media bytes live. Today the database (so every server process can serve every file and
 * a backup holds everything); the interface is what an object-storage implementation would fill.
 */
export interface MediaStorage {
  /** Stores (or replaces) the bytes of a media item. */
  put(mediaId: string, bytes: Buffer): Promise<void>;
  get(mediaId: string): Promise<Buffer | null>;
}

const putQuery = prepared((conn: Conn, mediaId: string, bytes: Buffer) =>
  conn
    .insertInto('mediaBlobs')
    .values({ mediaId, bytes })
    .onConflict((oc) => oc.column('mediaId').doUpdateSet((eb) => ({ bytes: eb.ref('excluded.bytes') }))),
);
const getQuery = prepared((conn: Conn, mediaId: string) => conn.selectFrom('mediaBlobs').select('bytes').where('mediaId', '=', mediaId));

export function databaseMediaStorage(conn: Conn): MediaStorage {
  return {
    async put(mediaId, bytes) {
      await putQuery(conn, mediaId, bytes);
    },
    async get(mediaId) {
      const row = (await getQuery(conn, mediaId)).rows[0];
      return row ? Buffer.from(row.bytes) : null;
    },
  };
}

import type { Conn } from '../../db/database.js';

/**
 * Where media bytes live. Today the database (so every server process can serve every file and
 * a backup holds everything); the interface is what an object-storage implementation would fill.
 */
export interface MediaStorage {
  /** Stores (or replaces) the bytes of a media item. */
  put(mediaId: string, bytes: Buffer): Promise<void>;
  get(mediaId: string): Promise<Buffer | null>;
}

export function databaseMediaStorage(conn: Conn): MediaStorage {
  return {
    async put(mediaId, bytes) {
      await conn
        .insertInto('mediaBlobs')
        .values({ mediaId, bytes })
        .onConflict((oc) => oc.column('mediaId').doUpdateSet({ bytes }))
        .execute();
    },
    async get(mediaId) {
      const row = await conn.selectFrom('mediaBlobs').select('bytes').where('mediaId', '=', mediaId).executeTakeFirst();
      return row ? Buffer.from(row.bytes) : null;
    },
  };
}

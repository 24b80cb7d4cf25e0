import { invalid } from '../errors.js';

/**
 * Opaque pagination cursors: the sort key of the last item a page showed, so the next page
 * starts strictly after it even when rows are added meanwhile (no offsets that shift).
 * A cursor is base64url JSON of [time, id]; anything else is not a cursor we made.
 */
export interface CursorKey {
  at: number;
  id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.at, key.id])).toString('base64url');
}

/** The key inside a cursor, or null when the string was not made by encodeCursor. */
export function decodeCursor(cursor: string): CursorKey | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [at, id] = value as unknown[];
    if (typeof at !== 'number' || !Number.isSafeInteger(at) || typeof id !== 'string' || id.length === 0 || id.length > 64) return null;
    return { at, id };
  } catch {
    return null;
  }
}


/** The key of the cursor a client sent back, if any; a 422 when it is not one this API gave out. */
export function cursorKey(cursor: string | undefined): CursorKey | undefined {
  if (cursor === undefined) return undefined;
  const key = decodeCursor(cursor);
  if (!key) throw invalid('cursor', 'is not a cursor from a previous page; ask again without it');
  return key;
}

/**
 * A page from the `limit + 1` rows a query read: the first `limit`, and a cursor to the rest
 * when there was one more row.
 */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => CursorKey): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

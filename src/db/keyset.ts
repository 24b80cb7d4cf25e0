import type { ExpressionBuilder, ExpressionWrapper, SqlBool, StringReference } from 'kysely';
import type { CursorKey } from '../domain/cursor.js';

/**
 * Keyset paging in (time desc, id desc) order: the rows strictly after `key`. Ties on time are
 * broken by id, so a page never skips or repeats a row even when rows are added meanwhile.
 * Written as one row comparison, `(time, id) < (t, i)`, which both engines turn into a range
 * of an index on (…, time, id); PostgreSQL does not for the equivalent `or` of two conditions,
 * and read every earlier row instead.
 */
export function after<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  columns: { at: StringReference<DB, TB>; id: StringReference<DB, TB> },
  key: CursorKey,
): ExpressionWrapper<DB, TB, SqlBool> {
  return eb(eb.refTuple(columns.at, columns.id), '<', eb.tuple(key.at as never, key.id as never));
}

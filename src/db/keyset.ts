import type { ExpressionBuilder, ExpressionWrapper, SqlBool, StringReference } from 'kysely';
import type { CursorKey } from '../domain/cursor.js';

/**
 * Keyset paging in (time desc, id desc) order: the rows strictly after `key`. Ties on time are
 * broken by id, so a page never skips or repeats a row even when rows are added meanwhile.
 */
export function after<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  columns: { at: StringReference<DB, TB>; id: StringReference<DB, TB> },
  key: CursorKey,
): ExpressionWrapper<DB, TB, SqlBool> {
  const at = key.at as never;
  return eb.or([eb(columns.at, '<', at), eb.and([eb(columns.at, '=', at), eb(columns.id, '<', key.id as never)])]);
}

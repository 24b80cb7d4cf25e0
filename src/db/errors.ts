/**
 * A write refused by a unique (or primary-key) constraint, by the engine's own error code:
 * SQLite's SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY, PostgreSQL's 23505. Any other error, even
 * one whose message mentions "unique", is not one, so it never turns into a misleading 409.
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

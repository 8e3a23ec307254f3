/**
 * True when `error` is a unique or primary-key constraint violation, on either engine
 * (SQLite SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY, PostgreSQL SQLSTATE 23505).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { code, errcode } = error as { code?: unknown; errcode?: unknown }
  if (code === '23505') return true
  return errcode === 2067 || errcode === 1555
}

import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Database } from './database.ts'

/** Runs `work` while holding the lock named `key`, across every replica of the database; resolves or throws as `work` does. */
export type KeyedLock = <R>(key: string, work: () => Promise<R>) => Promise<R>

/**
 * A lock by name shared by every process on the database, for short critical sections that read and then write
 * (an agent's budget check and the request it records). On PostgreSQL a session advisory lock
 * (`pg_advisory_lock` on the first 64 bits of the SHA-256 of `key`), held on one pooled connection while `work` runs on others, and released
 * by PostgreSQL itself if the process dies; at most `maxHeld` (default 4) are held at once by this process, so the
 * pool always has connections left for the work. On SQLite the database's single writer and the caller's in-process
 * lock already make the section exclusive: `work` runs at once.
 */
export function createKeyedLock(database: Pick<Database, 'db' | 'dialect'>, options: { maxHeld?: number } = {}): KeyedLock {
  if (database.dialect !== 'postgres') return (_key, work) => work()
  const maxHeld = options.maxHeld ?? 4
  let held = 0
  const waiting: (() => void)[] = []
  const slot = async () => {
    if (held < maxHeld) { held++; return }
    await new Promise<void>((resolve) => waiting.push(resolve))
  }
  const free = () => {
    const next = waiting.shift()
    if (next) next()
    else held--
  }
  return async (key, work) => {
    const id = createHash('sha256').update(key).digest().readBigInt64BE(0).toString()
    await slot()
    try {
      return await database.db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(${id}::bigint)`.execute(conn)
        try {
          return await work()
        } finally {
          await sql`select pg_advisory_unlock(${id}::bigint)`.execute(conn).catch(() => {})
        }
      })
    } finally {
      free()
    }
  }
}

import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { ConductorError, systemClock } from '../core/index.ts'
import type { Clock } from '../core/index.ts'
import { adaptNodeSqlite, NodeSqliteDialect } from './node-sqlite.ts'

/** The database engines Conductor runs on. */
export type Dialect = 'sqlite' | 'postgres'

/**
 * An open database over the tables `T` its caller names: the composition root names every domain's tables, a domain
 * its own; the store itself knows none. Without `T` the tables are untyped (`Kysely<any>`, as migrations see them).
 * Conventions shared by both engines, so rows read the same everywhere:
 * timestamps are ISO 8601 UTC strings from `Date#toISOString()` (sortable as text), booleans are integers 0/1,
 * JSON is stored as text, and 64-bit integers (`bigint` columns, `count(*)`) come back as JavaScript numbers.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped unless the caller names its tables, as Kysely's own examples do
export interface Database<T = any> {
  /** The query builder. */
  readonly db: Kysely<T>
  /** Which engine this is. */
  readonly dialect: Dialect
  /** The clock repositories use for timestamps. */
  readonly clock: Clock
  /** Closes every connection. Safe to call more than once. */
  close(): Promise<void>
}

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /**
   * `sqlite:<path>` (a relative path resolves against the working directory; the parent folder is created),
   * `sqlite::memory:`, or `postgres://user@host:port/database` (also `postgresql://`).
   */
  url: string
  /** Where time comes from; defaults to the system clock. */
  clock?: Clock
  /** PostgreSQL pool size (default 10). */
  poolSize?: number
}

/** How long a single SQLite statement waits for a lock held by another connection. */
const SQLITE_BUSY_TIMEOUT_MS = 5000

/**
 * Opens the database named by `url`: SQLite through Node's built-in `node:sqlite` (WAL, synchronous=FULL,
 * foreign keys on), or PostgreSQL through a `pg` pool. Checks the connection before returning.
 * Does not migrate: call {@link migrateToLatest} next.
 * @throws ConductorError `store_unavailable` when the database cannot be opened or reached; `invalid_input` for an unknown scheme.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see Database
export async function openDatabase<T = any>(options: OpenDatabaseOptions): Promise<Database<T>> {
  const clock = options.clock ?? systemClock
  const { url } = options
  if (url.startsWith('sqlite:')) return openSqlite<T>(url.slice('sqlite:'.length), clock)
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres<T>(url, clock, options.poolSize ?? 10)
  throw new ConductorError('invalid_input', 'The database URL must start with sqlite: or postgres://', { details: { field: 'database.url' } })
}

function openSqlite<T>(location: string, clock: Clock): Database<T> {
  if (location === '') throw new ConductorError('invalid_input', 'A sqlite: database URL needs a path or :memory:', { details: { field: 'database.url' } })
  const memory = location === ':memory:'
  const path = memory ? ':memory:' : resolve(location.replace(/^\/\/(?=\/)/, ''))
  let native: DatabaseSync
  try {
    if (!memory) mkdirSync(dirname(path), { recursive: true })
    native = new DatabaseSync(path)
    native.exec(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`)
    native.exec('PRAGMA journal_mode = WAL')
    native.exec('PRAGMA synchronous = FULL')
    native.exec('PRAGMA foreign_keys = ON')
  } catch (cause) {
    throw new ConductorError('store_unavailable', `Cannot open the SQLite database at ${path}`, { details: { path }, cause })
  }
  const db = new Kysely<T>({ dialect: new NodeSqliteDialect(adaptNodeSqlite(native, SQLITE_BUSY_TIMEOUT_MS)) })
  let closed = false
  return {
    db,
    dialect: 'sqlite',
    clock,
    close: async () => {
      if (closed) return
      closed = true
      await db.destroy()
      // Kysely closes the database only if it ever ran a query.
      if (native.isOpen) native.close()
    },
  }
}

async function openPostgres<T>(url: string, clock: Clock, max: number): Promise<Database<T>> {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: {
      // int8 (bigint, count(*)) as a number: sequence numbers and counts stay far below 2^53.
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  })
  // An idle client losing its server must not crash the process; the next query reports the failure.
  pool.on('error', () => {})
  const db = new Kysely<T>({ dialect: new PostgresDialect({ pool }) })
  try {
    await sql`select 1`.execute(db)
  } catch (cause) {
    await db.destroy().catch(() => {})
    throw new ConductorError('store_unavailable', `Cannot reach PostgreSQL at ${redactUrl(url)}`, { details: { url: redactUrl(url) }, cause })
  }
  let closed = false
  return {
    db,
    dialect: 'postgres',
    clock,
    close: async () => {
      if (closed) return
      closed = true
      await db.destroy()
    },
  }
}

/** `url` without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@')
  }
}

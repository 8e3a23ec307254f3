import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite'
import { setTimeout as sleep } from 'node:timers/promises'
import { SqliteDialect, SqliteDriver } from 'kysely'
import type { DatabaseConnection, Driver, SqliteDatabase, SqliteStatement } from 'kysely'

/** How long a transaction waits, without blocking the event loop, for another connection's write lock. */
const BEGIN_RETRY_MS = 10_000
/** Prepared statements kept per database, by SQL text (Kysely prepares every query afresh otherwise). */
const STATEMENT_CACHE_SIZE = 500

/**
 * Adapts a node:sqlite `DatabaseSync` to the better-sqlite3-shaped interface Kysely's SqliteDialect expects.
 * Every `begin` becomes `BEGIN IMMEDIATE`, tried without waiting: a transaction takes the write lock up front, so two
 * connections never deadlock on a read→write upgrade, and a busy lock is retried asynchronously by {@link NodeSqliteDialect}.
 */
export function adaptNodeSqlite(database: DatabaseSync, busyTimeoutMs: number): SqliteDatabase {
  // Kysely runs one query at a time on the connection, so a cached statement is never used by two queries at once.
  const cache = new Map<string, SqliteStatement>()
  return {
    close: () => { cache.clear(); if (database.isOpen) database.close() },
    prepare: (sql: string): SqliteStatement => {
      const cached = cache.get(sql)
      if (cached !== undefined) return cached
      const statement = /^\s*begin\s*;?\s*$/i.test(sql) ? beginImmediate(database, busyTimeoutMs) : adaptStatement(database.prepare(sql))
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!)
      cache.set(sql, statement)
      return statement
    },
  }
}

function beginImmediate(database: DatabaseSync, busyTimeoutMs: number): SqliteStatement {
  const run = () => {
    database.exec('PRAGMA busy_timeout = 0')
    try {
      database.exec('BEGIN IMMEDIATE')
    } finally {
      database.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`)
    }
    return { changes: 0, lastInsertRowid: 0 }
  }
  return { reader: false, all: () => { run(); return [] }, run, iterate: () => { run(); return [][Symbol.iterator]() } }
}

function adaptStatement(statement: StatementSync): SqliteStatement {
  const names = statement.columns().map((column) => column.name)
  // node:sqlite builds each object row property by property on a null prototype (slow, then copied to a plain object
  // to match PostgreSQL's rows); rows read as arrays and assigned in column order are plain objects of one shape,
  // about three times faster on a large listing.
  if (names.length > 0) statement.setReturnArrays(true)
  const toRow = (values: unknown): Record<string, unknown> => {
    const row: Record<string, unknown> = {}
    for (let i = 0; i < names.length; i++) row[names[i]!] = (values as unknown[])[i]
    return row
  }
  return {
    reader: names.length > 0,
    all: (parameters) => statement.all(...toSqlite(parameters)).map(toRow),
    run: (parameters) => statement.run(...toSqlite(parameters)),
    iterate: function* (parameters) { for (const values of statement.iterate(...toSqlite(parameters))) yield toRow(values) },
  }
}

function toSqlite(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map((value) => {
    if (typeof value === 'boolean') return value ? 1 : 0
    if (value instanceof Date) return value.toISOString()
    if (value === undefined) return null
    return value as SQLInputValue
  })
}

/** True when `error` is SQLite's "database is locked" (SQLITE_BUSY, any extended code). */
export function isSqliteBusy(error: unknown): boolean {
  const errcode = (error as { errcode?: unknown } | null)?.errcode
  return typeof errcode === 'number' && (errcode & 0xff) === 5
}

class NodeSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const deadline = Date.now() + BEGIN_RETRY_MS
    for (let attempt = 0; ; attempt++) {
      try {
        await super.beginTransaction(connection)
        return
      } catch (error) {
        if (!isSqliteBusy(error) || Date.now() > deadline) throw error
        // Another connection (often another process) holds the write lock: yield, then try again.
        await sleep(Math.min(50, 1 + attempt) * (0.5 + Math.random()))
      }
    }
  }
}

/** Kysely's SqliteDialect whose transactions wait for a busy write lock without blocking the event loop. */
export class NodeSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase

  constructor(database: SqliteDatabase) {
    super({ database })
    this.#database = database
  }

  override createDriver(): Driver {
    return new NodeSqliteDriver({ database: this.#database })
  }
}

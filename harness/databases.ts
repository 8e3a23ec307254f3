import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe } from 'node:test'
import pg from 'pg'
import { migrateToLatest, openDatabase } from '../src/store/index.ts'
import type { Database, Dialect } from '../src/store/index.ts'

/** A database made for one test: fresh, migrated, and deleted again by `close()`. */
export interface TestDatabase extends Database {
  /** The URL it was opened with, for a second connection or a child process. */
  readonly url: string
}

/** One engine a suite runs on. */
export interface Engine {
  readonly name: Dialect
  /** A fresh, migrated database of this engine; its `close()` deletes it. */
  open(): Promise<TestDatabase>
}

/**
 * Runs `suite` once per engine, inside `describe('<engine>')`: always SQLite (a file in a temporary folder), and
 * PostgreSQL when `DATABASE_URL` is a postgres:// URL (each `open()` creates a uniquely named database on that
 * server through a maintenance connection, and `close()` drops it).
 */
export function forEachEngine(suite: (engine: Engine) => void): void {
  for (const engine of engines()) describe(engine.name, () => suite(engine))
}

/** The engines available here: SQLite, plus PostgreSQL when `DATABASE_URL` is set. */
export function engines(): Engine[] {
  const list: Engine[] = [{ name: 'sqlite', open: openSqlite }]
  const url = process.env.DATABASE_URL
  if (url !== undefined && /^postgres(ql)?:\/\//.test(url)) list.push({ name: 'postgres', open: () => openPostgres(url) })
  return list
}

async function openSqlite(): Promise<TestDatabase> {
  const folder = await mkdtemp(join(tmpdir(), 'conductor-test-'))
  const url = `sqlite:${join(folder, 'conductor.db')}`
  const database = await openDatabase({ url })
  try {
    await migrateToLatest(database)
  } catch (error) {
    await database.close()
    await rm(folder, { recursive: true, force: true })
    throw error
  }
  return {
    ...database,
    url,
    close: async () => {
      await database.close()
      await rm(folder, { recursive: true, force: true })
    },
  }
}

async function openPostgres(maintenanceUrl: string): Promise<TestDatabase> {
  const name = `conductor_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
  await maintenance(maintenanceUrl, `CREATE DATABASE ${name}`)
  const target = new URL(maintenanceUrl)
  target.pathname = `/${name}`
  const url = target.toString()
  let database: Database
  try {
    database = await openDatabase({ url })
    await migrateToLatest(database)
  } catch (error) {
    await maintenance(maintenanceUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    throw error
  }
  return {
    ...database,
    url,
    close: async () => {
      await database.close()
      await maintenance(maintenanceUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    },
  }
}

async function maintenance(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

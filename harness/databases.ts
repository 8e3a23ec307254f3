import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { describe } from 'node:test'
import { migrateToLatest, openDatabase } from '../src/store/index.ts'
import { postgresServer, scratchPostgresDatabase } from './postgres.ts'
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
 * Runs `suite` once per engine of {@link engines}, inside `describe('<engine>')`: always SQLite (a file in a
 * temporary folder), and PostgreSQL when `DATABASE_URL` is a postgres:// URL (each `open()` creates a uniquely
 * named database on that server through a maintenance connection, and `close()` drops it).
 * Only files named `*.db.test.ts` may call it, and every test in them runs inside it: `npm test` runs just those
 * files again on PostgreSQL (with `CONDUCTOR_TEST_ENGINES=postgres`). Called from another test file, it throws.
 */
export function forEachEngine(suite: (engine: Engine) => void): void {
  const file = process.argv[1] ?? ''
  if (file.endsWith('.test.ts') && !file.endsWith('.db.test.ts')) {
    throw new Error(`${basename(file)} runs suites per database engine, so it must be named *.db.test.ts (npm test runs only those on PostgreSQL)`)
  }
  for (const engine of engines()) describe(engine.name, () => suite(engine))
}

/** The engine names {@link engines} knows. */
const ENGINE_NAMES: readonly Dialect[] = ['sqlite', 'postgres']

/**
 * The engines available here: SQLite, plus PostgreSQL when `DATABASE_URL` is a postgres:// URL.
 * `CONDUCTOR_TEST_ENGINES` (comma-separated names, e.g. `postgres`) narrows that to the engines it names;
 * naming one that is unknown or not available throws rather than running nothing.
 */
export function engines(): Engine[] {
  const available: Engine[] = [{ name: 'sqlite', open: openSqlite }]
  const url = postgresServer(process.env.DATABASE_URL)
  if (url !== undefined) available.push({ name: 'postgres', open: () => openPostgres(url) })
  const wanted = process.env.CONDUCTOR_TEST_ENGINES?.split(',').map((name) => name.trim()).filter(Boolean)
  if (wanted === undefined || wanted.length === 0) return available
  for (const name of wanted) {
    if (!ENGINE_NAMES.includes(name as Dialect)) throw new Error(`CONDUCTOR_TEST_ENGINES names "${name}"; the engines are ${ENGINE_NAMES.join(', ')}`)
    if (!available.some((engine) => engine.name === name)) throw new Error(`CONDUCTOR_TEST_ENGINES asks for ${name}, which needs DATABASE_URL=postgres://…`)
  }
  return available.filter((engine) => wanted.includes(engine.name))
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
  const scratch = await scratchPostgresDatabase(maintenanceUrl, 'conductor_test')
  let database: Database
  try {
    database = await openDatabase({ url: scratch.url })
    await migrateToLatest(database)
  } catch (error) {
    await scratch.drop()
    throw error
  }
  return {
    ...database,
    url: scratch.url,
    close: async () => {
      await database.close()
      await scratch.drop()
    },
  }
}

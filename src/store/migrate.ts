import type { Kysely } from 'kysely'
import { Migrator } from 'kysely/migration'
import type { MigrationResultSet } from 'kysely/migration'
import { ConductorError } from '../core/index.ts'
import type { Database } from './database.ts'
import { migrations } from './migrations/index.ts'

/**
 * Brings the schema up to the latest migration. Safe to run from several replicas at once (Kysely takes a lock).
 * @returns the names of the migrations applied by this call, in order.
 * @throws ConductorError `store_unavailable` naming the failing migration (`details.migration`).
 */
export async function migrateToLatest<T>(database: Database<T>): Promise<string[]> {
  const migrator = new Migrator({
    db: database.db as Kysely<unknown>,
    provider: { getMigrations: async () => migrations },
  })
  let outcome: MigrationResultSet
  try {
    outcome = await migrator.migrateToLatest()
  } catch (cause) {
    throw new ConductorError('store_unavailable', `Cannot migrate the database: ${messageOf(cause)}`, { cause })
  }
  const failed = outcome.results?.find((result) => result.status === 'Error')
  if (outcome.error !== undefined || failed !== undefined) {
    const name = failed?.migrationName
    throw new ConductorError('store_unavailable',
      name === undefined ? `Cannot migrate the database: ${messageOf(outcome.error)}` : `Migration ${name} failed: ${messageOf(outcome.error)}`,
      { details: { migration: name ?? null }, cause: outcome.error })
  }
  return (outcome.results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName)
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

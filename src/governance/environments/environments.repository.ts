import { sql, type Kysely } from 'kysely'
import type { StoredEnvironmentsTable, StoredEnvironmentTables } from './environments.tables.ts'

type Db = Kysely<StoredEnvironmentTables>

/** Every API-defined environment, by name. */
export async function listStoredEnvironments(db: Db): Promise<StoredEnvironmentsTable[]> {
  return db.selectFrom('stored_environments').selectAll().orderBy('name').execute()
}

/** One API-defined environment, or undefined. */
export async function findStoredEnvironment(db: Db, name: string): Promise<StoredEnvironmentsTable | undefined> {
  return db.selectFrom('stored_environments').selectAll().where('name', '=', name).executeTakeFirst()
}

/** Inserts a new one. @throws a unique violation when the name is taken. */
export async function insertStoredEnvironment(db: Db, row: StoredEnvironmentsTable): Promise<void> {
  await db.insertInto('stored_environments').values(row).execute()
}

/** Replaces its definition when its generation is still `generation`; answers whether it did (false: changed or deleted meanwhile). */
export async function updateStoredEnvironment(db: Db, row: StoredEnvironmentsTable, generation: number): Promise<boolean> {
  const { name, created_by: _by, created_at: _at, ...change } = row
  const result = await db.updateTable('stored_environments').set(change).where('name', '=', name).where('generation', '=', generation).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Deletes it when its generation is still `generation`; answers whether it did. */
export async function deleteStoredEnvironment(db: Db, name: string, generation: number): Promise<boolean> {
  const result = await db.deleteFrom('stored_environments').where('name', '=', name).where('generation', '=', generation).executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

/** A short fingerprint of the table that changes with every create, update and delete (count, latest change, generations). */
export async function storedEnvironmentsStamp(db: Db): Promise<string> {
  const row = await db.selectFrom('stored_environments')
    .select([
      sql<number>`count(*)`.as('count'),
      sql<string | null>`max(updated_at)`.as('latest'),
      sql<number | null>`sum(generation)`.as('generations'),
    ])
    .executeTakeFirstOrThrow()
  return `${Number(row.count)}/${row.latest ?? ''}/${Number(row.generations ?? 0)}`
}

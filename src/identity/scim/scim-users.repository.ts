import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely'
import type { ScimTables, ScimUserEmailsTable, ScimUsersTable } from './scim.tables.ts'

/** The most ids one statement binds (`in (…)` lists and multi-row inserts stay under both engines' parameter limits). */
export const SCIM_BATCH = 300

/** `ids` in consecutive slices of at most {@link SCIM_BATCH}. */
export function* batches<T>(ids: readonly T[]): Generator<T[]> {
  for (let i = 0; i < ids.length; i += SCIM_BATCH) yield ids.slice(i, i + SCIM_BATCH)
}

/** The columns of a user that revocation needs. */
export type ScimUserSummaryRow = Pick<ScimUsersTable, 'id' | 'user_name' | 'external_id' | 'display_name' | 'active' | 'deleted_at'>

/** Sortable User attributes (lowercase, as `sortBy` resolves them) → `scim_users` column. */
export const USER_SORT_COLUMNS: Record<string, string> = {
  id: 'id', username: 'user_name_lower', displayname: 'display_name_lower', externalid: 'external_id', active: 'active', 'meta.created': 'created_at', 'meta.lastmodified': 'updated_at',
}

/** Inserts a user. Throws the engine's unique violation for a taken userName. */
export async function insertUser(db: Kysely<ScimTables>, row: ScimUsersTable): Promise<void> {
  await db.insertInto('scim_users').values(row).execute()
}

/** A live (not deleted) user by id. */
export async function findLiveUser(db: Kysely<ScimTables>, id: string): Promise<ScimUsersTable | undefined> {
  return db.selectFrom('scim_users').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
}

/** Writes `row` over the user with its id, if the user is still at `version`. */
export async function updateUser(db: Kysely<ScimTables>, row: ScimUsersTable, version: number): Promise<void> {
  await db.updateTable('scim_users').set(row).where('id', '=', row.id).where('version', '=', version).execute()
}

/** Marks a user deleted (its tombstone stays) at `at`, moving it to `version`. */
export async function markUserDeleted(db: Kysely<ScimTables>, id: string, at: string, version: number): Promise<void> {
  await db.updateTable('scim_users').set({ deleted_at: at, updated_at: at, version }).where('id', '=', id).execute()
}

/** Inserts a user's email rows (none is fine). */
export async function insertUserEmails(db: Kysely<ScimTables>, rows: readonly ScimUserEmailsTable[]): Promise<void> {
  if (rows.length === 0) return
  await db.insertInto('scim_user_emails').values([...rows]).execute()
}

/** Deletes every email row of a user. */
export async function deleteUserEmails(db: Kysely<ScimTables>, userId: string): Promise<void> {
  await db.deleteFrom('scim_user_emails').where('user_id', '=', userId).execute()
}

/** The summary columns of the given users (live or deleted), in no order. */
export async function findUserSummaryRows(db: Kysely<ScimTables>, ids: readonly string[]): Promise<ScimUserSummaryRow[]> {
  const out: ScimUserSummaryRow[] = []
  for (const slice of batches(ids)) {
    out.push(...await db.selectFrom('scim_users').select(['id', 'user_name', 'external_id', 'display_name', 'active', 'deleted_at']).where('id', 'in', slice).execute())
  }
  return out
}

/** Which of `ids` (at most {@link SCIM_BATCH}) are live users. */
export async function findLiveUserIds(db: Kysely<ScimTables>, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db.selectFrom('scim_users').select('id').where('id', 'in', [...ids]).where('deleted_at', 'is', null).execute()
  return new Set(rows.map((r) => r.id))
}

/**
 * Users (live and deleted) whose userName matches case-insensitively or whose externalId matches, most recently
 * changed first, at most 50. Empty when neither is given.
 */
export async function findUsersByName(db: Kysely<ScimTables>, by: { userName?: string; externalId?: string }): Promise<(ScimUserSummaryRow & { updated_at: string })[]> {
  if (!by.userName && !by.externalId) return []
  return db.selectFrom('scim_users').select(['id', 'user_name', 'external_id', 'display_name', 'active', 'deleted_at', 'updated_at'])
    .where((eb) => eb.or([
      ...(by.userName ? [eb('user_name_lower', '=', by.userName.toLowerCase())] : []),
      ...(by.externalId ? [eb('external_id', '=', by.externalId)] : []),
    ]))
    .orderBy('updated_at', 'desc').limit(50).execute()
}

/** One page of a list: rows matching `where` (a compiled SCIM filter, or null for all), sorted and cut. */
export interface ScimPage {
  where: RawBuilder<SqlBool> | null
  /** A qualified column to sort by first (`<table>.<column>`), then creation time and id. */
  sortColumn: string | null
  order: 'asc' | 'desc'
  limit: number
  offset: number
}

/** How many live users match `where`. */
export async function countLiveUsers(db: Kysely<ScimTables>, where: RawBuilder<SqlBool> | null): Promise<number> {
  let q = db.selectFrom('scim_users').where('deleted_at', 'is', null)
  if (where) q = q.where(where)
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(total.n)
}

/** One page of live users. */
export async function listLiveUsers(db: Kysely<ScimTables>, page: ScimPage): Promise<ScimUsersTable[]> {
  let q = db.selectFrom('scim_users').where('deleted_at', 'is', null)
  if (page.where) q = q.where(page.where)
  let rows = q.selectAll()
  if (page.sortColumn) rows = rows.orderBy(sql.ref(page.sortColumn), page.order)
  return rows.orderBy('created_at', page.order).orderBy('id', page.order).limit(page.limit).offset(page.offset).execute()
}

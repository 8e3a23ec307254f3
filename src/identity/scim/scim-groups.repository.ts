import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely'
import { batches, type ScimPage } from './scim-users.repository.ts'
import type { ScimGroupsTable, ScimTables } from './scim.tables.ts'

/** A group a user is a direct member of, as `User.groups` shows it. */
export interface UserGroup {
  id: string
  displayName: string
}

/** A member of a group, as `Group.members` shows it. */
export interface GroupMember {
  value: string
  display: string
}

/** Sortable Group attributes (lowercase, as `sortBy` resolves them) → `scim_groups` column. */
export const GROUP_SORT_COLUMNS: Record<string, string> = {
  id: 'id', displayname: 'display_name_lower', externalid: 'external_id', 'meta.created': 'created_at', 'meta.lastmodified': 'updated_at',
}

/** Inserts a group. Throws the engine's unique violation for a taken displayName. */
export async function insertGroup(db: Kysely<ScimTables>, row: ScimGroupsTable): Promise<void> {
  await db.insertInto('scim_groups').values(row).execute()
}

/** A group by id. */
export async function findGroup(db: Kysely<ScimTables>, id: string): Promise<ScimGroupsTable | undefined> {
  return db.selectFrom('scim_groups').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Writes `row` over the group with its id, if the group is still at `version`. */
export async function updateGroup(db: Kysely<ScimTables>, row: ScimGroupsTable, version: number): Promise<void> {
  await db.updateTable('scim_groups').set(row).where('id', '=', row.id).where('version', '=', version).execute()
}

/** Deletes a group (its memberships first). */
export async function deleteGroup(db: Kysely<ScimTables>, id: string): Promise<void> {
  await db.deleteFrom('scim_memberships').where('group_id', '=', id).execute()
  await db.deleteFrom('scim_groups').where('id', '=', id).execute()
}

/** Moves each of the given groups one version up, changed at `at` (their membership changed). */
export async function touchGroups(db: Kysely<ScimTables>, ids: readonly string[], at: string): Promise<void> {
  if (ids.length === 0) return
  await db.updateTable('scim_groups').set((eb) => ({ version: eb('version', '+', 1), updated_at: at })).where('id', 'in', [...ids]).execute()
}

/** The member user ids of a group; `ordered` sorts them by when they joined (then id). */
export async function findMemberIds(db: Kysely<ScimTables>, groupId: string, ordered: boolean): Promise<string[]> {
  let q = db.selectFrom('scim_memberships').select('user_id').where('group_id', '=', groupId)
  if (ordered) q = q.orderBy('added_at').orderBy('user_id')
  return (await q.execute()).map((r) => r.user_id)
}

/** The members of each group (by when they joined, then id), shown by displayName or else userName. */
export async function findMembers(db: Kysely<ScimTables>, groupIds: readonly string[]): Promise<Map<string, GroupMember[]>> {
  const out = new Map<string, GroupMember[]>()
  for (const slice of batches(groupIds)) {
    const rows = await db.selectFrom('scim_memberships as m').innerJoin('scim_users as u', 'u.id', 'm.user_id')
      .select(['m.group_id', 'u.id', 'u.user_name', 'u.display_name']).where('m.group_id', 'in', slice)
      .orderBy('m.added_at').orderBy('u.id').execute()
    for (const row of rows) {
      const list = out.get(row.group_id) ?? []
      list.push({ value: row.id, display: row.display_name ?? row.user_name })
      out.set(row.group_id, list)
    }
  }
  return out
}

/** The groups each user is a direct member of, by displayName. */
export async function findGroupsOfUsers(db: Kysely<ScimTables>, userIds: readonly string[]): Promise<Map<string, UserGroup[]>> {
  const out = new Map<string, UserGroup[]>()
  for (const slice of batches(userIds)) {
    const rows = await db.selectFrom('scim_memberships as m').innerJoin('scim_groups as g', 'g.id', 'm.group_id')
      .select(['m.user_id', 'g.id', 'g.display_name']).where('m.user_id', 'in', slice).orderBy('g.display_name').execute()
    for (const row of rows) {
      const list = out.get(row.user_id) ?? []
      list.push({ id: row.id, displayName: row.display_name })
      out.set(row.user_id, list)
    }
  }
  return out
}

/** Makes the users members of the group, joined at `at`. */
export async function addMembers(db: Kysely<ScimTables>, groupId: string, userIds: readonly string[], at: string): Promise<void> {
  for (const slice of batches(userIds)) {
    await db.insertInto('scim_memberships').values(slice.map((user_id) => ({ group_id: groupId, user_id, added_at: at }))).execute()
  }
}

/** Removes the users from the group. */
export async function removeMembers(db: Kysely<ScimTables>, groupId: string, userIds: readonly string[]): Promise<void> {
  for (const slice of batches(userIds)) {
    await db.deleteFrom('scim_memberships').where('group_id', '=', groupId).where('user_id', 'in', slice).execute()
  }
}

/** Removes a user from every group. */
export async function removeFromAllGroups(db: Kysely<ScimTables>, userId: string): Promise<void> {
  await db.deleteFrom('scim_memberships').where('user_id', '=', userId).execute()
}

/** How many groups match `where` (a compiled SCIM filter, or null for all). */
export async function countGroups(db: Kysely<ScimTables>, where: RawBuilder<SqlBool> | null): Promise<number> {
  let q = db.selectFrom('scim_groups')
  if (where) q = q.where(where)
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(total.n)
}

/** One page of groups (`sortColumn` qualified as `scim_groups.<column>`). */
export async function listGroups(db: Kysely<ScimTables>, page: ScimPage): Promise<ScimGroupsTable[]> {
  let q = db.selectFrom('scim_groups')
  if (page.where) q = q.where(page.where)
  let rows = q.selectAll()
  if (page.sortColumn) rows = rows.orderBy(sql.ref(page.sortColumn), page.order)
  return rows.orderBy('created_at', page.order).orderBy('id', page.order).limit(page.limit).offset(page.offset).execute()
}

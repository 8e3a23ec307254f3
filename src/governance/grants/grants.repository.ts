import type { Kysely } from 'kysely'
import type { GrantsTable, GrantTables } from './grants.tables.ts'

/** Records a grant; false when one with its id exists already (a request makes at most one grant). */
export async function insertGrant(db: Kysely<GrantTables>, row: GrantsTable): Promise<boolean> {
  const result = await db.insertInto('grants').values(row).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1
}

/** One grant by id, or undefined. */
export async function findGrant(db: Kysely<GrantTables>, id: string): Promise<GrantsTable | undefined> {
  return db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The groups `principal` holds by an active grant at `now` (ISO): one query on the principal-state index. */
export async function activeGroups(db: Kysely<GrantTables>, principal: { type: string; id: string }, now: string): Promise<string[]> {
  const rows = await db.selectFrom('grants').select('group_name')
    .where('principal_type', '=', principal.type).where('principal_id', '=', principal.id).where('state', '=', 'active').where('expires_at', '>', now)
    .execute()
  return rows.map((r) => r.group_name)
}

/** A principal's grants (active ones only unless `all`), newest first. */
export async function listGrantsOf(db: Kysely<GrantTables>, principal: { type: string; id: string }, all: boolean, limit = 500): Promise<GrantsTable[]> {
  let q = db.selectFrom('grants').selectAll().where('principal_type', '=', principal.type).where('principal_id', '=', principal.id)
  if (!all) q = q.where('state', '=', 'active')
  return q.orderBy('starts_at', 'desc').orderBy('id').limit(limit).execute()
}

/** The active grants whose time is over at `now` (ISO), oldest first. */
export async function listDueGrants(db: Kysely<GrantTables>, now: string, limit = 500): Promise<GrantsTable[]> {
  return db.selectFrom('grants').selectAll().where('state', '=', 'active').where('expires_at', '<=', now).orderBy('expires_at').limit(limit).execute()
}

/** Ends an active grant; false when it was no longer active (another caller ended it first). */
export async function endGrant(
  db: Kysely<GrantTables>, id: string, changes: Pick<GrantsTable, 'state'> & Partial<Pick<GrantsTable, 'revoked_by' | 'revoked_at' | 'revoke_reason'>>,
): Promise<boolean> {
  const result = await db.updateTable('grants').set(changes).where('id', '=', id).where('state', '=', 'active').executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

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

/**
 * Reads the groups a principal holds by an active grant at `now` (ISO): one query on the principal-state index. Every
 * authenticated request asks it, so the query is built and compiled once per reader, not on every call.
 */
export function activeGroupsReader(db: Kysely<GrantTables>): (principal: { type: string; id: string }, now: string) => Promise<string[]> {
  const query = (type: string, id: string, now: string) => db.selectFrom('grants').select('group_name')
    .where('principal_type', '=', type).where('principal_id', '=', id).where('state', '=', 'active').where('expires_at', '>', now)
  const compiled = query('\u0000type', '\u0000id', '\u0000now').compile()
  // The compiled parameters in their order, with where each value of a call goes.
  const slots = compiled.parameters.map((p) => p === '\u0000type' ? 0 : p === '\u0000id' ? 1 : p === '\u0000now' ? 2 : p === 'active' ? 3 : -1)
  const reusable = slots.length === 4 && new Set(slots).size === 4 && !slots.includes(-1)
  return async (principal, now) => {
    if (!reusable) return (await query(principal.type, principal.id, now).execute()).map((r) => r.group_name)
    const values = [principal.type, principal.id, now, 'active']
    const { rows } = await db.executeQuery<{ group_name: string }>({ ...compiled, parameters: slots.map((slot) => values[slot]) })
    return rows.map((r) => r.group_name)
  }
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

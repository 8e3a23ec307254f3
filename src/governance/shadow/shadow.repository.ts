import type { Kysely } from 'kysely'
import type { ShadowActivityTable, ShadowCursorsTable, ShadowTables } from './shadow.tables.ts'

/** An environment's cursor, or undefined before its first look. */
export async function findCursor(db: Kysely<ShadowTables>, environment: string): Promise<ShadowCursorsTable | undefined> {
  return db.selectFrom('shadow_cursors').selectAll().where('environment', '=', environment).executeTakeFirst()
}

/** Stores an environment's cursor. */
export async function saveCursor(db: Kysely<ShadowTables>, row: ShadowCursorsTable): Promise<void> {
  await db.insertInto('shadow_cursors').values(row)
    .onConflict((oc) => oc.column('environment').doUpdateSet({ runs_cursor: row.runs_cursor, events_cursor: row.events_cursor, updated_at: row.updated_at }))
    .execute()
}

/** Inserts the rows not yet recorded (by environment and key) and returns those, in the given order. */
export async function insertNewActivity(db: Kysely<ShadowTables>, environment: string, rows: ShadowActivityTable[]): Promise<ShadowActivityTable[]> {
  if (rows.length === 0) return []
  return db.transaction().execute(async (tx) => {
    const seen = new Set<string>()
    const keys = rows.map((r) => r.key)
    for (let i = 0; i < keys.length; i += 200) {
      const found = await tx.selectFrom('shadow_activity').select('key').where('environment', '=', environment).where('key', 'in', keys.slice(i, i + 200)).execute()
      for (const { key } of found) seen.add(key)
    }
    const fresh = rows.filter((r) => !seen.has(r.key) && seen.add(r.key))
    for (let i = 0; i < fresh.length; i += 200) {
      await tx.insertInto('shadow_activity').values(fresh.slice(i, i + 200)).onConflict((oc) => oc.columns(['environment', 'key']).doNothing()).execute()
    }
    return fresh
  })
}

/** Which shadow activity to list. */
export interface ShadowFilter {
  environment?: string
  kind?: string
  /** ISO 8601: found at or after. */
  since?: string
  limit: number
}

/** Matching activity, newest found first, and the count of each kind among all matches (ignoring `limit`). */
export async function listActivity(db: Kysely<ShadowTables>, filter: ShadowFilter): Promise<{ items: ShadowActivityTable[]; counts: Record<string, number> }> {
  let q = db.selectFrom('shadow_activity')
  if (filter.environment !== undefined) q = q.where('environment', '=', filter.environment)
  if (filter.since !== undefined) q = q.where('detected_at', '>=', filter.since)
  const counted = await q.select(['kind', (eb) => eb.fn.countAll<number | string | bigint>().as('n')]).groupBy('kind').execute()
  if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind)
  const items = await q.selectAll().orderBy('detected_at', 'desc').orderBy('occurred_at', 'desc').orderBy('key').limit(filter.limit).execute()
  return { items, counts: Object.fromEntries(counted.map((c) => [c.kind, Number(c.n)])) }
}

import type { Kysely } from 'kysely'
import type { GovernanceTables, PrincipalsTable } from './governance.tables.ts'

/** Records that a principal was seen now, with its current groups. */
export async function recordPrincipal(db: Kysely<GovernanceTables>, row: PrincipalsTable): Promise<void> {
  await db.insertInto('principals').values(row)
    .onConflict((oc) => oc.columns(['type', 'id']).doUpdateSet({
      issuer: row.issuer, subject: row.subject, display_name: row.display_name, email: row.email,
      groups: row.groups, idp_groups: row.idp_groups, last_seen_at: row.last_seen_at,
    }))
    .execute()
}

/** A principal seen before, by type and id. */
export async function findPrincipal(db: Kysely<GovernanceTables>, type: string, id: string): Promise<PrincipalsTable | undefined> {
  return db.selectFrom('principals').selectAll().where('type', '=', type).where('id', '=', id).executeTakeFirst()
}

/** The principals seen most recently, up to `limit`. */
export async function listPrincipals(db: Kysely<GovernanceTables>, limit: number): Promise<PrincipalsTable[]> {
  return db.selectFrom('principals').selectAll().orderBy('last_seen_at', 'desc').limit(limit).execute()
}

/** Every principal seen under an id (a username can be seen through several issuers). */
export async function findPrincipalsById(db: Kysely<GovernanceTables>, id: string): Promise<PrincipalsTable[]> {
  return db.selectFrom('principals').selectAll().where('id', '=', id).execute()
}

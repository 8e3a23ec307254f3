import type { Kysely } from 'kysely'
import type { CatalogDagsTable, EnvironmentStatusTable, GovernanceTables } from './governance.tables.ts'

/**
 * Replaces an environment's catalog with `dags`, in one transaction: DAGs no longer present are removed. A DAG whose
 * REST answer names no team keeps the team the catalog held (see {@link upsertCatalogDag}).
 */
export async function replaceCatalog(db: Kysely<GovernanceTables>, environment: string, dags: CatalogDagsTable[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const held = await tx.selectFrom('catalog_dags').select(['dag_id', 'team']).where('environment', '=', environment).where('team', 'is not', null).execute()
    if (held.length > 0) {
      const teams = new Map(held.map((d) => [d.dag_id, d.team]))
      dags = dags.map((d) => (d.team === null && teams.has(d.dag_id) ? { ...d, team: teams.get(d.dag_id)! } : d))
    }
    await tx.deleteFrom('catalog_dags').where('environment', '=', environment).execute()
    for (let i = 0; i < dags.length; i += 200) {
      await tx.insertInto('catalog_dags').values(dags.slice(i, i + 200)).execute()
    }
  })
}

/**
 * Inserts or replaces one catalog DAG. A DAG whose REST answer names no team keeps the team the catalog holds: Airflow
 * 3.3's REST API does not return it, while its auth manager's questions do ({@link rememberDagTeams}).
 */
export async function upsertCatalogDag(db: Kysely<GovernanceTables>, dag: CatalogDagsTable): Promise<void> {
  await db.insertInto('catalog_dags').values(dag)
    .onConflict((oc) => oc.columns(['environment', 'dag_id']).doUpdateSet((eb) => ({
      description: dag.description, tags: dag.tags, owners: dag.owners, paused: dag.paused, schedule: dag.schedule, synced_at: dag.synced_at,
      team: dag.team ?? eb.ref('catalog_dags.team'), allowed_run_types: dag.allowed_run_types,
    })))
    .execute()
}

/** Records the teams Airflow's auth manager named for DAGs of an environment (null: no team); DAGs not in the catalog are skipped. */
export async function rememberDagTeams(db: Kysely<GovernanceTables>, environment: string, teams: ReadonlyMap<string, string | null>): Promise<void> {
  for (const [dagId, team] of teams) {
    await db.updateTable('catalog_dags').set({ team }).where('environment', '=', environment).where('dag_id', '=', dagId).execute()
  }
}

/** Catalog DAGs, by environment then id; all environments when `environment` is undefined. */
export async function listCatalogDags(db: Kysely<GovernanceTables>, environment?: string): Promise<CatalogDagsTable[]> {
  let q = db.selectFrom('catalog_dags').selectAll()
  if (environment !== undefined) q = q.where('environment', '=', environment)
  return q.orderBy('environment').orderBy('dag_id').execute()
}

/** What policy sees of each DAG of an environment (id, tags, owners, paused, team, allowed run types), in id order: a batch decision reads no more. */
export async function listCatalogDagAttributes(db: Kysely<GovernanceTables>, environment: string): Promise<Pick<CatalogDagsTable, 'dag_id' | 'tags' | 'owners' | 'paused' | 'team' | 'allowed_run_types'>[]> {
  return db.selectFrom('catalog_dags').select(['dag_id', 'tags', 'owners', 'paused', 'team', 'allowed_run_types']).where('environment', '=', environment).orderBy('dag_id').execute()
}

/** One catalog DAG, or undefined. */
export async function findCatalogDag(db: Kysely<GovernanceTables>, environment: string, dagId: string): Promise<CatalogDagsTable | undefined> {
  return db.selectFrom('catalog_dags').selectAll().where('environment', '=', environment).where('dag_id', '=', dagId).executeTakeFirst()
}

/** Records an environment's latest health and sync outcome. */
export async function saveEnvironmentStatus(db: Kysely<GovernanceTables>, row: EnvironmentStatusTable): Promise<void> {
  await db.insertInto('environment_status').values(row)
    .onConflict((oc) => oc.column('environment').doUpdateSet({
      reachable: row.reachable, version: row.version, dag_count: row.dag_count,
      last_sync_at: row.last_sync_at, last_error: row.last_error, checked_at: row.checked_at,
    }))
    .execute()
}

/** Every environment's status row. */
export async function listEnvironmentStatus(db: Kysely<GovernanceTables>): Promise<EnvironmentStatusTable[]> {
  return db.selectFrom('environment_status').selectAll().execute()
}

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * Two more of Airflow's own notions per catalog DAG: `team` (Airflow 3 multi-team; null when Airflow names none) and
 * `allowed_run_types` (Airflow 3.2+, a JSON array such as `["scheduled"]`; null when every run type is allowed).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('catalog_dags').addColumn('team', 'text').execute()
  await db.schema.alterTable('catalog_dags').addColumn('allowed_run_types', 'text').execute()
}

/** Drops the two columns. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('catalog_dags').dropColumn('allowed_run_types').execute()
  await db.schema.alterTable('catalog_dags').dropColumn('team').execute()
}

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * Sign-in to Airflow's own UI through Conductor: the one-time codes Conductor hands the browser on its way back to
 * Airflow, which the Conductor auth manager exchanges for the person (`airflow_sign_in_codes`, keyed by the code's
 * SHA-256; single use, short-lived).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('airflow_sign_in_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('principal_type', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('airflow_sign_in_codes_created_idx').on('airflow_sign_in_codes').column('created_at').execute()
}

/** Drops the sign-in codes. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('airflow_sign_in_codes').execute()
}

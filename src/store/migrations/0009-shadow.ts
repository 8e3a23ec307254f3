/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * Shadow activity: per environment, how far Airflow's runs and event log have been read (`shadow_cursors`), and each
 * thing found done behind Conductor's back (`shadow_activity`, one row per environment and Airflow-side key, so a
 * re-read never records it twice).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('shadow_cursors')
    .addColumn('environment', 'text', (c) => c.primaryKey())
    .addColumn('runs_cursor', 'text', (c) => c.notNull())
    .addColumn('events_cursor', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createTable('shadow_activity')
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('dag_id', 'text')
    .addColumn('run_id', 'text')
    .addColumn('actor', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('shadow_activity_pk', ['environment', 'key'])
    .execute()
  await db.schema.createIndex('shadow_activity_detected_idx').on('shadow_activity').columns(['environment', 'detected_at']).execute()
}

/** Drops the shadow tables. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('shadow_activity').execute()
  await db.schema.dropTable('shadow_cursors').execute()
}

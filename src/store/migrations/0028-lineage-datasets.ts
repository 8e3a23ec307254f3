/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * The datasets of stored lineage events, one row per event and dataset (docs/lineage.md): what a run read and wrote,
 * found by dataset (the dataset page: the runs that wrote it) and by DAG (the datasets a DAG is known to write, for
 * policy). `lineage_events` gets the DAG and the Airflow run the event belongs to (a run's page shows its lineage).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('lineage_events').addColumn('dag_id', 'text').execute()
  await db.schema.alterTable('lineage_events').addColumn('airflow_run_id', 'text').execute()
  await db.schema.createIndex('lineage_events_airflow_run_idx').on('lineage_events').columns(['environment', 'airflow_run_id', 'event_time']).execute()
  await db.schema.createTable('lineage_datasets')
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('environment', 'text')
    .addColumn('dag_id', 'text')
    .addColumn('request_id', 'text')
    .addColumn('job_name', 'text', (c) => c.notNull())
    .addColumn('event_time', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('lineage_datasets_pk', ['event_id', 'direction', 'namespace', 'name'])
    .execute()
  await db.schema.createIndex('lineage_datasets_dataset_idx').on('lineage_datasets').columns(['namespace', 'name', 'event_time']).execute()
  await db.schema.createIndex('lineage_datasets_dag_idx').on('lineage_datasets').columns(['environment', 'dag_id', 'direction']).execute()
}

/** Drops the dataset rows and the DAG column. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('lineage_datasets').execute()
  await db.schema.dropIndex('lineage_events_airflow_run_idx').execute()
  await db.schema.alterTable('lineage_events').dropColumn('airflow_run_id').execute()
  await db.schema.alterTable('lineage_events').dropColumn('dag_id').execute()
}

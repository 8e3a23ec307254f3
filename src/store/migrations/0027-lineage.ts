/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * OpenLineage (docs/lineage.md). `lineage_outbox` has the notification outbox's columns (`endpoint` for `webhook`):
 * one row per event and endpoint until delivered or given up, delivered in `created_at, id` order per endpoint.
 * `lineage_runs` holds Conductor's own run per triggering request until the Airflow run ends. `lineage_events` keeps
 * every event emitted or received, once per `event_key`, joined to its request when one is found.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('lineage_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addColumn('failed_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('lineage_outbox_pending_idx').on('lineage_outbox').columns(['endpoint', 'delivered_at', 'failed_at', 'created_at']).execute()
  await db.schema.createTable('lineage_runs')
    .addColumn('request_id', 'text', (c) => c.primaryKey())
    .addColumn('parent_run_id', 'text', (c) => c.notNull().unique())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('dag_id', 'text')
    .addColumn('run_id', 'text')
    .addColumn('job_name', 'text', (c) => c.notNull())
    .addColumn('facet', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('outcome', 'text')
    .execute()
  await db.schema.createIndex('lineage_runs_open_idx').on('lineage_runs').columns(['ended_at', 'started_at']).execute()
  await db.schema.createIndex('lineage_runs_airflow_idx').on('lineage_runs').columns(['environment', 'run_id']).execute()
  await db.schema.createTable('lineage_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_key', 'text', (c) => c.notNull().unique())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('parent_run_id', 'text')
    .addColumn('request_id', 'text')
    .addColumn('environment', 'text')
    .addColumn('job_namespace', 'text', (c) => c.notNull())
    .addColumn('job_name', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text')
    .addColumn('event_time', 'text', (c) => c.notNull())
    .addColumn('inputs', 'text', (c) => c.notNull())
    .addColumn('outputs', 'text', (c) => c.notNull())
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('lineage_events_request_idx').on('lineage_events').columns(['request_id', 'event_time']).execute()
}

/** Drops the lineage tables. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('lineage_events').execute()
  await db.schema.dropTable('lineage_runs').execute()
  await db.schema.dropTable('lineage_outbox').execute()
}

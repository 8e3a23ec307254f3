/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import { sql, type Kysely } from 'kysely'

/**
 * A dataset row keeps its event's OpenLineage run id: a task run names the same outputs in its START and its
 * COMPLETE (or FAIL), and the dataset page lists one write per task run (its last event), not one per event. Events
 * and dataset rows are found by time for `lineage.retentionDays`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('lineage_datasets').addColumn('run_id', 'text').execute()
  await sql`UPDATE lineage_datasets SET run_id = (SELECT e.run_id FROM lineage_events e WHERE e.id = lineage_datasets.event_id)`.execute(db)
  await db.schema.createIndex('lineage_datasets_run_idx').on('lineage_datasets').columns(['run_id', 'namespace', 'name', 'direction']).execute()
  await db.schema.createIndex('lineage_datasets_time_idx').on('lineage_datasets').column('event_time').execute()
  // Pruning keeps each DAG's newest write of each dataset: "is there a newer one?" is one seek here.
  await db.schema.createIndex('lineage_datasets_newest_idx').on('lineage_datasets').columns(['namespace', 'name', 'environment', 'dag_id', 'direction', 'event_time']).execute()
  await db.schema.createIndex('lineage_events_time_idx').on('lineage_events').column('event_time').execute()
}

/** Drops the run id and the time indexes. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('lineage_events_time_idx').execute()
  await db.schema.dropIndex('lineage_datasets_newest_idx').execute()
  await db.schema.dropIndex('lineage_datasets_time_idx').execute()
  await db.schema.dropIndex('lineage_datasets_run_idx').execute()
  await db.schema.alterTable('lineage_datasets').dropColumn('run_id').execute()
}

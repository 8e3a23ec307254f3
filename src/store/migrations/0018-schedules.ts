/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * Owned schedules: Conductor-held schedules that trigger a DAG as their owner, either by `cron` in `timezone` or every
 * `interval_seconds` from creation. `next_fire_at` is the due time of the next firing; a firing is claimed by moving it
 * forward with a compare-and-set, so of several loops (replicas, or a replica after a restart) exactly one fires each
 * due time. `state` is `active` or `suspended` (with `suspended_reason`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('dag_id', 'text', (c) => c.notNull())
    .addColumn('owner_type', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('cron', 'text')
    .addColumn('timezone', 'text')
    .addColumn('interval_seconds', 'integer')
    .addColumn('conf', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('suspended_reason', 'text')
    .addColumn('next_fire_at', 'text', (c) => c.notNull())
    .addColumn('last_fired_at', 'text')
    .addColumn('last_request_id', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('schedules_state_next').on('schedules').columns(['state', 'next_fire_at']).execute()
  await db.schema.createIndex('schedules_owner').on('schedules').columns(['owner_type', 'owner_id']).execute()
  await db.schema.createIndex('schedules_dag').on('schedules').columns(['environment', 'dag_id']).execute()
}

/** Drops the schedules. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('schedules').execute()
}

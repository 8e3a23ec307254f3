/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * The notification outbox: one row per event and webhook, kept until delivered or given up on, so a notification
 * survives a restart. `next_attempt_at` orders the work and doubles as the claim: a delivery loop takes a row by
 * moving it forward with a conditional update, so several replicas never send one row twice at once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('notification_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webhook', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addColumn('failed_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('notification_outbox_due_idx').on('notification_outbox').columns(['delivered_at', 'failed_at', 'next_attempt_at']).execute()
}

/** Drops the outbox. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification_outbox').execute()
}

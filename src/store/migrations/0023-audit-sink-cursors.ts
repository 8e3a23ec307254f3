/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * Audit streaming: one row per configured sink. `seq` is the last audit event the sink accepted (0: none yet); it
 * only moves forward, after the sink acknowledged the batch. `failures` counts consecutive failed attempts (0 after a
 * success) and `last_error` is the last one's reason, so every replica's status shows the holder's view.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('audit_sink_cursors')
    .addColumn('sink', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
}

/** Drops the cursors. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_sink_cursors').execute()
}

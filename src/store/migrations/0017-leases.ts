/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * Leases on background work shared by the replicas of one database: one row per kind of work (`catalog-sync`,
 * `dispatch-resolver`, …) naming the replica that holds it until `expires_at`, and a fencing `token` that grows each
 * time the lease changes hands.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('token', 'bigint', (c) => c.notNull())
    .addColumn('acquired_at', 'text', (c) => c.notNull())
    .addColumn('renewed_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute()
}

/** Drops the leases. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('leases').execute()
}

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * Just-in-time grants: temporary membership of a group, from an approved `grant:request` (or one policy allowed at
 * once). A grant is `active` from `starts_at` until `expires_at`, unless `revoked` earlier; the dispatch resolver marks
 * it `expired` after. `approved_by` is a JSON array of who approved it ("User dave", "Policy <id>").
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text')
    .addColumn('principal_type', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('approved_by', 'text', (c) => c.notNull())
    .addColumn('revoked_by', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('revoke_reason', 'text')
    .execute()
  await db.schema.createIndex('grants_principal_state').on('grants').columns(['principal_type', 'principal_id', 'state']).execute()
  await db.schema.createIndex('grants_state_expires').on('grants').columns(['state', 'expires_at']).execute()
}

/** Drops the grants. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('grants').execute()
}

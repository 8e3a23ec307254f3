/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * Environments defined through the API (docs/environments.md), beside those of `conductor.yaml`. `definition` is the
 * environment as config would hold it (JSON, validated by the same schema); its credentials are a secret reference,
 * never a secret. `generation` grows with each change, so every replica's poll sees a change by (count, max(updated_at),
 * sum(generation)) without reading every row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('stored_environments')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('zone', 'text', (c) => c.notNull())
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('team', 'text')
    .addColumn('fully_governed', 'integer', (c) => c.notNull())
    .addColumn('credentials', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
}

/** Drops the API-defined environments. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('stored_environments').execute()
}

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * Cross-deployment links: when a DAG succeeds in a source environment, trigger a DAG in a target environment as the
 * link's owner. `cursor` is the end date of the last source run seen. `link_firings` holds one row per source event
 * (`event_key`, the source run id) and link: the UNIQUE (link_id, event_key) is the claim, so of several loops
 * (replicas, or a replica after a restart) exactly one fires each source event.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_type', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('source_environment', 'text', (c) => c.notNull())
    .addColumn('source_dag_id', 'text')
    .addColumn('source_asset_uri', 'text')
    .addColumn('target_environment', 'text', (c) => c.notNull())
    .addColumn('target_dag_id', 'text')
    .addColumn('target_asset_uri', 'text')
    .addColumn('conf_template', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('suspended_reason', 'text')
    .addColumn('cursor', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('links_state').on('links').column('state').execute()
  await db.schema.createIndex('links_owner').on('links').columns(['owner_type', 'owner_id']).execute()
  await db.schema.createTable('link_firings')
    .addColumn('link_id', 'text', (c) => c.notNull())
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('event_at', 'text')
    .addColumn('request_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('link_firings_once', ['link_id', 'event_key'])
    .execute()
  await db.schema.createIndex('link_firings_at').on('link_firings').columns(['link_id', 'at']).execute()
}

/** Drops the links. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('link_firings').execute()
  await db.schema.dropTable('links').execute()
}

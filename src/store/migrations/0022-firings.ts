/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * Exactly-once firings of links and owned schedules. A firing is claimed with the id of the request it will make and
 * what it will ask (`input`, JSON), so a claim left behind by a replica that stopped is fired again as the same request
 * (the request id is the key: a request that already exists is not made twice). `link_firings` gains `input`;
 * `schedule_firings` holds one row per schedule and due time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('link_firings').addColumn('input', 'text').execute()
  await db.schema.createTable('schedule_firings')
    .addColumn('schedule_id', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('schedule_firings_once', ['schedule_id', 'due_at'])
    .execute()
  await db.schema.createIndex('schedule_firings_outcome').on('schedule_firings').columns(['outcome', 'at']).execute()
  await db.schema.createIndex('link_firings_outcome').on('link_firings').columns(['outcome', 'at']).execute()
}

/** Drops them. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('link_firings_outcome').execute()
  await db.schema.dropTable('schedule_firings').execute()
  await db.schema.alterTable('link_firings').dropColumn('input').execute()
}

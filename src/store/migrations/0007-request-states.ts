/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/** Finds requests by state, oldest change first: the dispatch resolver looks for unsettled ones at every round. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('requests_state_idx').on('requests').columns(['state', 'updated_at', 'id']).execute()
}

/** Drops the index. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('requests_state_idx').execute()
}

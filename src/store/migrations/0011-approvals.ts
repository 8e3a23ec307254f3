/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * Approvals: a request policy allows with approval waits in state `pending` with what it waits for (`approval`, JSON),
 * until when (`expires_at`), bound to exactly what was asked (`input_hash`, SHA-256 of the canonical input); each
 * approver's verdict is one row of `approvals` (one per approver and request).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('requests').addColumn('approval', 'text').execute()
  await db.schema.alterTable('requests').addColumn('expires_at', 'text').execute()
  await db.schema.alterTable('requests').addColumn('input_hash', 'text').execute()
  await db.schema.createTable('approvals')
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('approver_type', 'text', (c) => c.notNull())
    .addColumn('approver_id', 'text', (c) => c.notNull())
    .addColumn('approver_groups', 'text', (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('approvals_pk', ['request_id', 'approver_type', 'approver_id'])
    .execute()
}

/** Drops the approvals and the request columns. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('approvals').execute()
  for (const column of ['input_hash', 'expires_at', 'approval']) await db.schema.alterTable('requests').dropColumn(column).execute()
}

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/** Revocations every replica checks on every request: tokens of a subject or an IdP session issued before a moment. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('revocations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('idp_session_id', 'text')
    .addColumn('revoked_before', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('revocations_subject_idx').on('revocations').columns(['issuer', 'subject']).execute()
  await db.schema.createIndex('revocations_sid_idx').on('revocations').columns(['issuer', 'idp_session_id']).execute()
}

/** Drops the revocations table. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('revocations').execute()
}

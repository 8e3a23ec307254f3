/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/** The hash-chained audit log: one row per event, and a one-row chain head that serializes appends. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('audit_events')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('principal', 'text')
    .addColumn('principal_type', 'text')
    .addColumn('environment', 'text')
    .addColumn('dag', 'text')
    .addColumn('action', 'text')
    .addColumn('request_id', 'text')
    .addColumn('decision', 'text')
    .addColumn('policy_ids', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('audit_events_at_idx').on('audit_events').columns(['at']).execute()
  await db.schema.createIndex('audit_events_principal_idx').on('audit_events').columns(['principal', 'seq']).execute()
  await db.schema.createIndex('audit_events_request_idx').on('audit_events').columns(['request_id']).execute()
  await db.schema.createIndex('audit_events_target_idx').on('audit_events').columns(['environment', 'dag', 'seq']).execute()
  await db.schema.createIndex('audit_events_type_idx').on('audit_events').columns(['type', 'seq']).execute()

  await db.schema.createTable('audit_chain_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute()
  await db.insertInto('audit_chain_head').values({ id: 1, seq: 0, hash: '0'.repeat(64) }).execute()
}

/** Drops the audit tables (and with them the evidence: never run this on a production database). */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_chain_head').execute()
  await db.schema.dropTable('audit_events').execute()
}

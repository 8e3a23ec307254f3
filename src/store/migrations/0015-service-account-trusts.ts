/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * Workload identity: the trust rules that let a workload credential (a GitHub Actions or Kubernetes token, an AWS
 * IAM role) act as a service account. `conditions` is a JSON object of claim path → glob.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('service_account_trusts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_account', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('conditions', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('service_account_trusts_account').on('service_account_trusts').column('service_account').execute()
  await db.schema.createIndex('service_account_trusts_issuer').on('service_account_trusts').column('issuer').execute()
}

/** Drops the trust rules. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('service_account_trusts').execute()
}

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * Service accounts (workloads and AI agents) and the access tokens Conductor issues: long-lived API tokens and
 * short-lived exchanged tokens. A deleted service account keeps its row (state `deleted`) so its name is never reused.
 * Only the SHA-256 (hex) of a token's secret is stored. JSON columns: `groups`, `tools`, `budgets`, `scope_*`, `extra_groups`
 * (groups an exchanged token adds to its principal, e.g. mapped from an AWS role ARN).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('service_accounts')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('owner_type', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('groups', 'text', (c) => c.notNull())
    .addColumn('sponsor', 'text')
    .addColumn('tools', 'text', (c) => c.notNull())
    .addColumn('budgets', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('disabled_reason', 'text')
    .execute()
  await db.schema.createIndex('service_accounts_sponsor').on('service_accounts').columns(['sponsor', 'state']).execute()

  await db.schema.createTable('access_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('principal_type', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('scope_actions', 'text')
    .addColumn('scope_environments', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_reason', 'text')
    .addColumn('parent_id', 'text')
    .addColumn('extra_groups', 'text')
    .execute()
  await db.schema.createIndex('access_tokens_principal').on('access_tokens').columns(['principal_type', 'principal_id', 'revoked_at']).execute()
  await db.schema.createIndex('access_tokens_parent').on('access_tokens').column('parent_id').execute()
  // Budgets count an agent's recent requests for one action.
  await db.schema.createIndex('requests_principal_action_created').on('requests').columns(['principal_type', 'principal_id', 'action', 'created_at']).execute()
}

/** Drops the service accounts and access tokens. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('requests_principal_action_created').execute()
  await db.schema.dropTable('access_tokens').execute()
  await db.schema.dropTable('service_accounts').execute()
}

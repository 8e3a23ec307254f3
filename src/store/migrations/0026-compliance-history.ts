/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * History for compliance reports, so access can be recomputed as of a past moment.
 * `policy_versions`: every policy set Conductor put in force, in order (a set loaded again after another, a revert, is
 * a new row; the same set seen again by another replica is not): its content hash, texts per file (JSON
 * `{file: text}`), the folder's last git commit and author when it is a git work tree, and the hash it replaced. `directory_history`: append-only; one row each time a principal's groups or
 * active state are seen to change (at sign-in, or a SCIM change). The state as of T is each principal's last row at or
 * before T.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('policy_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('loaded_at', 'text', (c) => c.notNull())
    .addColumn('files', 'text', (c) => c.notNull())
    .addColumn('author', 'text')
    .addColumn('git_commit', 'text')
    .addColumn('previous_hash', 'text')
    .execute()
  await db.schema.createIndex('policy_versions_loaded_at').on('policy_versions').column('loaded_at').execute()
  await db.schema.createTable('directory_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('principal_type', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('groups', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('directory_history_principal').on('directory_history').columns(['principal_type', 'principal_id', 'recorded_at']).execute()
  await db.schema.createIndex('directory_history_recorded_at').on('directory_history').column('recorded_at').execute()
}

/** Drops the history. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('directory_history').execute()
  await db.schema.dropTable('policy_versions').execute()
}

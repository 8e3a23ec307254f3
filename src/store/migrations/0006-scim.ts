/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/**
 * SCIM 2.0 provisioning: users (deleted ones kept as tombstones), their emails (for filtering), groups, memberships,
 * and the bearer tokens identity providers present (stored only as SHA-256 hashes).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('scim_users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('user_name_lower', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('display_name', 'text')
    .addColumn('display_name_lower', 'text')
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute()
  // userName is unique among live users only: a deleted user's tombstone keeps its name for the audit trail.
  await db.schema.createIndex('scim_users_user_name_live_idx').on('scim_users').column('user_name_lower').unique()
    .where(sql.ref('deleted_at'), 'is', null).execute()
  await db.schema.createIndex('scim_users_user_name_idx').on('scim_users').columns(['user_name_lower', 'deleted_at']).execute()
  await db.schema.createIndex('scim_users_external_id_idx').on('scim_users').column('external_id').execute()
  await db.schema.createIndex('scim_users_created_idx').on('scim_users').columns(['created_at', 'id']).execute()

  await db.schema.createTable('scim_user_emails')
    .addColumn('user_id', 'text', (c) => c.notNull().references('scim_users.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('value_lower', 'text')
    .addColumn('type_lower', 'text')
    .addColumn('is_primary', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('scim_user_emails_pk', ['user_id', 'position'])
    .execute()
  await db.schema.createIndex('scim_user_emails_value_idx').on('scim_user_emails').column('value_lower').execute()

  await db.schema.createTable('scim_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('display_name_lower', 'text', (c) => c.notNull().unique())
    .addColumn('external_id', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('scim_groups_external_id_idx').on('scim_groups').column('external_id').execute()
  await db.schema.createIndex('scim_groups_created_idx').on('scim_groups').columns(['created_at', 'id']).execute()

  await db.schema.createTable('scim_memberships')
    .addColumn('group_id', 'text', (c) => c.notNull().references('scim_groups.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('scim_users.id').onDelete('cascade'))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('scim_memberships_pk', ['group_id', 'user_id'])
    .execute()
  await db.schema.createIndex('scim_memberships_user_idx').on('scim_memberships').columns(['user_id', 'group_id']).execute()

  await db.schema.createTable('scim_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('rotated_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute()
}

/** Drops the SCIM tables. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['scim_tokens', 'scim_memberships', 'scim_groups', 'scim_user_emails', 'scim_users']) await db.schema.dropTable(table).execute()
}

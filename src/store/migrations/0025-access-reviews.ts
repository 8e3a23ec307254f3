/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * Access review campaigns (docs/reviews.md). `review_items` are frozen at the campaign's start: one per principal,
 * action and environment, with the DAGs, why (policies, groups, grants) and the reviewers policy chose.
 * `review_findings` holds each revoke: while `open` it is a suspension every replica honours; `resolved` once policy
 * and the directory no longer grant the access. `review_reminders` marks each reminder sent (one per campaign,
 * reviewer and mark), so a reminder goes out once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('review_campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_by_type', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('counts', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('review_campaigns_state').on('review_campaigns').column('state').execute()
  await db.schema.createTable('review_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('principal_type', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('principal_display', 'text')
    .addColumn('principal_groups', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('environment', 'text')
    .addColumn('dag_ids', 'text')
    .addColumn('why', 'text', (c) => c.notNull())
    .addColumn('reviewers', 'text', (c) => c.notNull())
    .addColumn('decision', 'text')
    .addColumn('comment', 'text')
    .addColumn('decided_by_type', 'text')
    .addColumn('decided_by_id', 'text')
    .addColumn('decided_at', 'text')
    .execute()
  await db.schema.createIndex('review_items_campaign').on('review_items').columns(['campaign_id', 'decision']).execute()
  await db.schema.createTable('review_findings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('principal_type', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('environment', 'text')
    .addColumn('dag_ids', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('resolution', 'text')
    .execute()
  await db.schema.createIndex('review_findings_state').on('review_findings').column('state').execute()
  await db.schema.createTable('review_reminders')
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('reviewer_type', 'text', (c) => c.notNull())
    .addColumn('reviewer_id', 'text', (c) => c.notNull())
    .addColumn('mark', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('review_reminders_once', ['campaign_id', 'reviewer_type', 'reviewer_id', 'mark'])
    .execute()
}

/** Drops the access review tables. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('review_reminders').execute()
  await db.schema.dropTable('review_findings').execute()
  await db.schema.dropTable('review_items').execute()
  await db.schema.dropTable('review_campaigns').execute()
}

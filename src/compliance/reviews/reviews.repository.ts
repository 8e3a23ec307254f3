import type { Kysely } from 'kysely'
import type { GrantTables } from '../../governance/index.ts'
import type { CampaignState, ReviewCampaignsTable, ReviewFindingsTable, ReviewItemsTable, ReviewTables } from './reviews.tables.ts'

/** The tables the reviews read and write (the grants too: why an access was given). */
export type ReviewDb = Kysely<ReviewTables & GrantTables>

/** One campaign, or undefined. */
export async function findCampaign(db: ReviewDb, id: string): Promise<ReviewCampaignsTable | undefined> {
  return db.selectFrom('review_campaigns').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The campaigns, newest first, in `state` when given. */
export async function listCampaigns(db: ReviewDb, state?: CampaignState): Promise<ReviewCampaignsTable[]> {
  let q = db.selectFrom('review_campaigns').selectAll()
  if (state) q = q.where('state', '=', state)
  return q.orderBy('created_at', 'desc').orderBy('id').execute()
}

/** The items of a campaign, in their order. */
export async function listItems(db: ReviewDb, campaignId: string): Promise<ReviewItemsTable[]> {
  return db.selectFrom('review_items').selectAll().where('campaign_id', '=', campaignId).orderBy('id').execute()
}

/** The items of the open campaigns still undecided. */
export async function listPendingItems(db: ReviewDb): Promise<ReviewItemsTable[]> {
  return db.selectFrom('review_items').selectAll('review_items')
    .innerJoin('review_campaigns', 'review_campaigns.id', 'review_items.campaign_id')
    .where('review_campaigns.state', '=', 'open').where('review_items.decision', 'is', null)
    .orderBy('review_items.id').execute()
}

/** How many items each decision holds, per campaign. */
export async function countDecisions(db: ReviewDb, campaignIds: string[]): Promise<Map<string, { items: number; pending: number; certified: number; revoked: number }>> {
  const counts = new Map(campaignIds.map((id) => [id, { items: 0, pending: 0, certified: 0, revoked: 0 }]))
  if (campaignIds.length === 0) return counts
  const rows = await db.selectFrom('review_items').select(['campaign_id', 'decision', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('campaign_id', 'in', campaignIds).groupBy(['campaign_id', 'decision']).execute()
  for (const row of rows) {
    const c = counts.get(row.campaign_id)!
    const n = Number(row.n)
    c.items += n
    if (row.decision === 'certify') c.certified += n
    else if (row.decision === 'revoke') c.revoked += n
    else c.pending += n
  }
  return counts
}

/** The findings, newest first, in `state` when given. */
export async function listFindings(db: ReviewDb, state?: 'open' | 'resolved'): Promise<ReviewFindingsTable[]> {
  let q = db.selectFrom('review_findings').selectAll()
  if (state) q = q.where('state', '=', state)
  return q.orderBy('created_at', 'desc').orderBy('id').execute()
}

/** The active grants of a principal (not yet expired at `now`). */
export async function activeGrantsOf(db: ReviewDb, principal: { type: string; id: string }, now: string): Promise<{ id: string; group: string; expiresAt: string }[]> {
  const rows = await db.selectFrom('grants').select(['id', 'group_name', 'expires_at'])
    .where('principal_type', '=', principal.type).where('principal_id', '=', principal.id).where('state', '=', 'active').where('expires_at', '>', now)
    .orderBy('id').execute()
  return rows.map((r) => ({ id: r.id, group: r.group_name, expiresAt: r.expires_at }))
}

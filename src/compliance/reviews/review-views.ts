import type { CampaignScope, ItemWhy, PrincipalKey } from './campaign-items.ts'
import type { CampaignState, ReviewCampaignsTable, ReviewFindingsTable, ReviewItemsTable } from './reviews.tables.ts'

/** How many items a campaign holds, by decision. */
export interface CampaignCounts {
  items: number
  pending: number
  certified: number
  revoked: number
}

/** An access review campaign. */
export interface Campaign {
  id: string
  name: string
  description: string | null
  scope: CampaignScope
  dueAt: string
  state: CampaignState
  createdBy: PrincipalKey
  createdAt: string
  completedAt: string | null
  policyVersion: number
  counts: CampaignCounts
}

/** One principal's access under review, frozen at the campaign's start, with its decision. */
export interface ReviewItem {
  id: string
  campaignId: string
  principal: { type: string; id: string; displayName: string | null; groups: string[] }
  action: string
  environment: string | null
  dagIds: string[] | null
  why: ItemWhy
  reviewers: PrincipalKey[]
  decision: null | { decision: 'certify' | 'revoke'; comment: string | null; by: PrincipalKey; at: string }
}

/** A revoke to fix at the source; a suspension while `open`. */
export interface Finding {
  id: string
  campaignId: string
  itemId: string
  principal: PrincipalKey
  action: string
  environment: string | null
  dagIds: string[] | null
  source: ItemWhy
  state: 'open' | 'resolved'
  createdAt: string
  resolvedAt: string | null
  resolution: string | null
}

/** The view of a campaign row. */
export function campaignView(row: ReviewCampaignsTable, counts: CampaignCounts): Campaign {
  return {
    id: row.id, name: row.name, description: row.description, scope: JSON.parse(row.scope) as CampaignScope, dueAt: row.due_at, state: row.state,
    createdBy: { type: row.created_by_type, id: row.created_by_id }, createdAt: row.created_at, completedAt: row.completed_at, policyVersion: row.policy_version, counts,
  }
}

/** The view of an item row. */
export function itemView(row: ReviewItemsTable): ReviewItem {
  return {
    id: row.id, campaignId: row.campaign_id,
    principal: { type: row.principal_type, id: row.principal_id, displayName: row.principal_display, groups: JSON.parse(row.principal_groups) as string[] },
    action: row.action, environment: row.environment, dagIds: row.dag_ids === null ? null : JSON.parse(row.dag_ids) as string[],
    why: JSON.parse(row.why) as ItemWhy, reviewers: JSON.parse(row.reviewers) as PrincipalKey[],
    decision: row.decision === null ? null : { decision: row.decision, comment: row.comment, by: { type: row.decided_by_type!, id: row.decided_by_id! }, at: row.decided_at! },
  }
}

/** The view of a finding row. */
export function findingView(row: ReviewFindingsTable): Finding {
  return {
    id: row.id, campaignId: row.campaign_id, itemId: row.item_id, principal: { type: row.principal_type, id: row.principal_id }, action: row.action,
    environment: row.environment, dagIds: row.dag_ids === null ? null : JSON.parse(row.dag_ids) as string[], source: JSON.parse(row.source) as ItemWhy,
    state: row.state, createdAt: row.created_at, resolvedAt: row.resolved_at, resolution: row.resolution,
  }
}

/** The states of a campaign: `open` while items take decisions, then `completed` or `cancelled`. */
export const CAMPAIGN_STATES = ['open', 'completed', 'cancelled'] as const

/** One of {@link CAMPAIGN_STATES}. */
export type CampaignState = (typeof CAMPAIGN_STATES)[number]

/** A row of `review_campaigns`. */
export interface ReviewCampaignsTable {
  id: string
  name: string
  description: string | null
  /** JSON {environments?, zones?, tags?}; `{}` is everything. */
  scope: string
  due_at: string
  state: CampaignState
  created_by_type: string
  created_by_id: string
  created_at: string
  completed_at: string | null
  policy_version: number
  /** JSON: the counts at the start ({items, principals}). */
  counts: string
}

/** A row of `review_items`: one principal's access to one action in one environment (or Conductor), frozen at the start. */
export interface ReviewItemsTable {
  id: string
  campaign_id: string
  principal_type: string
  principal_id: string
  principal_display: string | null
  /** JSON array. */
  principal_groups: string
  action: string
  environment: string | null
  /** JSON array, or null for environment- or Conductor-level access. */
  dag_ids: string | null
  /** JSON {policies, groups, grants}. */
  why: string
  /** JSON array of {type, id}. */
  reviewers: string
  decision: 'certify' | 'revoke' | null
  comment: string | null
  decided_by_type: string | null
  decided_by_id: string | null
  decided_at: string | null
}

/** A row of `review_findings`: a revoke, a suspension while `open`. */
export interface ReviewFindingsTable {
  id: string
  campaign_id: string
  item_id: string
  principal_type: string
  principal_id: string
  action: string
  environment: string | null
  dag_ids: string | null
  /** JSON {policies, groups, grants}: what gave the access, to fix at the source. */
  source: string
  /** The reason a suspended decision gives. */
  reason: string
  state: 'open' | 'resolved'
  created_at: string
  resolved_at: string | null
  resolution: string | null
}

/** A row of `review_reminders`: one reminder sent. */
export interface ReviewRemindersTable {
  campaign_id: string
  reviewer_type: string
  reviewer_id: string
  mark: string
  sent_at: string
}

/** The access review tables. */
export interface ReviewTables {
  review_campaigns: ReviewCampaignsTable
  review_items: ReviewItemsTable
  review_findings: ReviewFindingsTable
  review_reminders: ReviewRemindersTable
}

export { computeAccess, principalsSeen } from './access/index.ts'
export type { AccessClass, AccessEntry, AccessInput, AccessMatrix, AccessPrincipal, DirectoryLookup } from './access/index.ts'
export { CAMPAIGN_STATES, createReviews, createSuspensions, FINDINGS_LEASE, REMINDERS_LEASE, resolveFindings, sendReminders } from './reviews/index.ts'
export type { Campaign, CampaignCounts, CampaignInput, CampaignScope, CampaignState, DecisionInput, Finding, ItemWhy, Reviews, ReviewItem, ReviewTables, Suspensions } from './reviews/index.ts'

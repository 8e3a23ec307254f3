/** Access reviews as the console shows them: the API's paths, who a principal is in words, and whether one may manage campaigns. */
import { api, query, type Campaign, type EnvironmentList, type Explanation, type ReviewItem } from './api.ts'
export type { Campaign, CampaignAnswer, CampaignList, ReviewDecisionAnswer, ReviewFinding, ReviewFindingList, ReviewItem, ReviewItemList } from './api.ts'

/** The API path of a campaign, or of one of its sub-resources (`items`, `decisions`, `complete`, `cancel`). */
export function campaignPath(id: string, sub?: 'items' | 'decisions' | 'complete' | 'cancel'): string {
  return `/reviews/campaigns/${encodeURIComponent(id)}${sub ? `/${sub}` : ''}`
}

/** The console page of a campaign. */
export function campaignHref(id: string): string {
  return `/reviews/${encodeURIComponent(id)}`
}

/** The campaign states a list may be filtered by. */
export const CAMPAIGN_STATES = ['open', 'completed', 'cancelled'] as const

/** The decisions an item list may be filtered by. */
export const ITEM_DECISIONS = ['pending', 'certified', 'revoked'] as const

/** The states a finding may be filtered by. */
export const FINDING_STATES = ['open', 'resolved'] as const

/** `GET /reviews/campaigns` with an optional state. */
export function campaignsPath(state: string): string {
  return `/reviews/campaigns${query({ state })}`
}

/** `GET /reviews/campaigns/:id/items` with an optional decision filter. */
export function itemsPath(id: string, decision: string): string {
  return `${campaignPath(id, 'items')}${query({ decision })}`
}

/** "person alice", "service account etl-bot", "agent helper". */
export function principalKind(type: string): string {
  return type === 'User' ? 'person' : type === 'Agent' ? 'agent' : type === 'ServiceAccount' ? 'service account' : type
}

/** How an item's principal reads in a button's name: "alice" or "Alice Example (alice)". */
export function principalName(principal: ReviewItem['principal']): string {
  return principal.displayName && principal.displayName !== principal.id ? `${principal.displayName} (${principal.id})` : principal.id
}

/** An item in a few words, for accessible names: "alice dag:trigger in local". */
export function itemLabel(item: ReviewItem): string {
  return `${item.principal.id} ${item.action} in ${item.environment ?? 'Conductor'}`
}

/** "3 pending · 5 certified · 1 revoked of 9". */
export function progressText(counts: Campaign['counts']): string {
  return `${counts.pending} pending · ${counts.certified} certified · ${counts.revoked} revoked of ${counts.items}`
}

/** What to try when a review call is refused, beyond the general hints. */
export const REVIEW_HINTS: Readonly<Record<string, string>> = {
  policy_denied: 'Policy does not let you do this: starting, completing and cancelling campaigns needs review:manage; reading every campaign needs review:read or audit:read.',
  review_not_allowed: 'You are not a reviewer of this item (policy no longer names you, or it is your own access). Refresh the list.',
  campaign_closed: 'The campaign is completed or cancelled: its decisions are final. Refresh the page.',
  campaign_not_found: 'It may have been removed, or you may not see it. Go back to the campaigns.',
}

/**
 * Whether policy lets the person manage review campaigns (`review:manage` on Conductor), asked through
 * `POST /authorize` for the first environment (the question needs one; a Conductor-level action ignores it).
 * False when there is no environment or the question fails.
 */
export async function mayManageReviews(signal: AbortSignal): Promise<boolean> {
  const { environments } = await api<EnvironmentList>('/environments', { signal })
  const first = environments[0]
  if (!first) return false
  try {
    const answer = await api<Explanation>('/authorize', { method: 'POST', body: { action: 'review:manage', environment: first.name }, signal })
    return answer.decision === 'allow'
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error
    return false
  }
}

/** The end of a calendar day (`2026-12-14`) in the browser's time zone, as ISO 8601; null for no or a bad date. */
export function endOfDay(date: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null
  const at = new Date(`${date}T23:59:59`)
  return Number.isNaN(at.getTime()) ? null : at.toISOString()
}

/** A calendar day `days` from now in the browser's time zone (`2026-12-14`), for the due date's default. */
export function dayFromNow(days: number, now = Date.now()): string {
  const at = new Date(now + days * 86_400_000)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`
}

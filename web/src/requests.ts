/** Requests as the console shows them: what they wait for, a conf against the DAG's defaults, and the wider contract. */
import type { DagParam, RequestView } from './api.ts'

export type { GrantView, HitlInbox, HitlTaskView } from './api.ts'

/** The action of a just-in-time grant request. */
export const GRANT_ACTION = 'grant:request'

/** "1 of data-leads or 2 of platform-admins". */
export function waitsFor(approval: RequestView['approval']): string {
  if (!approval || approval.groups.length === 0) return 'no approval'
  return approval.groups.map((g) => `${g.count} of ${g.group}`).join(' or ')
}

/** How far the approvals given go towards the requirement, per required group: "0 of 1 from data-leads". */
export function progress(approval: NonNullable<RequestView['approval']>): string {
  const approvers = approval.verdicts.filter((v) => v.verdict === 'approve').length
  const needed = Math.min(...approval.groups.map((g) => g.count))
  return `${Math.min(approvers, needed)} of ${needed} approval${needed === 1 ? '' : 's'}`
}

/** A request's input as an object (the API's `input` is any JSON). */
export function inputOf(request: RequestView): Record<string, unknown> {
  return request.input !== null && typeof request.input === 'object' && !Array.isArray(request.input) ? request.input as Record<string, unknown> : {}
}

/** One key of a conf compared with the DAG's param defaults. */
export interface ConfLine {
  key: string
  /** `added`: not a param of the DAG; `changed`: differs from the default; `unchanged`: equals it; `default`: not given, the default applies. */
  change: 'added' | 'changed' | 'unchanged' | 'default'
  requested: unknown
  defaultValue: unknown
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/** The conf of a request key by key against the DAG's param defaults (unknown params: every key `added`). */
export function confDiff(conf: Record<string, unknown>, params: Record<string, DagParam> | null): ConfLine[] {
  const lines: ConfLine[] = []
  for (const [key, value] of Object.entries(conf)) {
    const param = params?.[key]
    if (!param) lines.push({ key, change: 'added', requested: value, defaultValue: undefined })
    else lines.push({ key, change: same(value, param.value) ? 'unchanged' : 'changed', requested: value, defaultValue: param.value })
  }
  for (const [key, param] of Object.entries(params ?? {})) {
    if (!(key in conf)) lines.push({ key, change: 'default', requested: undefined, defaultValue: param.value })
  }
  return lines
}

/** What each lifecycle step means, in words. */
export const STEP_LABELS: Record<string, string> = {
  'authz.decision': 'Policy decided',
  'request.pending': 'Waiting for approval',
  'request.approved': 'Approved',
  'request.auto_approved': 'Approved by an auto-approval rule',
  'request.denied': 'Denied',
  'request.expired': 'Expired',
  'request.cancelled': 'Cancelled',
  'request.refused': 'Refused',
  'request.approval_withdrawn': 'Approval withdrawn',
  'dispatch.sent': 'Sent to Airflow',
  'dispatch.result': 'Airflow answered',
  'request.failed': 'Failed',
  'grant.started': 'Grant started',
  'grant.revoked': 'Grant revoked',
  'grant.expired': 'Grant expired',
}

const INBOX_CHANGED = 'conductor:inbox-changed'

/** Tells the nav's inbox badge to count again (after a decision). */
export function inboxChanged(): void {
  window.dispatchEvent(new Event(INBOX_CHANGED))
}

/** Calls `listener` whenever {@link inboxChanged} is called; answers the unsubscribe. */
export function onInboxChanged(listener: () => void): () => void {
  window.addEventListener(INBOX_CHANGED, listener)
  return () => window.removeEventListener(INBOX_CHANGED, listener)
}

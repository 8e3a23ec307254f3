import type { Kysely } from 'kysely'
import type { AuditLog } from '../../audit/index.ts'
import type { EnvironmentConfig } from '../../config/index.ts'
import type { Clock } from '../../core/index.ts'
import { accessRequest, signWebhook, type AccessPrincipal, type PolicyDagRow } from '../../governance/index.ts'
import { principalRef, type AuthorizationRequest, type PolicyEngine, type PrincipalRef } from '../../policy/index.ts'
import { activeGrantsOf, listPendingItems, type ReviewDb } from './reviews.repository.ts'
import type { ReviewTables } from './reviews.tables.ts'
import type { Suspensions } from './suspensions.ts'

/** The lease under which one replica checks open findings. */
export const FINDINGS_LEASE = 'review-findings'

/** The lease under which one replica sends review reminders. */
export const REMINDERS_LEASE = 'review-reminders'

/** What {@link resolveFindings} looks at. */
export interface FindingsCheckDeps {
  db: ReviewDb
  /** The policy alone (suspensions not honoured): what grants the access at the source. */
  policy: Pick<PolicyEngine, 'authorize'>
  /** The principals seen, with the directory's groups now (deprovisioned left out). */
  principals: () => Promise<AccessPrincipal[]>
  environments: () => Iterable<EnvironmentConfig>
  dags: (environment: string) => Promise<PolicyDagRow[]>
  audit: Pick<AuditLog, 'commit'>
  clock: Clock
  suspensions: Pick<Suspensions, 'remove'>
}

/**
 * Resolves each open finding whose access policy, the directory and active grants no longer give (the IdP group
 * removed, the policy changed, the principal deprovisioned): its suspension is lifted; audited `review.finding_resolved`.
 * Answers how many were resolved.
 */
export async function resolveFindings(deps: FindingsCheckDeps): Promise<number> {
  const db = deps.db as unknown as Kysely<ReviewTables>
  const open = await db.selectFrom('review_findings').selectAll().where('state', '=', 'open').orderBy('created_at').execute()
  if (open.length === 0) return 0
  const at = new Date(deps.clock.now()).toISOString()
  const seen = new Map((await deps.principals()).map((p) => [`${p.type}\0${p.id}`, p]))
  const environments = new Map([...deps.environments()].map((e) => [e.name, e]))
  const catalog = new Map<string, Map<string, PolicyDagRow>>()
  let resolved = 0
  for (const f of open) {
    const p = seen.get(`${f.principal_type}\0${f.principal_id}`)
    let granted = false
    let resolution = 'the directory no longer knows the principal (deprovisioned)'
    if (p) {
      const groups = [...new Set([...p.groups, ...(await activeGrantsOf(deps.db, p, at)).map((g) => g.group)])].sort()
      const ref: PrincipalRef = principalRef({ type: p.type as PrincipalRef['type'], id: p.id, groups, username: p.id, email: p.email ?? null })
      const action = f.action as AuthorizationRequest['action']
      const env = f.environment === null ? null : environments.get(f.environment)
      if (f.environment === null) granted = deps.policy.authorize({ principal: ref, action }).decision === 'allow'
      else if (env) {
        let rows = catalog.get(env.name)
        if (!rows) catalog.set(env.name, rows = new Map((await deps.dags(env.name)).map((d) => [d.dag_id, d])))
        const known = rows
        const targets = f.dag_ids === null ? [null] : (JSON.parse(f.dag_ids) as string[]).flatMap((d) => known.get(d) ?? [])
        granted = targets.some((dag) => deps.policy.authorize(accessRequest(ref, action, { environment: env, dag, ids: [] })).decision === 'allow')
      }
      resolution = `policy and the directory no longer grant it (groups now: ${groups.join(', ') || 'none'})`
    }
    if (granted) continue
    await deps.audit.commit([{
      type: 'review.finding_resolved', principal: f.principal_id, principalType: f.principal_type, action: f.action, environment: f.environment,
      data: { finding: f.id, campaign: f.campaign_id, item: f.item_id, subject: { type: f.principal_type, id: f.principal_id }, resolution },
    }], async (trx) => {
      await (trx as Kysely<ReviewTables>).updateTable('review_findings').set({ state: 'resolved', resolved_at: at, resolution }).where('id', '=', f.id).where('state', '=', 'open').execute()
    })
    deps.suspensions.remove(f.id)
    resolved++
  }
  return resolved
}

/** Where and when reminders go. */
export interface ReminderSettings {
  url: string
  /** The signing secret's value, read when a reminder is sent. */
  secret: (() => Promise<string>) | null
  before: string[]
  timeoutMs: number
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 }

/** A duration such as `72h`, `30m`, `2d`, in milliseconds. */
export function durationMs(text: string): number {
  return Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1)]!
}

/**
 * Sends each reminder due: for each open campaign and each mark of `before` the due date is within, one webhook per
 * reviewer with pending items, unless that mark was already sent to them (at least once: marked after the receiver
 * accepted it). Audited `review.reminder_sent`. Answers how many were sent.
 */
export async function sendReminders(deps: { db: ReviewDb; audit: Pick<AuditLog, 'append'>; clock: Clock; settings: ReminderSettings }): Promise<number> {
  const db = deps.db as unknown as Kysely<ReviewTables>
  const now = deps.clock.now()
  const campaigns = await db.selectFrom('review_campaigns').selectAll().where('state', '=', 'open').where('due_at', '>', new Date(now).toISOString()).execute()
  if (campaigns.length === 0) return 0
  const pending = await listPendingItems(deps.db)
  let sent = 0
  for (const c of campaigns) {
    const marks = deps.settings.before.filter((m) => now >= Date.parse(c.due_at) - durationMs(m))
    if (marks.length === 0) continue
    const reviewers = new Map<string, { type: string; id: string; pending: number }>()
    for (const item of pending.filter((i) => i.campaign_id === c.id)) {
      for (const r of JSON.parse(item.reviewers) as { type: string; id: string }[]) {
        const known = reviewers.get(`${r.type}\0${r.id}`) ?? { ...r, pending: 0 }
        known.pending++
        reviewers.set(`${r.type}\0${r.id}`, known)
      }
    }
    const done = new Set((await db.selectFrom('review_reminders').select(['reviewer_type', 'reviewer_id', 'mark']).where('campaign_id', '=', c.id).execute())
      .map((r) => `${r.reviewer_type}\0${r.reviewer_id}\0${r.mark}`))
    for (const r of reviewers.values()) {
      for (const mark of marks) {
        if (done.has(`${r.type}\0${r.id}\0${mark}`)) continue
        const body = JSON.stringify({ type: 'review.reminder', mark, campaign: { id: c.id, name: c.name, dueAt: c.due_at }, reviewer: { type: r.type, id: r.id }, pending: r.pending })
        const headers = { 'content-type': 'application/json', ...(deps.settings.secret ? signWebhook(await deps.settings.secret(), body, now) : {}) }
        const answer = await fetch(deps.settings.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(deps.settings.timeoutMs) })
        await answer.body?.cancel()
        if (!answer.ok) throw new Error(`the reminder receiver answered ${answer.status}`)
        await db.insertInto('review_reminders').values({ campaign_id: c.id, reviewer_type: r.type, reviewer_id: r.id, mark, sent_at: new Date(now).toISOString() })
          .onConflict((oc) => oc.doNothing()).execute()
        await deps.audit.append({ type: 'review.reminder_sent', principal: r.id, principalType: r.type, data: { campaign: c.id, name: c.name, mark, pending: r.pending, dueAt: c.due_at } })
        sent++
      }
    }
  }
  return sent
}

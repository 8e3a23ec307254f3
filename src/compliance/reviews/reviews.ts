import type { Kysely } from 'kysely'
import type { AuditLog } from '../../audit/index.ts'
import type { EnvironmentConfig } from '../../config/index.ts'
import { ConductorError, type Clock, type IdGenerator } from '../../core/index.ts'
import type { AccessPrincipal, PolicyDagRow } from '../../governance/index.ts'
import type { Principal } from '../../identity/index.ts'
import { principalRef, type PolicyEngine } from '../../policy/index.ts'
import { campaignItems, mayReview, type CampaignScope, type PrincipalKey } from './campaign-items.ts'
import { campaignView, findingView, itemView, type Campaign, type Finding, type ReviewItem } from './review-views.ts'
import { activeGrantsOf, countDecisions, findCampaign, listCampaigns, listFindings, listItems, listPendingItems, type ReviewDb } from './reviews.repository.ts'
import type { CampaignState, ReviewCampaignsTable, ReviewItemsTable, ReviewTables } from './reviews.tables.ts'
import type { Suspensions } from './suspensions.ts'

/** A new campaign. */
export interface CampaignInput {
  name: string
  description?: string | undefined
  scope?: CampaignScope | undefined
  dueAt: string
}

/** One decision of a call to {@link Reviews.decide}. */
export interface DecisionInput {
  itemId: string
  decision: 'certify' | 'revoke'
  comment?: string | undefined
}

/** Access review campaigns: start, review, complete (docs/reviews.md). */
export interface Reviews {
  /** Starts a campaign: its items frozen now. Needs `review:manage`. Audited `review.campaign_started`. */
  start(asker: Principal, input: CampaignInput): Promise<Campaign>
  /** The campaigns (all with `review:read` or `audit:read`; else those with items the asker reviews). */
  list(asker: Principal, state?: CampaignState): Promise<Campaign[]>
  /** One campaign, or `campaign_not_found`. */
  get(asker: Principal, id: string): Promise<Campaign>
  /** A campaign's items (a reviewer without `review:read` sees only the items they review). */
  items(asker: Principal, id: string, filter?: { decision?: 'pending' | 'certified' | 'revoked' | undefined; mine?: boolean | undefined }): Promise<ReviewItem[]>
  /**
   * Certifies or revokes items, all or nothing: any item unknown (`review_item_not_found`), already decided
   * (`conflict`), a revoke without a comment (`invalid_input`), or one the asker may not review (`review_not_allowed`)
   * refuses the whole call. A revoke suspends the access at once. Completes the campaign when no item is left.
   */
  decide(asker: Principal, id: string, decisions: DecisionInput[]): Promise<{ items: ReviewItem[]; campaign: Campaign }>
  /** Completes the campaign now (undecided items stay not reviewed). Needs `review:manage`. */
  complete(asker: Principal, id: string): Promise<Campaign>
  /** Cancels the campaign. Needs `review:manage`. */
  cancel(asker: Principal, id: string): Promise<Campaign>
  /** The pending items of open campaigns the asker may decide now. */
  mine(asker: Principal): Promise<ReviewItem[]>
  /** The findings (revokes), with `review:read` or `audit:read`. */
  findings(asker: Principal, state?: 'open' | 'resolved'): Promise<Finding[]>
}

/** What {@link createReviews} needs. */
export interface ReviewsDeps {
  db: ReviewDb
  /** The policy in force, suspensions honoured. */
  policy: Pick<PolicyEngine, 'authorize' | 'policies' | 'current' | 'lineage'>
  environments: () => Iterable<EnvironmentConfig>
  dags: (environment: string) => Promise<PolicyDagRow[]>
  /** The principals seen, with the directory's groups now (deprovisioned left out). */
  principals: () => Promise<AccessPrincipal[]>
  audit: Pick<AuditLog, 'commit'>
  clock: Clock
  ids: IdGenerator
  suspensions: Pick<Suspensions, 'add'>
}

const denied = (message: string, action: string) => new ConductorError('policy_denied', message, { details: { action } })
const isReviewer = (row: ReviewItemsTable, who: PrincipalKey) => (JSON.parse(row.reviewers) as PrincipalKey[]).some((r) => r.type === who.type && r.id === who.id)

/** Creates the campaigns service. */
export function createReviews(deps: ReviewsDeps): Reviews {
  const db = deps.db as unknown as Kysely<ReviewTables>
  const now = () => new Date(deps.clock.now()).toISOString()
  const allowed = (asker: Principal, action: 'review:manage' | 'review:read' | 'audit:read') => deps.policy.authorize({ principal: principalRef(asker), action }).decision === 'allow'
  const readsAll = (asker: Principal) => allowed(asker, 'review:read') || allowed(asker, 'audit:read')
  const mustManage = (asker: Principal) => { if (!allowed(asker, 'review:manage')) throw denied('managing access review campaigns needs review:manage', 'review:manage') }
  const views = async (rows: ReviewCampaignsTable[]) => {
    const counts = await countDecisions(deps.db, rows.map((r) => r.id))
    return rows.map((r) => campaignView(r, counts.get(r.id)!))
  }
  const view = async (row: ReviewCampaignsTable) => (await views([row]))[0]!
  const load = async (asker: Principal, id: string) => {
    const row = await findCampaign(deps.db, id)
    if (row && (readsAll(asker) || (await listItems(deps.db, id)).some((i) => isReviewer(i, asker)))) return row
    throw new ConductorError('campaign_not_found', `no access review campaign "${id}"`, { details: { campaignId: id } })
  }
  const open = (row: ReviewCampaignsTable) => {
    if (row.state !== 'open') throw new ConductorError('campaign_closed', `the campaign "${row.name}" is ${row.state}`, { details: { campaignId: row.id, state: row.state } })
  }
  // Whether the asker may decide the item now: policy, on the DAGs of the item still in the catalog, and never their own.
  const mayDecide = async (asker: Principal, item: ReviewItemsTable, catalog: Map<string, Promise<Map<string, PolicyDagRow>>>) => {
    const subject = { type: item.principal_type, id: item.principal_id, groups: JSON.parse(item.principal_groups) as string[] }
    if (item.environment === null) return mayReview(deps.policy, principalRef(asker), subject, null, null)
    const env = [...deps.environments()].find((e) => e.name === item.environment)
    if (!env) return false
    let rows = catalog.get(env.name)
    if (!rows) catalog.set(env.name, rows = deps.dags(env.name).then((all) => new Map(all.map((d) => [d.dag_id, d]))))
    const known = await rows
    const dags = item.dag_ids === null ? null : (JSON.parse(item.dag_ids) as string[]).flatMap((d) => known.get(d) ?? [])
    return mayReview(deps.policy, principalRef(asker), subject, env, dags)
  }
  const close = async (asker: Principal, row: ReviewCampaignsTable, state: 'completed' | 'cancelled') => {
    const at = now()
    const items = await listItems(deps.db, row.id)
    const undecided = items.filter((i) => i.decision === null).map((i) => i.id)
    const counts = { certified: items.filter((i) => i.decision === 'certify').length, revoked: items.filter((i) => i.decision === 'revoke').length, undecided: undecided.length }
    await deps.audit.commit([{
      type: state === 'completed' ? 'review.campaign_completed' : 'review.campaign_cancelled', principal: asker.id, principalType: asker.type,
      data: { campaign: row.id, name: row.name, counts, ...(state === 'completed' ? { notReviewed: undecided } : {}) },
    }], async (trx) => {
      const done = await (trx as Kysely<ReviewTables>).updateTable('review_campaigns').set({ state, completed_at: at }).where('id', '=', row.id).where('state', '=', 'open').executeTakeFirst()
      if (Number(done.numUpdatedRows) !== 1) throw new ConductorError('campaign_closed', `the campaign "${row.name}" is already closed`, { details: { campaignId: row.id } })
    })
    return view((await findCampaign(deps.db, row.id))!)
  }

  return {
    async start(asker, input) {
      mustManage(asker)
      const due = Date.parse(input.dueAt)
      if (Number.isNaN(due)) throw new ConductorError('invalid_input', 'dueAt must be a date and time (ISO 8601)', { details: { field: 'dueAt' } })
      if (due <= deps.clock.now()) throw new ConductorError('invalid_input', 'dueAt must be in the future', { details: { field: 'dueAt' } })
      const scope: CampaignScope = {}
      for (const axis of ['environments', 'zones', 'tags'] as const) if (input.scope?.[axis]?.length) scope[axis] = [...new Set(input.scope[axis])].sort()
      const known = [...deps.environments()]
      for (const name of scope.environments ?? []) {
        if (!known.some((e) => e.name === name)) throw new ConductorError('invalid_input', `no environment "${name}"`, { details: { field: 'scope.environments' } })
      }
      const at = now()
      const policyVersion = deps.policy.current().version
      const principals = await deps.principals()
      const frozen = await campaignItems({
        policy: deps.policy, scope, environments: known, dags: deps.dags, principals, grants: (p) => activeGrantsOf(deps.db, p, at),
      })
      const id = deps.ids.next()
      const rows: ReviewItemsTable[] = frozen.map((item, i) => ({
        id: `${id}-${String(i + 1).padStart(5, '0')}`, campaign_id: id, principal_type: item.principal.type, principal_id: item.principal.id,
        principal_display: item.principal.displayName, principal_groups: JSON.stringify(item.principal.groups), action: item.action,
        environment: item.environment, dag_ids: item.dagIds === null ? null : JSON.stringify(item.dagIds), why: JSON.stringify(item.why),
        reviewers: JSON.stringify(item.reviewers), decision: null, comment: null, decided_by_type: null, decided_by_id: null, decided_at: null,
      }))
      const counts = { items: rows.length, principals: new Set(frozen.map((i) => `${i.principal.type}\0${i.principal.id}`)).size, unreviewable: frozen.filter((i) => i.reviewers.length === 0).length }
      const campaign: ReviewCampaignsTable = {
        id, name: input.name, description: input.description ?? null, scope: JSON.stringify(scope), due_at: new Date(due).toISOString(), state: 'open',
        created_by_type: asker.type, created_by_id: asker.id, created_at: at, completed_at: null, policy_version: policyVersion, counts: JSON.stringify(counts),
      }
      await deps.audit.commit([{
        type: 'review.campaign_started', principal: asker.id, principalType: asker.type,
        data: { campaign: id, name: input.name, scope, dueAt: campaign.due_at, counts, policyVersion },
      }], async (trx) => {
        const t = trx as Kysely<ReviewTables>
        await t.insertInto('review_campaigns').values(campaign).execute()
        for (let i = 0; i < rows.length; i += 500) await t.insertInto('review_items').values(rows.slice(i, i + 500)).execute()
      })
      return view(campaign)
    },

    async list(asker, state) {
      const rows = await listCampaigns(deps.db, state)
      if (readsAll(asker)) return views(rows)
      const mine = new Set((await db.selectFrom('review_items').select(['campaign_id', 'reviewers']).where('reviewers', 'like', `%${JSON.stringify(asker.id)}%`).execute())
        .filter((i) => isReviewer(i as ReviewItemsTable, asker)).map((i) => i.campaign_id))
      return views(rows.filter((r) => mine.has(r.id)))
    },

    async get(asker, id) {
      return view(await load(asker, id))
    },

    async items(asker, id, filter = {}) {
      await load(asker, id)
      const decision = { pending: null, certified: 'certify', revoked: 'revoke' }
      const own = filter.mine === true || !readsAll(asker)
      return (await listItems(deps.db, id))
        .filter((i) => filter.decision === undefined || i.decision === decision[filter.decision])
        .filter((i) => !own || isReviewer(i, asker))
        .map(itemView)
    },

    async decide(asker, id, decisions) {
      const campaign = await load(asker, id)
      open(campaign)
      const byId = new Map((await listItems(deps.db, id)).map((i) => [i.id, i]))
      const catalog = new Map<string, Promise<Map<string, PolicyDagRow>>>()
      const seen = new Set<string>()
      const chosen: { row: ReviewItemsTable; input: DecisionInput }[] = []
      for (const [n, d] of decisions.entries()) {
        const row = byId.get(d.itemId)
        if (!row) throw new ConductorError('review_item_not_found', `no item "${d.itemId}" in this campaign`, { details: { itemId: d.itemId, field: `decisions.${n}.itemId` } })
        if (seen.has(d.itemId)) throw new ConductorError('invalid_input', `item "${d.itemId}" is decided twice in this call`, { details: { itemId: d.itemId, field: `decisions.${n}.itemId` } })
        seen.add(d.itemId)
        if (row.decision !== null) throw new ConductorError('conflict', `item "${d.itemId}" is already decided (${row.decision})`, { details: { itemId: d.itemId, field: `decisions.${n}.itemId` } })
        if (d.decision === 'revoke' && !d.comment?.trim()) throw new ConductorError('invalid_input', 'a revoke needs a comment', { details: { itemId: d.itemId, field: `decisions.${n}.comment` } })
        if (!(await mayDecide(asker, row, catalog))) {
          const self = row.principal_type === asker.type && row.principal_id === asker.id
          throw new ConductorError('review_not_allowed', self ? 'nobody reviews their own access' : `you may not review item "${d.itemId}"`, { details: { itemId: d.itemId, field: `decisions.${n}.itemId` } })
        }
        chosen.push({ row, input: d })
      }
      const at = now()
      const reason = `suspended by access review ${campaign.name}: revoked by ${asker.id}`
      const findings = chosen.filter((c) => c.input.decision === 'revoke').map((c) => ({
        id: deps.ids.next(), campaign_id: id, item_id: c.row.id, principal_type: c.row.principal_type, principal_id: c.row.principal_id, action: c.row.action,
        environment: c.row.environment, dag_ids: c.row.dag_ids, source: c.row.why, reason, state: 'open' as const, created_at: at, resolved_at: null, resolution: null,
      }))
      const events = chosen.flatMap(({ row, input }) => {
        const base = { principal: asker.id, principalType: asker.type, action: row.action, environment: row.environment }
        const data = { campaign: id, item: row.id, subject: { type: row.principal_type, id: row.principal_id }, action: row.action, environment: row.environment, dagIds: row.dag_ids === null ? null : JSON.parse(row.dag_ids) as string[] }
        const decided = { ...base, type: 'review.decided', data: { ...data, decision: input.decision, comment: input.comment ?? null } }
        const finding = findings.find((f) => f.item_id === row.id)
        return finding ? [decided, { ...base, type: 'review.revoked', data: { ...data, finding: finding.id, suspension: { reason, policyIds: [`access-review:${row.id}`] }, source: JSON.parse(row.why) as unknown } }] : [decided]
      })
      await deps.audit.commit(events, async (trx) => {
        const t = trx as Kysely<ReviewTables>
        for (const { row, input } of chosen) {
          const done = await t.updateTable('review_items')
            .set({ decision: input.decision, comment: input.comment ?? null, decided_by_type: asker.type, decided_by_id: asker.id, decided_at: at })
            .where('id', '=', row.id).where('decision', 'is', null).executeTakeFirst()
          if (Number(done.numUpdatedRows) !== 1) throw new ConductorError('conflict', `item "${row.id}" is already decided`, { details: { itemId: row.id } })
        }
        if (findings.length > 0) await t.insertInto('review_findings').values(findings).execute()
      })
      for (const f of findings) {
        deps.suspensions.add({ id: f.id, itemId: f.item_id, principalType: f.principal_type, principalId: f.principal_id, action: f.action, environment: f.environment, dagIds: f.dag_ids === null ? null : JSON.parse(f.dag_ids) as string[], reason })
      }
      const after = await listItems(deps.db, id)
      if (after.every((i) => i.decision !== null)) {
        try { await close(asker, campaign, 'completed') } catch (error) { if (!(error instanceof ConductorError && error.code === 'campaign_closed')) throw error }
      }
      return { items: after.filter((i) => seen.has(i.id)).map(itemView), campaign: await view((await findCampaign(deps.db, id))!) }
    },

    async complete(asker, id) {
      mustManage(asker)
      const row = await load(asker, id)
      open(row)
      return close(asker, row, 'completed')
    },

    async cancel(asker, id) {
      mustManage(asker)
      const row = await load(asker, id)
      open(row)
      return close(asker, row, 'cancelled')
    },

    async mine(asker) {
      const catalog = new Map<string, Promise<Map<string, PolicyDagRow>>>()
      const out: ReviewItem[] = []
      for (const row of await listPendingItems(deps.db)) {
        if (isReviewer(row, asker) && await mayDecide(asker, row, catalog)) out.push(itemView(row))
      }
      return out
    },

    async findings(asker, state) {
      if (!readsAll(asker)) throw denied('listing access review findings needs review:read or audit:read', 'review:read')
      return (await listFindings(deps.db, state)).map(findingView)
    },
  }
}

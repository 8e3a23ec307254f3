import type { Kysely } from 'kysely'
import { ConductorError, isConductorError } from '../../core/index.ts'
import type { Principal } from '../../identity/index.ts'
import type { RunInfo } from '../../orchestrators/index.ts'
import type { Action } from '../../policy/index.ts'
import { createLeasedLoop, type Fence } from '../../store/index.ts'
import type { GovernanceTables } from '../governance.tables.ts'
import { createDagDecider, STALE_CLAIM_SECONDS, triggerOnce, type Owner, type OwnedDeps } from '../owned.ts'
import { checkConf, type TriggerInput } from '../run-input.ts'
import { createTargets, environmentMap } from '../targets.ts'
import {
  advanceCursor, claimLinkFiring, deleteLink, findLink, insertLink, listActiveLinksOwnedBy, listLinkFirings, listLinks, listStaleLinkClaims, settleLinkFiring, updateLink,
} from './links.repository.ts'
import type { LinkFiringsTable, LinksTable, LinkState, LinkTables } from './links.tables.ts'

/** Who a link triggers as (as a schedule's owner). */
export type LinkOwner = Owner

/** Why a link was suspended: by hand, its owner lost access (deprovisioned), or policy no longer lets its owner read the source or trigger the target. */
export type LinkSuspendReason = 'suspended_by_user' | 'owner_deprovisioned' | 'owner_not_allowed'

/** One firing of a link, as shown to callers. */
export interface LinkFiringView {
  /** The source run that succeeded. */
  sourceRunId: string
  sourceEndDate: string | null
  requestId: string | null
  outcome: string
  at: string
}

/** A link as shown to callers. */
export interface LinkView {
  id: string
  owner: LinkOwner
  source: { environment: string; dagId: string }
  target: { environment: string; dagId: string }
  confTemplate: Record<string, unknown>
  description: string | null
  state: LinkState
  suspendedReason: string | null
  /** The end date of the latest source run seen. */
  cursor: string | null
  /** Its latest firings, newest first (at most 5 in lists; see firings). */
  lastFirings: LinkFiringView[]
  createdBy: string
  createdAt: string
  updatedAt: string
}

/** What creating a link takes. */
export interface LinkInput {
  source: { environment: string; dagId: string }
  target: { environment: string; dagId: string }
  /** A JSON object; its string values may hold `{{source.run_id}}`, `{{source.dag_id}}`, `{{source.environment}}`, `{{source.logical_date}}`, `{{source.end_date}}`. */
  confTemplate?: unknown
  description?: string | undefined
  owner?: LinkOwner | undefined
}

/** What changing a link may change. */
export interface LinkPatch {
  confTemplate?: unknown
  description?: string | null | undefined
}

/** What {@link Links.poll} did. */
export interface LinkRound {
  fired: number
  suspended: number
  failed: number
}

/**
 * Cross-deployment links: when a DAG succeeds in one environment, trigger a DAG in another through the governance
 * pipeline as the link's owner. Every change is decided by policy (`link:create|read|manage` on the target DAG, with
 * `context.link`) and audited.
 */
export interface Links {
  /** Creates a link owned by `input.owner` (default the caller): `link:create`; the owner must be allowed `dag:read` on the source and `dag:trigger` on the target now. */
  create(actor: Principal, input: LinkInput): Promise<LinkView>
  /** The links `actor` may read (`link:read`), oldest first, each with its last firings. */
  list(actor: Principal): Promise<LinkView[]>
  /** One link; `link_not_found` when unknown or not readable. */
  get(actor: Principal, id: string): Promise<LinkView>
  /** Changes its conf template or description (`link:manage`). */
  update(actor: Principal, id: string, patch: LinkPatch): Promise<LinkView>
  /** Stops it firing (`link:manage`), reason `suspended_by_user`. */
  suspend(actor: Principal, id: string): Promise<LinkView>
  /** Lets it fire again (`link:manage`) for source runs ending from now on; its owner must still be allowed. */
  resume(actor: Principal, id: string): Promise<LinkView>
  /** Deletes it and its firings (`link:manage`). */
  delete(actor: Principal, id: string): Promise<LinkView>
  /** Its firings, newest first. */
  firings(actor: Principal, id: string, limit?: number): Promise<LinkFiringView[]>
  /** Deprovisioning: suspends every active link `owner` holds, audited and notified; answers their ids. */
  suspendOwnedBy(owner: LinkOwner, reason: LinkSuspendReason): Promise<string[]>
  /** Asks each active link's source for successful runs since its cursor and fires each new one once. */
  poll(fence?: Fence): Promise<LinkRound>
  /** Polls now and every `intervalSeconds` on the replica holding the `links` lease (0: never). */
  start(intervalSeconds: number): void
  stop(): Promise<void>
}

/** Dependencies of {@link createLinks}. */
export interface LinksDeps extends OwnedDeps {
  db: Kysely<GovernanceTables & LinkTables>
}

/** The lease the polling loop runs under. */
export const LINKS_LEASE = 'links'

const OWNER_TYPES = new Set(['User', 'ServiceAccount', 'Agent'])
const PLACEHOLDERS = ['run_id', 'dag_id', 'environment', 'logical_date', 'end_date'] as const
const PLACEHOLDER = /\{\{\s*source\.([a-z_]+)\s*\}\}/g
const invalid = (field: string, message: string) => new ConductorError('invalid_input', `${field}: ${message}`, { details: { field } })

/** Fills `{{source.*}}` in the string values of a template (plain substitution, never evaluated). */
export function fillTemplate(template: unknown, source: Record<(typeof PLACEHOLDERS)[number], string | null>): unknown {
  if (typeof template === 'string') return template.replace(PLACEHOLDER, (whole, name: string) => (name in source ? source[name as keyof typeof source] ?? '' : whole))
  if (Array.isArray(template)) return template.map((v) => fillTemplate(v, source))
  if (template !== null && typeof template === 'object') return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillTemplate(v, source)]))
  return template
}

function checkTemplate(template: unknown, maxBytes: number): Record<string, unknown> {
  const conf = checkConf(template, { maxBytes, maxDepth: 32 })
  for (const match of JSON.stringify(conf).matchAll(PLACEHOLDER)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(match[1]!)) throw invalid('confTemplate', `unknown placeholder {{source.${match[1]}}} (known: ${PLACEHOLDERS.map((p) => `source.${p}`).join(', ')})`)
  }
  return conf
}

const firingView = (f: LinkFiringsTable): LinkFiringView => ({ sourceRunId: f.event_key, sourceEndDate: f.event_at, requestId: f.request_id, outcome: f.outcome, at: f.at })

/** Creates the links over policy, the catalog, the governed trigger and the store. */
export function createLinks(deps: LinksDeps): Links {
  const { db, policy, audit, clock } = deps
  const environments = environmentMap(deps.environments)
  const targets = createTargets({ db, environments: deps.environments, orchestrators: deps.orchestrators, catalog: deps.catalog })
  const iso = (ms = clock.now()) => new Date(ms).toISOString()
  const ownerOf = (row: LinksTable): LinkOwner => ({ type: row.owner_type as LinkOwner['type'], id: row.owner_id })
  const linkContext = (owner: LinkOwner) => ({ link: { ownerType: owner.type, owner: owner.id } })

  async function view(row: LinksTable, firings = 5): Promise<LinkView> {
    return {
      id: row.id, owner: ownerOf(row), source: { environment: row.source_environment, dagId: row.source_dag_id ?? '' },
      target: { environment: row.target_environment, dagId: row.target_dag_id ?? '' }, confTemplate: JSON.parse(row.conf_template) as Record<string, unknown>,
      description: row.description, state: row.state, suspendedReason: row.suspended_reason, cursor: row.cursor,
      lastFirings: (await listLinkFirings(db, row.id, firings)).map(firingView), createdBy: row.created_by, createdAt: row.created_at, updatedAt: row.updated_at,
    }
  }

  const decide = createDagDecider({ db, policy, environments: deps.environments })

  async function readable(actor: Principal, id: string): Promise<LinksTable> {
    const row = await findLink(db, id)
    if (!row || (await decide(actor, 'link:read', row.target_environment, row.target_dag_id ?? '', linkContext(ownerOf(row)))).decision !== 'allow') {
      throw new ConductorError('link_not_found', `no link ${id} that you may see`, { details: { linkId: id } })
    }
    return row
  }

  async function must(actor: Principal, action: Action, environment: string, dagId: string, owner: LinkOwner): Promise<void> {
    const decision = await decide(actor, action, environment, dagId, linkContext(owner))
    if (decision.decision !== 'allow') {
      throw new ConductorError('policy_denied', `${actor.type} ${actor.id} may not ${action} for ${environment}/${dagId}: ${decision.reasons.join('; ')}`, {
        details: { action, reasons: decision.reasons, policyIds: decision.policyIds },
      })
    }
  }

  /** Throws `link_owner_not_allowed` unless `owner` has access, may read the source DAG and trigger the target DAG now. */
  async function ownerMayFire(owner: LinkOwner, row: Pick<LinksTable, 'source_environment' | 'source_dag_id' | 'target_environment' | 'target_dag_id'>): Promise<Principal> {
    const principal = await deps.principalOf(owner)
    if (!principal) {
      throw new ConductorError('link_owner_not_allowed', `${owner.type} ${owner.id} is not a principal with access (unknown, deprovisioned or disabled)`, { details: { field: 'owner', owner } })
    }
    for (const [action, environment, dagId] of [['dag:read', row.source_environment, row.source_dag_id], ['dag:trigger', row.target_environment, row.target_dag_id]] as const) {
      const decision = await decide(principal, action, environment, dagId ?? '')
      if (decision.decision !== 'allow') {
        throw new ConductorError('link_owner_not_allowed', `${owner.type} ${owner.id} may not ${action} ${environment}/${dagId}: ${decision.reasons.join('; ')}`, {
          details: { field: 'owner', owner, reasons: decision.reasons },
        })
      }
    }
    return principal
  }

  const event = (actor: Principal | null, row: LinksTable, type: string, data: Record<string, unknown> = {}) => audit.append({
    type, principal: actor?.id ?? null, principalType: actor?.type ?? null, environment: row.target_environment, dag: row.target_dag_id,
    data: { linkId: row.id, owner: { type: row.owner_type, id: row.owner_id }, source: { environment: row.source_environment, dagId: row.source_dag_id }, ...data },
  })

  async function suspendRow(actor: Principal | null, row: LinksTable, reason: LinkSuspendReason, detail: Record<string, unknown> = {}): Promise<boolean> {
    const now = iso()
    if (!(await updateLink(db, row.id, { state: 'suspended', suspended_reason: reason, updated_at: now }, { state: 'active' }))) return false
    await event(actor, row, 'link.suspended', { reason, ...detail })
    if (reason !== 'suspended_by_user') {
      await deps.notify?.({
        type: 'link.suspended', occurredAt: now,
        data: {
          linkId: row.id, environment: row.target_environment, dag: row.target_dag_id, team: environments.get(row.target_environment)?.team ?? null,
          source: { environment: row.source_environment, dagId: row.source_dag_id },
          owner: { type: row.owner_type, id: row.owner_id }, principal: row.owner_id, principalType: row.owner_type, reason, ...detail,
        },
      })
    }
    return true
  }

  /** What firing `row` for `run` asks: the filled conf and a note naming the source run. */
  function firingInput(row: LinksTable, run: RunInfo): TriggerInput {
    const conf = fillTemplate(JSON.parse(row.conf_template), {
      run_id: run.runId, dag_id: run.dagId, environment: row.source_environment, logical_date: run.logicalDate, end_date: run.endDate,
    })
    return { conf, note: `Link ${row.id}: ${row.source_environment}/${row.source_dag_id} run ${run.runId} succeeded at ${run.endDate}.` }
  }

  /**
   * Fires a claimed firing as the link's owner, with the request id it was claimed with (so firing it again after a
   * crash is the same request), and settles it; answers whether the link goes on.
   */
  async function fire(row: LinksTable, firing: LinkFiringsTable & { request_id: string; input: string }, recovered = false): Promise<'fired' | 'suspended' | 'failed' | 'lost'> {
    const owner = ownerOf(row)
    const settle = (outcome: string, requestId: string | null) => settleLinkFiring(db, row.id, firing.event_key, { outcome, request_id: requestId })
    const source = { environment: row.source_environment, dagId: row.source_dag_id, runId: firing.event_key, endDate: firing.event_at }
    const principal = await deps.principalOf(owner)
    if (!principal) {
      await settle('refused', null)
      await suspendRow(null, row, 'owner_deprovisioned', { sourceRunId: firing.event_key })
      return 'suspended'
    }
    try {
      const fired = await triggerOnce(deps, principal, row.target_environment, row.target_dag_id ?? '', { requestId: firing.request_id, input: JSON.parse(firing.input) as TriggerInput }, { via: 'link', tool: row.id })
      // Another attempt settled it first (two replicas recovering at once): that one counts it.
      if (!(await settle('fired', fired.requestId))) return 'lost'
      await audit.append({
        type: 'link.fired', principal: owner.id, principalType: owner.type, environment: row.target_environment, dag: row.target_dag_id, action: 'dag:trigger', requestId: fired.requestId,
        data: { linkId: row.id, source, runId: fired.runId, pending: fired.pending, ...(recovered ? { recovered: true } : {}) },
      })
      return 'fired'
    } catch (error) {
      const requestId = isConductorError(error) && typeof error.details?.requestId === 'string' ? error.details.requestId : null
      if (isConductorError(error, 'policy_denied')) {
        await settle('refused', requestId)
        await suspendRow(null, row, 'owner_not_allowed', { sourceRunId: firing.event_key, requestId, reasons: error.details?.reasons ?? [] })
        return 'suspended'
      }
      await settle('failed', requestId)
      deps.logger.warn({ err: error, link: row.id }, 'linked trigger failed')
      await event(null, row, 'link.fire_failed', { sourceRunId: firing.event_key, requestId, error: isConductorError(error) ? error.code : 'internal' })
      return 'failed'
    }
  }

  async function pollLink(row: LinksTable, round: LinkRound, fence?: Fence): Promise<void> {
    const source = deps.orchestrators.get(row.source_environment)
    if (!source || row.source_dag_id === null) return
    const runs = await source.listSucceededRuns(row.source_dag_id, { endDateGte: row.cursor, limit: 100 })
    for (const run of runs) {
      if (fence && !fence.held()) return
      if (run.endDate === null) continue
      const firing = { link_id: row.id, event_key: run.runId, event_at: run.endDate, request_id: deps.ids.next(), input: JSON.stringify(firingInput(row, run)), outcome: 'claimed', at: iso() }
      // The insert is the claim: of loops racing on this source run (replicas, restarts), only one fires it.
      if (await claimLinkFiring(db, firing)) {
        const outcome = await fire(row, firing)
        if (outcome !== 'lost') round[outcome]++
        if (outcome === 'suspended') return
      }
      await advanceCursor(db, row.id, run.endDate)
    }
  }

  /**
   * Fires again, as the same request, the claims a replica left unsettled (it stopped between claiming and settling):
   * a request already made is answered, not made twice. A claim whose link is no longer active is abandoned.
   */
  async function recoverClaims(round: LinkRound, fence?: Fence): Promise<void> {
    const staleBefore = iso(clock.now() - (deps.staleClaimSeconds ?? STALE_CLAIM_SECONDS) * 1000)
    for (const firing of await listStaleLinkClaims(db, staleBefore)) {
      if (fence && !fence.held()) return
      const row = await findLink(db, firing.link_id)
      if (!row || row.state !== 'active' || firing.request_id === null || !firing.input) {
        await settleLinkFiring(db, firing.link_id, firing.event_key, { outcome: 'abandoned', request_id: firing.request_id })
        continue
      }
      deps.logger.warn({ link: row.id, sourceRunId: firing.event_key, requestId: firing.request_id }, 'firing a link claim left unsettled again, as the same request')
      const outcome = await fire(row, { ...firing, request_id: firing.request_id, input: firing.input }, true)
      if (outcome !== 'lost') round[outcome]++
    }
  }

  async function poll(fence?: Fence): Promise<LinkRound> {
    const round: LinkRound = { fired: 0, suspended: 0, failed: 0 }
    try {
      await recoverClaims(round, fence)
    } catch (error) {
      deps.logger.warn({ err: error }, 'recovering link claims failed')
    }
    for (const row of await listLinks(db, { activeOnly: true })) {
      if (fence && !fence.held()) break
      try {
        await pollLink(row, round, fence)
      } catch (error) {
        deps.logger.warn({ err: error, link: row.id }, 'link source poll failed')
      }
    }
    return round
  }

  const loop = createLeasedLoop({ name: LINKS_LEASE, round: poll, logger: deps.logger, leases: deps.leases })

  async function endpoint(side: 'source' | 'target', at: { environment: string; dagId: string }): Promise<string> {
    if (!environments.has(at.environment)) {
      throw new ConductorError('environment_not_found', `unknown environment "${at.environment}"`, { details: { environment: at.environment, field: `${side}.environment` } })
    }
    return (await targets.dagOf(at.environment, at.dagId)).dag_id
  }

  return {
    async create(actor, input) {
      const owner: LinkOwner = input.owner ?? { type: actor.type, id: actor.id }
      if (!OWNER_TYPES.has(owner.type) || typeof owner.id !== 'string' || owner.id === '') throw invalid('owner', 'owner is { type: User|ServiceAccount|Agent, id }')
      const confTemplate = checkTemplate(input.confTemplate ?? {}, deps.maxConfBytes)
      const sourceDag = await endpoint('source', input.source)
      const targetDag = await endpoint('target', input.target)
      if (input.source.environment === input.target.environment && sourceDag === targetDag) throw invalid('target', 'a link may not trigger its own source DAG')
      await must(actor, 'link:create', input.target.environment, targetDag, owner)
      const now = iso()
      const row: LinksTable = {
        id: deps.ids.next(), owner_type: owner.type, owner_id: owner.id, source_environment: input.source.environment, source_dag_id: sourceDag, source_asset_uri: null,
        target_environment: input.target.environment, target_dag_id: targetDag, target_asset_uri: null, conf_template: JSON.stringify(confTemplate),
        description: input.description ?? null, state: 'active', suspended_reason: null, cursor: now, created_by: `${actor.type} ${actor.id}`, created_at: now, updated_at: now,
      }
      await ownerMayFire(owner, row)
      await insertLink(db, row)
      await event(actor, row, 'link.created', { confTemplate })
      return view(row)
    },

    async list(actor) {
      const out: LinkView[] = []
      for (const row of await listLinks(db)) {
        if ((await decide(actor, 'link:read', row.target_environment, row.target_dag_id ?? '', linkContext(ownerOf(row)))).decision === 'allow') out.push(await view(row))
      }
      return out
    },

    async get(actor, id) {
      return view(await readable(actor, id))
    },

    async update(actor, id, patch) {
      const row = await readable(actor, id)
      await must(actor, 'link:manage', row.target_environment, row.target_dag_id ?? '', ownerOf(row))
      const changes: Partial<LinksTable> = {}
      if (patch.confTemplate !== undefined) changes.conf_template = JSON.stringify(checkTemplate(patch.confTemplate, deps.maxConfBytes))
      if (patch.description !== undefined) changes.description = patch.description
      if (Object.keys(changes).length === 0) return view(row)
      changes.updated_at = iso()
      await updateLink(db, id, changes)
      const next = (await findLink(db, id))!
      await event(actor, next, 'link.updated', { changed: Object.keys(changes).filter((k) => k !== 'updated_at') })
      return view(next)
    },

    async suspend(actor, id) {
      const row = await readable(actor, id)
      await must(actor, 'link:manage', row.target_environment, row.target_dag_id ?? '', ownerOf(row))
      await suspendRow(actor, row, 'suspended_by_user')
      return view((await findLink(db, id))!)
    },

    async resume(actor, id) {
      const row = await readable(actor, id)
      await must(actor, 'link:manage', row.target_environment, row.target_dag_id ?? '', ownerOf(row))
      if (row.state === 'active') return view(row)
      await ownerMayFire(ownerOf(row), row)
      const now = iso()
      // Source runs that ended while suspended are not made up: the link goes on from now.
      await updateLink(db, id, { state: 'active', suspended_reason: null, cursor: now, updated_at: now }, { state: 'suspended' })
      const next = (await findLink(db, id))!
      await event(actor, next, 'link.resumed', { previousReason: row.suspended_reason })
      return view(next)
    },

    async delete(actor, id) {
      const row = await readable(actor, id)
      await must(actor, 'link:manage', row.target_environment, row.target_dag_id ?? '', ownerOf(row))
      if (await deleteLink(db, id)) await event(actor, row, 'link.deleted')
      return view(row)
    },

    async firings(actor, id, limit = 50) {
      const row = await readable(actor, id)
      return (await listLinkFirings(db, row.id, limit)).map(firingView)
    },

    async suspendOwnedBy(owner, reason) {
      const ids: string[] = []
      for (const row of await listActiveLinksOwnedBy(db, owner)) {
        if (await suspendRow(null, row, reason)) ids.push(row.id)
      }
      return ids
    },

    poll,
    start: (intervalSeconds) => loop.start(intervalSeconds),
    stop: () => loop.stop(),
  }
}

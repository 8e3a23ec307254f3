import type { Kysely } from 'kysely'
import { ConductorError, isConductorError } from '../../core/index.ts'
import type { Principal } from '../../identity/index.ts'
import type { Action, RequestContext } from '../../policy/index.ts'
import { createLeasedLoop, type Fence } from '../../store/index.ts'
import type { GovernanceTables } from '../governance.tables.ts'
import type { GovernedActions } from '../governed-actions.ts'
import { createDagDecider, fireAsOwner, makeOnce, recoverStaleClaims, triggerOnce, type FiringOutcome, type FiringRound, type Owner, type OwnedDeps } from '../owned.ts'
import type { ClaimedFiring, SourceEvent } from './firing.ts'
import { checkTemplate, fillTemplate } from './template.ts'
import { createTargets, environmentMap } from '../targets.ts'
import {
  advanceCursor, claimLinkFiring, deleteLink, findLink, insertLink, listActiveLinksOwnedBy, listLinkFirings, listLinks, listStaleLinkClaims, settleLinkFiring, updateLink,
} from './links.repository.ts'
import type { LinkFiringsTable, LinksTable, LinkState, LinkTables } from './links.tables.ts'

/** Who a link triggers as (as a schedule's owner). */
export type LinkOwner = Owner

/** Why a link was suspended: by hand, its owner lost access (deprovisioned), or policy no longer lets its owner read the source or act on the target. */
export type LinkSuspendReason = 'suspended_by_user' | 'owner_deprovisioned' | 'owner_not_allowed'

/**
 * One end of a link: a DAG (`dagId`) or an Airflow 3 asset (`assetUri`) in an environment; exactly one of the two.
 * A DAG source fires when one of its runs succeeds, an asset source when the asset is updated (an asset event); a DAG
 * target is triggered, an asset target gets an asset event.
 */
export interface LinkEnd {
  environment: string
  dagId?: string
  assetUri?: string
}

/** One firing of a link, as shown to callers. */
export interface LinkFiringView {
  /** The source run that succeeded (DAG sources); null for an asset source. */
  sourceRunId: string | null
  /** When the source event happened: the run's end date, or the asset event's timestamp. */
  sourceEndDate: string | null
  /** Airflow's id of the source asset event (asset sources); null for a DAG source. */
  sourceAssetEventId: string | null
  /** The request of the firing: `dag:trigger` for a DAG target, `asset:post_event` for an asset target. */
  requestId: string | null
  outcome: string
  at: string
}

/** A link as shown to callers. */
export interface LinkView {
  id: string
  owner: LinkOwner
  source: LinkEnd
  target: LinkEnd
  /** The conf of each trigger, or the `extra` of each asset event posted. */
  confTemplate: Record<string, unknown>
  description: string | null
  state: LinkState
  suspendedReason: string | null
  /** The end date of the latest source run seen (the timestamp of the latest asset event, for an asset source). */
  cursor: string | null
  /** Its latest firings, newest first (at most 5 in lists; see firings). */
  lastFirings: LinkFiringView[]
  createdBy: string
  createdAt: string
  updatedAt: string
}

/** What creating a link takes. */
export interface LinkInput {
  /** Exactly one of `dagId` and `assetUri` (`invalid_input` naming the field otherwise); an asset end needs an Airflow 3 environment (`assets_not_supported`). */
  source: LinkEnd
  target: LinkEnd
  /**
   * A JSON object; its string values may hold `{{source.environment}}` and, for a DAG source, `{{source.run_id}}`,
   * `{{source.dag_id}}`, `{{source.logical_date}}`, `{{source.end_date}}`; for an asset source, `{{source.asset_uri}}`,
   * `{{source.event_id}}`, `{{source.timestamp}}`, and `{{source.dag_id}}`, `{{source.run_id}}` of the run that updated
   * the asset (empty when it was posted through an API).
   */
  confTemplate?: unknown
  description?: string | undefined
  owner?: LinkOwner | undefined
}

/** What changing a link may change. */
export interface LinkPatch {
  confTemplate?: unknown
  description?: string | null | undefined
}

/**
 * Cross-deployment links: when a DAG succeeds (or an asset is updated) in one environment, trigger a DAG (or post an
 * asset event) in another through the governance pipeline as the link's owner. Every change is decided by policy
 * (`link:create|read|manage` on the target DAG, or on the target environment with `context.asset` for an asset target,
 * with `context.link`) and audited.
 */
export interface Links {
  /**
   * Creates a link owned by `input.owner` (default the caller): `link:create`; the owner must be allowed now `dag:read`
   * on a source DAG (`asset:read` on a source asset's environment) and `dag:trigger` on a target DAG (`asset:post_event`
   * on a target asset's environment).
   */
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
  /** Asks each active link's source for successful runs (or asset events) since its cursor and fires each new one once. */
  poll(fence?: Fence): Promise<FiringRound>
  /** Polls now and every `intervalSeconds` on the replica holding the `links` lease (0: never). */
  start(intervalSeconds: number): void
  stop(): Promise<void>
}

/** Dependencies of {@link createLinks}. */
export interface LinksDeps extends OwnedDeps {
  db: Kysely<GovernanceTables & LinkTables>
  /** The governed asset event (the same pipeline as the API's), for asset targets. */
  postAssetEvent: GovernedActions['postAssetEvent']
}

/** The lease the polling loop runs under. */
export const LINKS_LEASE = 'links'

const OWNER_TYPES = new Set(['User', 'ServiceAccount', 'Agent'])
/** Airflow's longest asset URI. */
const MAX_ASSET_URI = 1500
const invalid = (field: string, message: string) => new ConductorError('invalid_input', `${field}: ${message}`, { details: { field } })

const firingView = (row: Pick<LinksTable, 'source_asset_uri'>) => (f: LinkFiringsTable): LinkFiringView => {
  const asset = row.source_asset_uri !== null
  return { sourceRunId: asset ? null : f.event_key, sourceEndDate: f.event_at, sourceAssetEventId: asset ? f.event_key : null, requestId: f.request_id, outcome: f.outcome, at: f.at }
}

/** A link end as callers see it: `dagId` or `assetUri`. */
const endView = (environment: string, dagId: string | null, assetUri: string | null): LinkEnd => (assetUri !== null ? { environment, assetUri } : { environment, dagId: dagId ?? '' })

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
      id: row.id, owner: ownerOf(row), source: endView(row.source_environment, row.source_dag_id, row.source_asset_uri),
      target: endView(row.target_environment, row.target_dag_id, row.target_asset_uri), confTemplate: JSON.parse(row.conf_template) as Record<string, unknown>,
      description: row.description, state: row.state, suspendedReason: row.suspended_reason, cursor: row.cursor,
      lastFirings: (await listLinkFirings(db, row.id, firings)).map(firingView(row)), createdBy: row.created_by, createdAt: row.created_at, updatedAt: row.updated_at,
    }
  }

  const decide = createDagDecider({ db, policy, environments: deps.environments })
  /** The `link:*` question about a link: on its target DAG, or on its target environment (with `context.asset`) for an asset target. */
  const decideLink = (actor: Principal, action: Action, row: Pick<LinksTable, 'target_environment' | 'target_dag_id' | 'target_asset_uri' | 'owner_type' | 'owner_id'>) => {
    const context: RequestContext = { ...linkContext(ownerOf(row as LinksTable)), ...(row.target_asset_uri !== null ? { asset: { uri: row.target_asset_uri } } : {}) }
    return decide(actor, action, row.target_environment, row.target_asset_uri !== null ? null : row.target_dag_id ?? '', context)
  }
  const targetName = (row: Pick<LinksTable, 'target_environment' | 'target_dag_id' | 'target_asset_uri'>) => `${row.target_environment}/${row.target_asset_uri ?? row.target_dag_id}`

  async function readable(actor: Principal, id: string): Promise<LinksTable> {
    const row = await findLink(db, id)
    if (!row || (await decideLink(actor, 'link:read', row)).decision !== 'allow') {
      throw new ConductorError('link_not_found', `no link ${id} that you may see`, { details: { linkId: id } })
    }
    return row
  }

  async function must(actor: Principal, action: Action, row: Pick<LinksTable, 'target_environment' | 'target_dag_id' | 'target_asset_uri' | 'owner_type' | 'owner_id'>): Promise<void> {
    const decision = await decideLink(actor, action, row)
    if (decision.decision !== 'allow') {
      throw new ConductorError('policy_denied', `${actor.type} ${actor.id} may not ${action} for ${targetName(row)}: ${decision.reasons.join('; ')}`, {
        details: { action, reasons: decision.reasons, policyIds: decision.policyIds },
      })
    }
  }

  /**
   * Throws `link_owner_not_allowed` unless `owner` has access, may read the source (`dag:read` on its DAG, `asset:read`
   * on its asset's environment) and act on the target (`dag:trigger` on its DAG, `asset:post_event` on its asset's environment) now.
   */
  async function ownerMayFire(owner: LinkOwner, row: Pick<LinksTable, 'source_environment' | 'source_dag_id' | 'source_asset_uri' | 'target_environment' | 'target_dag_id' | 'target_asset_uri'>): Promise<Principal> {
    const principal = await deps.principalOf(owner)
    if (!principal) {
      throw new ConductorError('link_owner_not_allowed', `${owner.type} ${owner.id} is not a principal with access (unknown, deprovisioned or disabled)`, { details: { field: 'owner', owner } })
    }
    const questions = [
      row.source_asset_uri !== null ? ['asset:read', row.source_environment, null, row.source_asset_uri] as const : ['dag:read', row.source_environment, row.source_dag_id ?? '', null] as const,
      row.target_asset_uri !== null ? ['asset:post_event', row.target_environment, null, row.target_asset_uri] as const : ['dag:trigger', row.target_environment, row.target_dag_id ?? '', null] as const,
    ]
    for (const [action, environment, dagId, assetUri] of questions) {
      const decision = await decide(principal, action, environment, dagId, assetUri !== null ? { asset: { uri: assetUri } } : {})
      if (decision.decision !== 'allow') {
        throw new ConductorError('link_owner_not_allowed', `${owner.type} ${owner.id} may not ${action} ${environment}/${assetUri ?? dagId}: ${decision.reasons.join('; ')}`, {
          details: { field: 'owner', owner, reasons: decision.reasons },
        })
      }
    }
    return principal
  }

  const sourceOf = (row: LinksTable) => ({ environment: row.source_environment, ...(row.source_asset_uri !== null ? { assetUri: row.source_asset_uri } : { dagId: row.source_dag_id }) })
  const event = (actor: Principal | null, row: LinksTable, type: string, data: Record<string, unknown> = {}) => audit.append({
    type, principal: actor?.id ?? null, principalType: actor?.type ?? null, environment: row.target_environment, dag: row.target_dag_id,
    data: { linkId: row.id, owner: { type: row.owner_type, id: row.owner_id }, source: sourceOf(row), ...(row.target_asset_uri !== null ? { targetAssetUri: row.target_asset_uri } : {}), ...data },
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
          source: sourceOf(row), ...(row.target_asset_uri !== null ? { targetAssetUri: row.target_asset_uri } : {}),
          owner: { type: row.owner_type, id: row.owner_id }, principal: row.owner_id, principalType: row.owner_type, reason, ...detail,
        },
      })
    }
    return true
  }

  /**
   * Acts on the link's target as `principal`, as the request the firing was claimed with (made once: a request that an
   * earlier attempt recorded is answered, not made again): triggers its DAG, or posts an event for its asset; answers
   * the request and what the audit says of the result.
   */
  async function actOnTarget(principal: Principal, row: LinksTable, claimed: ClaimedFiring): Promise<{ requestId: string; action: Action; result: Record<string, unknown> }> {
    const meta = { via: 'link', tool: row.id }
    if (row.target_asset_uri !== null) {
      const assetUri = row.target_asset_uri
      const once = await makeOnce(db, claimed.requestId, () => deps.postAssetEvent(principal, row.target_environment, assetUri, claimed.filled, { ...meta, requestId: claimed.requestId }))
      const result = 'made' in once
        ? { assetUri, assetEventId: once.made.event?.id ?? null, pending: once.made.event === null }
        : { assetUri, assetEventId: null, pending: once.earlier.pending }
      return { requestId: claimed.requestId, action: 'asset:post_event', result }
    }
    const fired = await triggerOnce(deps, principal, row.target_environment, row.target_dag_id ?? '', { requestId: claimed.requestId, input: { conf: claimed.filled, note: claimed.note } }, meta)
    return { requestId: fired.requestId, action: 'dag:trigger', result: { runId: fired.runId, pending: fired.pending } }
  }

  /** Fires a claimed firing as the link's owner and settles it ({@link fireAsOwner}). */
  function fire(row: LinksTable, key: string, claimed: ClaimedFiring, recovered = false): Promise<FiringOutcome> {
    const owner = ownerOf(row)
    return fireAsOwner(deps.principalOf, {
      owner,
      settle: (outcome, requestId) => settleLinkFiring(db, row.id, key, { outcome, request_id: requestId }),
      act: (principal) => actOnTarget(principal, row, claimed),
      fired: async (done) => {
        await audit.append({
          type: 'link.fired', principal: owner.id, principalType: owner.type, environment: row.target_environment, dag: row.target_dag_id, action: done.action, requestId: done.requestId,
          data: { linkId: row.id, source: { ...sourceOf(row), ...claimed.audit }, ...done.result, ...(recovered ? { recovered: true } : {}) },
        })
      },
      suspend: async (reason, facts) => { await suspendRow(null, row, reason, { ...claimed.ref, ...facts }) },
      failed: async (error, requestId) => {
        deps.logger.warn({ err: error, link: row.id }, 'linked action failed')
        await event(null, row, 'link.fire_failed', { ...claimed.ref, requestId, error: isConductorError(error) ? error.code : 'internal' })
      },
    })
  }

  /** What happened at the link's source since its cursor, earliest first: successful runs of its DAG, or events of its asset. */
  async function sourceEvents(row: LinksTable): Promise<SourceEvent[]> {
    const source = deps.orchestrators.get(row.source_environment)
    if (!source) return []
    const assetUri = row.source_asset_uri
    if (assetUri !== null) {
      const events = await source.listAssetEvents(assetUri, { timestampGte: row.cursor, limit: 100 })
      return events.map((e) => ({
        key: e.id, at: e.timestamp,
        placeholders: { asset_uri: assetUri, event_id: e.id, timestamp: e.timestamp, environment: row.source_environment, dag_id: e.sourceDagId, run_id: e.sourceRunId },
        audit: { assetEventId: e.id, timestamp: e.timestamp, ...(e.sourceDagId ? { producedBy: { dagId: e.sourceDagId, runId: e.sourceRunId } } : {}) },
        ref: { sourceAssetEventId: e.id },
        note: `Link ${row.id}: asset ${assetUri} in ${row.source_environment} was updated at ${e.timestamp} (event ${e.id}).`,
      }))
    }
    if (row.source_dag_id === null) return []
    const runs = await source.listSucceededRuns(row.source_dag_id, { endDateGte: row.cursor, limit: 100 })
    return runs.flatMap((run) => run.endDate === null ? [] : [{
      key: run.runId, at: run.endDate,
      placeholders: { run_id: run.runId, dag_id: run.dagId, environment: row.source_environment, logical_date: run.logicalDate, end_date: run.endDate },
      audit: { runId: run.runId, endDate: run.endDate },
      ref: { sourceRunId: run.runId },
      note: `Link ${row.id}: ${row.source_environment}/${row.source_dag_id} run ${run.runId} succeeded at ${run.endDate}.`,
    }])
  }

  async function pollLink(row: LinksTable, round: FiringRound, fence?: Fence): Promise<void> {
    for (const source of await sourceEvents(row)) {
      if (fence && !fence.held()) return
      const claimed: ClaimedFiring = {
        requestId: deps.ids.next(), filled: fillTemplate(JSON.parse(row.conf_template), source.placeholders), note: source.note, ref: source.ref, audit: source.audit,
      }
      // The insert is the claim: of loops racing on this source event (replicas, restarts), only one fires it. It holds
      // the request id and what the firing asks, so the firing is made again as that one request should this replica stop.
      const firing = { link_id: row.id, event_key: source.key, event_at: source.at, request_id: claimed.requestId, input: JSON.stringify(claimed), outcome: 'claimed', at: iso() }
      if (await claimLinkFiring(db, firing)) {
        const outcome = await fire(row, source.key, claimed)
        if (outcome !== 'lost') round[outcome]++
        if (outcome === 'suspended') return
      }
      await advanceCursor(db, row.id, source.at)
    }
  }

  async function poll(fence?: Fence): Promise<FiringRound> {
    const round: FiringRound = { fired: 0, suspended: 0, failed: 0 }
    await recoverStaleClaims(deps, 'link', round, (staleBefore) => listStaleLinkClaims(db, staleBefore), async (firing) => {
      const row = await findLink(db, firing.link_id)
      const claimed = firing.input ? JSON.parse(firing.input) as ClaimedFiring : null
      if (!row || row.state !== 'active' || !claimed || claimed.requestId !== firing.request_id) {
        await settleLinkFiring(db, firing.link_id, firing.event_key, { outcome: 'abandoned', request_id: firing.request_id })
        return 'abandoned'
      }
      deps.logger.warn({ link: row.id, sourceEvent: firing.event_key, requestId: firing.request_id }, 'firing a link claim left unsettled again, as the same request')
      return fire(row, firing.event_key, claimed, true)
    }, fence)
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

  /** Checks one end of a new link: its DAG as the catalog knows it, or its asset as its (Airflow 3) environment knows it. */
  async function endpoint(side: 'source' | 'target', at: LinkEnd): Promise<{ dagId: string | null; assetUri: string | null }> {
    if (at === null || typeof at !== 'object') throw invalid(side, 'give { environment, dagId } or { environment, assetUri }')
    const env = environments.get(at.environment)
    if (!env) {
      throw new ConductorError('environment_not_found', `unknown environment "${at.environment}"`, { details: { environment: at.environment, field: `${side}.environment` } })
    }
    const hasDag = at.dagId !== undefined && at.dagId !== null
    const hasAsset = at.assetUri !== undefined && at.assetUri !== null
    if (hasDag && hasAsset) throw invalid(`${side}.assetUri`, 'give dagId or assetUri, not both')
    if (!hasDag && !hasAsset) throw invalid(side, 'give dagId or assetUri')
    if (hasDag) {
      if (typeof at.dagId !== 'string' || at.dagId === '') throw invalid(`${side}.dagId`, 'a DAG id')
      return { dagId: (await targets.dagOf(at.environment, at.dagId)).dag_id, assetUri: null }
    }
    const uri = at.assetUri
    if (typeof uri !== 'string' || uri.trim() === '' || uri.length > MAX_ASSET_URI || uri !== uri.trim()) throw invalid(`${side}.assetUri`, `an asset URI (1–${MAX_ASSET_URI} characters, no surrounding spaces)`)
    if (env.kind !== 'airflow3') {
      throw new ConductorError('assets_not_supported', `environment "${env.name}" runs Airflow 2, which has no assets: a link's ${side} asset needs an Airflow 3 environment`, {
        details: { environment: env.name, field: `${side}.environment` },
      })
    }
    const orchestrator = deps.orchestrators.get(at.environment)
    try {
      // Asks Airflow whether the asset is there (a typo would otherwise never fire, or fail at each firing).
      await orchestrator?.listAssetEvents(uri, { timestampGte: iso(), limit: 1 })
    } catch (error) {
      if (isConductorError(error, 'asset_not_found')) throw new ConductorError('asset_not_found', error.message, { details: { ...error.details, field: `${side}.assetUri` }, cause: error })
      throw error
    }
    return { dagId: null, assetUri: uri }
  }

  return {
    async create(actor, input) {
      const owner: LinkOwner = input.owner ?? { type: actor.type, id: actor.id }
      if (!OWNER_TYPES.has(owner.type) || typeof owner.id !== 'string' || owner.id === '') throw invalid('owner', 'owner is { type: User|ServiceAccount|Agent, id }')
      if (input.source === undefined) throw invalid('source', 'give { environment, dagId } or { environment, assetUri }')
      if (input.target === undefined) throw invalid('target', 'give { environment, dagId } or { environment, assetUri }')
      const assetSource = input.source?.assetUri !== undefined && input.source.assetUri !== null
      const confTemplate = checkTemplate(input.confTemplate ?? {}, deps.maxConfBytes, assetSource)
      const source = await endpoint('source', input.source)
      const target = await endpoint('target', input.target)
      if (input.source.environment === input.target.environment && source.dagId !== null && source.dagId === target.dagId) throw invalid('target', 'a link may not trigger its own source DAG')
      if (input.source.environment === input.target.environment && source.assetUri !== null && source.assetUri === target.assetUri) throw invalid('target', 'a link may not update its own source asset')
      const now = iso()
      const row: LinksTable = {
        id: deps.ids.next(), owner_type: owner.type, owner_id: owner.id, source_environment: input.source.environment, source_dag_id: source.dagId, source_asset_uri: source.assetUri,
        target_environment: input.target.environment, target_dag_id: target.dagId, target_asset_uri: target.assetUri, conf_template: JSON.stringify(confTemplate),
        description: input.description ?? null, state: 'active', suspended_reason: null, cursor: now, created_by: `${actor.type} ${actor.id}`, created_at: now, updated_at: now,
      }
      await must(actor, 'link:create', row)
      await ownerMayFire(owner, row)
      await insertLink(db, row)
      await event(actor, row, 'link.created', { confTemplate })
      return view(row)
    },

    async list(actor) {
      const out: LinkView[] = []
      for (const row of await listLinks(db)) {
        if ((await decideLink(actor, 'link:read', row)).decision === 'allow') out.push(await view(row))
      }
      return out
    },

    async get(actor, id) {
      return view(await readable(actor, id))
    },

    async update(actor, id, patch) {
      const row = await readable(actor, id)
      await must(actor, 'link:manage', row)
      const changes: Partial<LinksTable> = {}
      if (patch.confTemplate !== undefined) changes.conf_template = JSON.stringify(checkTemplate(patch.confTemplate, deps.maxConfBytes, row.source_asset_uri !== null))
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
      await must(actor, 'link:manage', row)
      await suspendRow(actor, row, 'suspended_by_user')
      return view((await findLink(db, id))!)
    },

    async resume(actor, id) {
      const row = await readable(actor, id)
      await must(actor, 'link:manage', row)
      if (row.state === 'active') return view(row)
      await ownerMayFire(ownerOf(row), row)
      const now = iso()
      // Source runs that ended (asset events that happened) while suspended are not made up: the link goes on from now.
      await updateLink(db, id, { state: 'active', suspended_reason: null, cursor: now, updated_at: now }, { state: 'suspended' })
      const next = (await findLink(db, id))!
      await event(actor, next, 'link.resumed', { previousReason: row.suspended_reason })
      return view(next)
    },

    async delete(actor, id) {
      const row = await readable(actor, id)
      await must(actor, 'link:manage', row)
      if (await deleteLink(db, id)) await event(actor, row, 'link.deleted')
      return view(row)
    },

    async firings(actor, id, limit = 50) {
      const row = await readable(actor, id)
      return (await listLinkFirings(db, row.id, limit)).map(firingView(row))
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

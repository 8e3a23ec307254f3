import { randomUUID } from 'node:crypto'
import { ConductorError, isConductorError, systemClock, type Clock } from '../core/index.ts'
import { cedar, type CedarValueJson, type EntityJson, type PolicyJson } from './cedar.ts'
import { mergeApprovals, readApproval, type PolicyApproval } from './approval-annotations.ts'
import { groupsNamed } from './policy-groups.ts'
import { compilePolicies, readConductorSchema, readPolicyFolder, type CompiledPolicy, type PolicySource } from './policy-source.ts'
import { decisionInputsOf, decisionKey, decisionPeriod, fromCache, noPermitReason, type CachedDecision } from './decision-cache.ts'
import { buildScopeIndex, type ScopeEntity, type ScopeIndex } from './scope-index.ts'
import { askedObjects } from './asked-objects.ts'
import { lineageValue, NO_LINEAGE, requestLineage, type DagLineage, type LineageSource } from './lineage-context.ts'
import {
  ACTION_TARGETS, ACTIONS, ENVIRONMENT_FALLBACK_ACTIONS, GROUP_RESOURCE_ACTIONS, type AuthorizationRequest, type Decision, type DecisionCacheStats, type DecisionInputs, type PolicyEngine, type PolicyErrorLocation,
  type PolicyInfo, type PolicySetInfo, type ReloadResult,
} from './types.ts'

/** Options of {@link createPolicyEngine}. */
export interface PolicyEngineOptions {
  /** Folder of `*.cedar` files (not recursive). */
  folder: string
  /**
   * The policy files themselves, instead of reading `folder` (a proposed set, for impact checks); a reload reads them
   * again, unchanged. `folder` then only names the set in messages.
   */
  sources?: readonly PolicySource[]
  /** Where `context.now` comes from; defaults to the system clock. */
  clock?: Clock
  /**
   * Evaluate only the policies whose scope can match the request (default `true`). `false` evaluates the whole set
   * on every request; the decisions are the same, only slower with many policies.
   */
  slicing?: boolean
  /** How many distinct pre-parsed policy slices to keep (least recently used are dropped); default 2048. */
  sliceCacheSize?: number
  /**
   * How many decisions to remember per policy version (least recently used are dropped); default 50,000; 0 turns the
   * decision cache off. A decision is remembered by what it can depend on (see {@link DecisionInputs}).
   */
  decisionCacheSize?: number
  /**
   * What each DAG is known to write (`context.lineage` of `dag:trigger` and `dag:rerun`); without it, a request's own
   * `context.lineage` is used (policy test cases), else nothing is known.
   */
  lineage?: LineageSource
}

/** Counters of the slice cache, for benchmarks and diagnostics. */
export interface PolicyEngineStats {
  sliceCacheHits: number
  sliceCacheMisses: number
  sliceCacheEntries: number
  emptySlices: number
}

interface LoadedSet {
  info: PolicySetInfo
  policies: CompiledPolicy[]
  /** The groups the policies name, computed once per set. */
  groups: string[]
  namedGroups: ReadonlySet<string>
  /** The `@approval` requirement of each permit that carries one, by policy id. */
  approvals: Map<string, PolicyApproval>
  /** The permits whose action scope names `request:auto_approve` itself (not every action). */
  autoApprovers: Set<string>
  index: ScopeIndex
  inputs: DecisionInputs
  /** Decision key → decision (reasons kept without the resource's label when `labelled`); least recently used first. */
  decisions: Map<string, CachedDecision>
  /** Slice key → id of its pre-parsed policy set in the wasm module; Map order is least recently used first. */
  slices: Map<string, string>
  fullSetId: string | null
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const
const APPLICATION = { type: 'Conductor', id: 'conductor' } as const

/**
 * Loads every `*.cedar` file of `options.folder`, validates it against the Conductor schema (strict) and returns an
 * engine deciding requests with it. Throws `policy_invalid` with details `{ file, line, column, message }` when a file
 * does not parse or validate, or when two policies share an `@id`.
 */
export async function createPolicyEngine(options: PolicyEngineOptions): Promise<PolicyEngine & { stats(): PolicyEngineStats }> {
  const clock = options.clock ?? systemClock
  const slicing = options.slicing ?? true
  const capacity = Math.max(1, options.sliceCacheSize ?? 2048)
  const decisionCapacity = Math.max(0, options.decisionCacheSize ?? 50_000)
  const cacheCounts = { hits: 0, misses: 0 }
  const schema = await readConductorSchema()
  // Pre-parsed sets live in the wasm module's memory under a name; slot names are reused so memory stays bounded.
  const prefix = `conductor-policy-${randomUUID()}`
  const freeSlots: string[] = []
  let slotCount = 0
  const stats = { sliceCacheHits: 0, sliceCacheMisses: 0, emptySlices: 0 }
  let closed = false

  const load = async (version: number): Promise<LoadedSet> => {
    const sources = options.sources ? [...options.sources] : await readPolicyFolder(options.folder)
    const compiled = compilePolicies(sources, schema)
    const groups = groupsNamed(compiled.policies.map((p) => p.json))
    const set: LoadedSet = {
      info: {
        version,
        hash: compiled.hash,
        loadedAt: new Date(clock.now()).toISOString(),
        policyCount: compiled.policies.length,
        files: compiled.files,
      },
      policies: compiled.policies,
      groups,
      namedGroups: new Set(groups),
      approvals: approvalsOf(compiled.policies, new Set(groups)),
      autoApprovers: new Set(compiled.policies.filter((p) => namesAction(p.json, 'request:auto_approve')).map((p) => p.id)),
      index: buildScopeIndex(compiled.policies.map((p) => p.json)),
      inputs: decisionInputsOf(version, compiled.policies.map((p) => p.text)),
      decisions: new Map(),
      slices: new Map(),
      fullSetId: null,
    }
    if (!slicing) {
      set.fullSetId = `${prefix}-full`
      preparse(set.fullSetId, compiled.policies)
    }
    return set
  }

  let current = await load(1)
  let reloading: Promise<ReloadResult> = Promise.resolve({ ok: true, version: 1, changed: false })

  const sliceSetId = (set: LoadedSet, key: string, collect: () => number[]): string => {
    const hit = set.slices.get(key)
    if (hit !== undefined) {
      stats.sliceCacheHits++
      set.slices.delete(key)
      set.slices.set(key, hit)
      return hit
    }
    stats.sliceCacheMisses++
    let slot: string
    if (set.slices.size >= capacity) {
      const [oldestKey, oldestSlot] = set.slices.entries().next().value as [string, string]
      set.slices.delete(oldestKey)
      slot = oldestSlot
    } else {
      slot = freeSlots.pop() ?? `${prefix}-${slotCount++}`
    }
    preparse(slot, collect().map((i) => set.policies[i]!))
    set.slices.set(key, slot)
    return slot
  }

  /** Asks Cedar (on the request's slice of the policies), without the decision cache. */
  const decide = (set: LoadedSet, request: AuthorizationRequest, lineage: DagLineage | null): Decision => {
    const built = buildCall(request, clock, lineage)
    const version = set.info.version
    let setId: string
    if (set.fullSetId !== null) {
      setId = set.fullSetId
    } else {
      const slice = set.index.slice(request.action, built.principalScope, built.resourceScope)
      if (slice.key === '') {
        stats.emptySlices++
        return { decision: 'deny', policyIds: [], reasons: [noPermitReason(request.action, built.label)], errors: [], policyVersion: version, approval: null }
      }
      setId = sliceSetId(set, slice.key, slice.collect)
    }
    const answer = cedar.statefulIsAuthorized({ ...built.call, preparsedPolicySetId: setId })
    if (answer.type === 'failure') {
      return {
        decision: 'deny',
        policyIds: [],
        reasons: [`denied: the request could not be evaluated`],
        errors: answer.errors.map((e) => e.message),
        policyVersion: version,
        approval: null,
      }
    }
    const { decision, diagnostics } = answer.response
    const policyIds = [...diagnostics.reason].sort()
    const errors = [...diagnostics.errors]
      .sort((a, b) => (a.policyId < b.policyId ? -1 : a.policyId > b.policyId ? 1 : 0))
      .map((e) => `policy ${e.policyId}: ${e.error.message}`)
    const reasons = decision === 'allow'
      ? policyIds.map((id) => `allowed by policy ${id}`)
      : policyIds.length > 0
        ? policyIds.map((id) => `denied by forbid policy ${id}`)
        : [noPermitReason(request.action, built.label)]
    if (decision === 'allow' && request.action === 'request:auto_approve' && policyIds.some((id) => !set.autoApprovers.has(id))) {
      // A permit for every action must not approve requests by accident: auto-approval rules name their action.
      return { decision: 'deny', policyIds: [], reasons: [`denied: only policies that name request:auto_approve auto-approve`], errors, policyVersion: version, approval: null }
    }
    const approval = decision === 'allow' ? mergeApprovals(policyIds, set.approvals) : null
    return { decision, policyIds, reasons, errors, policyVersion: version, approval }
  }

  const engine = {
    authorize(request: AuthorizationRequest): Decision {
      if (closed) throw new ConductorError('internal', 'the policy engine is closed')
      const set = current
      const version = set.info.version
      const lineage = requestLineage(request, options.lineage)
      const outside = outsideScope(request)
      if (outside !== null) {
        buildCall(request, clock, lineage)
        return { decision: 'deny', policyIds: [], reasons: [outside], errors: [], policyVersion: version, approval: null }
      }
      const key = decisionCapacity > 0 ? decisionKey(request, set.inputs, set.namedGroups, clock, lineage?.key ?? null) : null
      if (key !== null) {
        const hit = set.decisions.get(key.key)
        if (hit !== undefined) {
          cacheCounts.hits++
          set.decisions.delete(key.key)
          set.decisions.set(key.key, hit)
          return fromCache(hit, request.action, key.label)
        }
        cacheCounts.misses++
      }
      const decided = decide(set, request, lineage)
      if (key !== null && decided.errors.length === 0) {
        if (set.decisions.size >= decisionCapacity) set.decisions.delete(set.decisions.keys().next().value as string)
        const labelled = decided.decision === 'deny' && decided.policyIds.length === 0 && decided.reasons.length === 1 && decided.reasons[0] === noPermitReason(request.action, key.label)
        set.decisions.set(key.key, { decision: decided, labelled })
        return fromCache(set.decisions.get(key.key)!, request.action, key.label)
      }
      return decided
    },

    reload(): Promise<ReloadResult> {
      reloading = reloading.then(async (): Promise<ReloadResult> => {
        const old = current
        let next: LoadedSet
        try {
          next = await load(old.info.version + 1)
        } catch (error) {
          return { ok: false, error: errorLocation(error) }
        }
        if (next.info.hash === old.info.hash) {
          return { ok: true, version: old.info.version, changed: false }
        }
        // The new set starts with an empty slice cache; the old set's slots are overwritten as they are reused.
        freeSlots.push(...old.slices.values())
        current = next
        return { ok: true, version: next.info.version, changed: true }
      })
      return reloading
    },

    current(): PolicySetInfo {
      return { ...current.info, files: [...current.info.files] }
    },

    policies(): PolicyInfo[] {
      return current.policies.map(({ id, file, line, effect, text }) => ({ id, file, line, effect, text }))
    },

    groupsNamed(): string[] {
      return [...current.groups]
    },

    close(): void {
      if (closed) return
      closed = true
      const names = new Set([...freeSlots, ...current.slices.values()])
      if (current.fullSetId !== null) names.add(current.fullSetId)
      for (const name of names) cedar.preparsePolicySet(name, { staticPolicies: {} })
      current.slices.clear()
      freeSlots.length = 0
    },

    stats(): PolicyEngineStats {
      return { ...stats, sliceCacheEntries: current.slices.size }
    },

    cacheStats(): DecisionCacheStats {
      return { ...cacheCounts, entries: current.decisions.size }
    },

    decisionInputs(): DecisionInputs {
      return { ...current.inputs, period: decisionPeriod(current.inputs.time, clock) }
    },

    lineage(environment: string, dagId: string): DagLineage {
      return options.lineage?.of(environment, dagId) ?? NO_LINEAGE
    },
  }
  return engine
}

function approvalsOf(policies: CompiledPolicy[], groups: ReadonlySet<string>): Map<string, PolicyApproval> {
  const out = new Map<string, PolicyApproval>()
  for (const policy of policies) {
    const approval = readApproval(policy, groups)
    if (approval !== null) out.set(policy.id, approval)
  }
  return out
}

function namesAction(policy: PolicyJson, action: string): boolean {
  const scope = policy.action as { op: string; entity?: { type: string; id: string }; entities?: { type: string; id: string }[] }
  if (scope.op === '==') return scope.entity?.id === action
  if (scope.op === 'in') return (scope.entities ?? (scope.entity ? [scope.entity] : [])).some((e) => e.id === action)
  return false
}

function preparse(name: string, policies: CompiledPolicy[]): void {
  const staticPolicies: Record<string, PolicyJson> = {}
  for (const p of policies) staticPolicies[p.id] = p.json
  const answer = cedar.preparsePolicySet(name, { staticPolicies })
  if (answer.type === 'failure') {
    throw new ConductorError('policy_evaluation_failed', `cedar refused a validated policy set: ${answer.errors.map((e) => e.message).join('; ')}`)
  }
}

function errorLocation(error: unknown): PolicyErrorLocation {
  if (isConductorError(error) && error.details !== undefined && typeof error.details.file === 'string') {
    const d = error.details
    return { file: d.file as string, line: Number(d.line ?? 0), column: Number(d.column ?? 0), message: String(d.message ?? error.message) }
  }
  return { file: '', line: 0, column: 0, message: error instanceof Error ? error.message : String(error) }
}

/**
 * Why a request falls outside its principal's credential scope (the reason of the deny), or null when it is inside.
 * Application and group actions are checked on the actions axis only.
 */
function outsideScope(request: AuthorizationRequest): string | null {
  const scope = request.principal.scope
  if (scope === undefined) return null
  if (scope.actions !== null && !scope.actions.includes(request.action)) {
    return `denied: outside the credential's scope (actions ${scope.actions.length === 0 ? 'none' : scope.actions.join(', ')})`
  }
  const target = ACTION_TARGETS[request.action]
  const env = request.resource?.environment?.name
  if (scope.environments !== null && (target === 'dag' || target === 'environment') && request.group === undefined && !scope.environments.includes(env ?? '')) {
    return `denied: outside the credential's scope (environments ${scope.environments.length === 0 ? 'none' : scope.environments.join(', ')})`
  }
  return null
}

interface BuiltCall {
  call: Omit<Parameters<typeof cedar.statefulIsAuthorized>[0], 'preparsedPolicySetId'>
  principalScope: ScopeEntity
  resourceScope: ScopeEntity
  label: string
}

/** Turns a request into Cedar's request and entities (the Conductor schema's shapes), plus what the scope index needs. */
function buildCall(request: AuthorizationRequest, clock: Clock, lineage: DagLineage | null): BuiltCall {
  const { principal, action } = request
  if (!(ACTIONS as readonly string[]).includes(action)) {
    throw new ConductorError('invalid_input', `unknown action "${String(action)}"`, { details: { field: 'action' } })
  }
  if ((principal.type !== 'User' && principal.type !== 'ServiceAccount' && principal.type !== 'Agent') || typeof principal.id !== 'string' || principal.id === '') {
    throw new ConductorError('invalid_input', 'the principal needs a type (User, ServiceAccount or Agent) and an id', { details: { field: 'principal' } })
  }
  const groups = [...new Set(principal.groups ?? [])]
  const attrs = principal.attributes ?? {}
  const principalAttrs: Record<string, string> = { username: typeof attrs.username === 'string' ? attrs.username : principal.id }
  if (principal.type === 'Agent') {
    // The schema declares sponsor (required) and no email on agents.
    principalAttrs.sponsor = typeof attrs.sponsor === 'string' ? attrs.sponsor : ''
  } else if (typeof attrs.email === 'string') {
    principalAttrs.email = attrs.email
  }
  const principalUid = { type: principal.type, id: principal.id }
  const entities: EntityJson[] = [
    // Group entities carry nothing, so only the principal's parent links are sent: `in Group::"g"` needs no more.
    { uid: principalUid, attrs: principalAttrs, parents: groups.map((g) => ({ type: 'Group', id: g })) },
  ]
  const principalScope: ScopeEntity = { ...principalUid, ancestors: groups.map((g) => ({ type: 'Group', id: g })) }

  const target = ACTION_TARGETS[action]
  let resourceUid: { type: string; id: string }
  let resourceScope: ScopeEntity
  let label: string
  if (target === 'group' || (request.group !== undefined && GROUP_RESOURCE_ACTIONS.has(action))) {
    if (typeof request.group !== 'string' || request.group === '') {
      throw new ConductorError('invalid_input', `${action} needs a group`, { details: { field: 'group' } })
    }
    resourceUid = { type: 'Group', id: request.group }
    resourceScope = { ...resourceUid, ancestors: [] }
    label = `group ${request.group}`
  } else if (target === 'application') {
    resourceUid = APPLICATION
    resourceScope = { ...APPLICATION, ancestors: [] }
    label = 'conductor'
  } else {
    const env = request.resource?.environment
    if (env === undefined || typeof env.name !== 'string' || env.name === '') {
      throw new ConductorError('invalid_input', `${action} needs resource.environment`, { details: { field: 'resource.environment' } })
    }
    const envUid = { type: 'Environment', id: env.name }
    const envAttrs: Record<string, CedarValueJson> = { name: env.name, zone: env.zone, tier: env.tier, fullyGoverned: env.fullyGoverned === true }
    if (typeof env.team === 'string') envAttrs.team = env.team
    entities.push({ uid: envUid, attrs: envAttrs, parents: [] })
    if (target === 'environment' || (request.resource?.dag === undefined && ENVIRONMENT_FALLBACK_ACTIONS.has(action))) {
      resourceUid = envUid
      resourceScope = { ...envUid, ancestors: [] }
      label = `environment ${env.name}`
    } else {
      const dag = request.resource?.dag
      if (dag === undefined || typeof dag.dagId !== 'string' || dag.dagId === '') {
        throw new ConductorError('invalid_input', `${action} needs resource.dag`, { details: { field: 'resource.dag' } })
      }
      resourceUid = { type: 'Dag', id: `${env.name}/${dag.dagId}` }
      entities.push({
        uid: resourceUid,
        attrs: {
          dagId: dag.dagId,
          environment: { __entity: envUid },
          tags: [...new Set(dag.tags)],
          owners: [...new Set(dag.owners)],
          paused: dag.paused === true,
          ...(typeof dag.team === 'string' ? { team: dag.team } : {}),
          ...(Array.isArray(dag.allowedRunTypes) ? { allowedRunTypes: [...new Set(dag.allowedRunTypes)] } : {}),
        },
        parents: [envUid],
      })
      resourceScope = { ...resourceUid, ancestors: [envUid] }
      label = resourceUid.id
    }
  }

  const ms = clock.now()
  const date = new Date(ms)
  const conf = request.context?.conf
  const confKeys = conf !== undefined && conf !== null && typeof conf === 'object' ? Object.keys(conf).sort() : []
  const context: Record<string, CedarValueJson> = {
    now: { epochSeconds: Math.floor(ms / 1000), hourUtc: date.getUTCHours(), dayOfWeekUtc: DAYS[date.getUTCDay()]! },
    confKeys,
    hasConf: confKeys.length > 0,
  }
  if (typeof request.context?.reason === 'string') context.reason = request.context.reason
  const pending = request.context?.request
  if (pending !== undefined) {
    context.request = { ...pending, principalGroups: [...new Set(pending.principalGroups)] }
  }
  Object.assign(context, askedObjects(request.context))
  // Always there for the actions that run a DAG (empty sets when nothing is known): a forbid reading it never errors.
  if (lineage !== null) context.lineage = lineageValue(lineage)
  return {
    call: { principal: principalUid, action: { type: 'Action', id: action }, resource: resourceUid, context, entities },
    principalScope,
    resourceScope,
    label,
  }
}

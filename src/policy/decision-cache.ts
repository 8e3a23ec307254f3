import type { Clock } from '../core/index.ts'
import { ACTION_TARGETS, ENVIRONMENT_FALLBACK_ACTIONS, GROUP_RESOURCE_ACTIONS, type AuthorizationRequest, type Decision, type DecisionInputs } from './types.ts'

/** A remembered decision. */
export interface CachedDecision {
  decision: Decision
  /** The decision is the default deny, whose reason names the resource: rebuilt with each request's label. */
  labelled: boolean
}

/** The reason of the default deny: no permit applies to `action` on the resource labelled `label`. */
export function noPermitReason(action: string, label: string): string {
  return `denied: no policy permits ${action} on ${label}`
}

/** A remembered decision as the answer to a request on the resource labelled `label`. */
export function fromCache(cached: CachedDecision, action: string, label: string): Decision {
  const d = cached.decision
  return {
    decision: d.decision,
    policyIds: [...d.policyIds],
    reasons: cached.labelled ? [noPermitReason(action, label)] : [...d.reasons],
    errors: [],
    policyVersion: d.policyVersion,
    approval: d.approval === null ? null : structuredClone(d.approval),
  }
}

// Every mention of `principal` other than these scope forms (membership of groups, entity type) may tell two
// principals with the same groups apart; so may naming a principal entity anywhere.
const PRINCIPAL_MENTION = /\bprincipal\b/g
// `principal in [Group::"a", Group::"b"]` looks at groups only: a `User::…` in such a list is caught by PRINCIPAL_ENTITY.
const PRINCIPAL_BY_GROUPS = /^principal\s*(?:[,)]|is\s+\w+\s*(?:[,)]|in\s+\[?\s*Group\s*::)|in\s+(?:\[\s*)?(?:Group\s*::|context\.serviceAccount\.ownerGroup\b))/
const PRINCIPAL_ENTITY = /\b(?:User|ServiceAccount|Agent)\s*::/
const DAG_IDENTITY = /dagId|\bDag\s*::/
const TIME = /\bnow\b/g
const HOURLY = /^now\s*\.\s*(?:hourUtc|dayOfWeekUtc)\b/

/** What the policies (their source text) can look at, conservatively. */
export function decisionInputsOf(version: number, texts: readonly string[]): DecisionInputs {
  let principalIdentity = false
  let dagIdentity = false
  let time: DecisionInputs['time'] = null
  for (const text of texts) {
    if (!principalIdentity) {
      principalIdentity = PRINCIPAL_ENTITY.test(text)
      for (const m of text.matchAll(PRINCIPAL_MENTION)) {
        if (principalIdentity) break
        if (!PRINCIPAL_BY_GROUPS.test(text.slice(m.index))) principalIdentity = true
      }
    }
    dagIdentity ||= DAG_IDENTITY.test(text)
    for (const m of text.matchAll(TIME)) {
      // The hour and the weekday change only on the hour; anything else about the time may change every second.
      if (time !== 'second') time = HOURLY.test(text.slice(m.index)) ? 'hour' : 'second'
    }
  }
  return { version, principalIdentity, dagIdentity, time, period: null }
}

/** The hour or second number, by `clock`, that a decision asked now holds for under `time`; null when no policy reads the time. */
export function decisionPeriod(time: DecisionInputs['time'], clock: Clock): number | null {
  return time === null ? null : Math.floor(clock.now() / (time === 'hour' ? 3_600_000 : 1000))
}

/**
 * The decision cache's key of a request (everything its decision can depend on under `inputs`, and `lineage`, the key
 * of the DAG's known writes) and the resource's label; null when the request is malformed (it is then decided, and refused, the long way).
 */
export function decisionKey(
  request: AuthorizationRequest, inputs: DecisionInputs, named: ReadonlySet<string>, clock: Clock, lineage: string | null = null,
): { key: string; label: string } | null {
  const { principal, action } = request
  const target = ACTION_TARGETS[action]
  if (target === undefined || typeof principal?.id !== 'string' || principal.id === '') return null
  const attrs = principal.attributes ?? {}
  const who = inputs.principalIdentity
    ? [principal.type, principal.id, attrs.username ?? null, attrs.email ?? null, attrs.sponsor ?? null]
    : [principal.type]
  // Only groups that are entities somewhere in the request or a policy can matter: membership is all Cedar sees of them.
  const owner = request.context?.serviceAccount?.owner
  const groups = principal.groups === undefined
    ? []
    : [...new Set(principal.groups)].filter((g) => named.has(g) || g === request.group || (owner?.type === 'Group' && g === owner.id)).sort()
  let what: unknown[]
  let label: string
  if (target === 'group' || (request.group !== undefined && GROUP_RESOURCE_ACTIONS.has(action))) {
    if (typeof request.group !== 'string') return null
    what = ['g', request.group]
    label = `group ${request.group}`
  } else if (target === 'application') {
    what = ['a']
    label = 'conductor'
  } else {
    const env = request.resource?.environment
    if (env === undefined || typeof env.name !== 'string') return null
    const envKey = [env.name, env.zone, env.tier, env.fullyGoverned === true, typeof env.team === 'string' ? env.team : null]
    if (target === 'environment' || (request.resource?.dag === undefined && ENVIRONMENT_FALLBACK_ACTIONS.has(action))) {
      what = ['e', envKey]
      label = `environment ${env.name}`
    } else {
      const dag = request.resource?.dag
      if (dag === undefined || typeof dag.dagId !== 'string' || dag.dagId === '' || !Array.isArray(dag.tags) || !Array.isArray(dag.owners)) return null
      what = ['d', envKey, inputs.dagIdentity ? dag.dagId : null, [...new Set(dag.tags)].sort(), [...new Set(dag.owners)].sort(), dag.paused === true,
        typeof dag.team === 'string' ? dag.team : null, Array.isArray(dag.allowedRunTypes) ? [...new Set(dag.allowedRunTypes)].sort() : null]
      label = `${env.name}/${dag.dagId}`
    }
  }
  const context = request.context
  let ctx: unknown = null
  if (context !== undefined) {
    const conf = context.conf
    ctx = { ...context, conf: conf !== undefined && conf !== null && typeof conf === 'object' ? Object.keys(conf).sort() : [] }
  }
  // `lineage`: the key of what the DAG is known to write (`context.lineage`), so a new write is never answered from before it.
  return { key: JSON.stringify([action, who, groups, what, ctx, decisionPeriod(inputs.time, clock), lineage]), label }
}


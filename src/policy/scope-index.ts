import type { EntityUidJson, PolicyJson } from './cedar.ts'
import { ACTIONS, type Action } from './types.ts'

/** An entity as the scope index sees it: its uid and every entity it is `in` (itself excluded). */
export interface ScopeEntity {
  type: string
  id: string
  ancestors: { type: string; id: string }[]
}

/**
 * Policies grouped by what their scope can match: per action, per principal-scope key, per resource-scope key.
 * A policy whose scope cannot match a request is never satisfied and never errors (Cedar evaluates the scope
 * before the conditions, with `&&` short-circuit), so deciding on the slice equals deciding on the whole set.
 */
export interface ScopeIndex {
  /**
   * The slice of policies whose scope can match: `key` names it (equal keys, equal slices) and `collect()` lists the
   * indexes (into the policy list) of its policies, ascending.
   */
  slice(action: Action, principal: ScopeEntity, resource: ScopeEntity): { key: string; collect(): number[] }
  /** Number of non-empty buckets, for diagnostics. */
  readonly bucketCount: number
}

interface Bucket {
  id: number
  policies: number[]
}

function uidKey(uid: EntityUidJson): string {
  const u = '__entity' in uid ? uid.__entity : uid
  return `${u.type}::${JSON.stringify(u.id)}`
}

type Scope = PolicyJson['principal'] | PolicyJson['resource']

function scopeKey(scope: Scope): string {
  switch (scope.op) {
    case 'All': return '*'
    case '==': return 'entity' in scope ? `=${uidKey(scope.entity)}` : `?${scope.slot}`
    case 'in': return 'entity' in scope ? `in ${uidKey(scope.entity)}` : `?${scope.slot}`
    case 'is': {
      if (scope.in === undefined) return `is ${scope.entity_type}`
      return 'entity' in scope.in ? `is ${scope.entity_type} in ${uidKey(scope.in.entity)}` : `?${scope.in.slot}`
    }
  }
}

/** Every scope key that matches `e`: `*`, `== e`, `in x` and `is T in x` for x in e and its ancestors, `is T`. */
function candidateKeys(e: ScopeEntity): string[] {
  const self = uidKey(e)
  const within = [self, ...e.ancestors.map(uidKey)]
  return [...new Set(['*', `=${self}`, `is ${e.type}`, ...within.map((k) => `in ${k}`), ...within.map((k) => `is ${e.type} in ${k}`)])]
}

function actionsOf(policy: PolicyJson): Action[] {
  const c = policy.action
  if (c.op === 'All') return [...ACTIONS]
  const uids = c.op === '==' ? ('entity' in c ? [c.entity] : []) : 'entity' in c ? [c.entity] : c.entities
  // No action groups exist in the schema, so `action in [..]` lists exactly the actions it covers.
  return uids.map((u) => ('__entity' in u ? u.__entity.id : u.id) as Action).filter((a) => (ACTIONS as readonly string[]).includes(a))
}

/** Builds the scope index of `policies` (their Cedar JSON form, in load order). */
export function buildScopeIndex(policies: PolicyJson[]): ScopeIndex {
  const byAction = new Map<Action, Map<string, Map<string, Bucket>>>()
  let next = 0
  policies.forEach((policy, index) => {
    const p = scopeKey(policy.principal)
    const r = scopeKey(policy.resource)
    for (const action of new Set(actionsOf(policy))) {
      let byPrincipal = byAction.get(action)
      if (byPrincipal === undefined) byAction.set(action, (byPrincipal = new Map()))
      let byResource = byPrincipal.get(p)
      if (byResource === undefined) byPrincipal.set(p, (byResource = new Map()))
      let bucket = byResource.get(r)
      if (bucket === undefined) byResource.set(r, (bucket = { id: next++, policies: [] }))
      bucket.policies.push(index)
    }
  })
  return {
    bucketCount: next,
    slice(action, principal, resource) {
      const byPrincipal = byAction.get(action)
      if (byPrincipal === undefined) return { key: '', collect: () => [] }
      const buckets: Bucket[] = []
      const resourceKeys = candidateKeys(resource)
      for (const pk of candidateKeys(principal)) {
        const byResource = byPrincipal.get(pk)
        if (byResource === undefined) continue
        for (const rk of resourceKeys) {
          const bucket = byResource.get(rk)
          if (bucket !== undefined) buckets.push(bucket)
        }
      }
      buckets.sort((a, b) => a.id - b.id)
      return {
        key: buckets.map((b) => b.id).join(','),
        collect: () => [...new Set(buckets.flatMap((b) => b.policies))].sort((a, b) => a - b),
      }
    },
  }
}

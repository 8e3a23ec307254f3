import type { Logger } from 'pino'
import { createPollTimer } from '../../core/index.ts'
import type { AuthorizationRequest, Decision, PolicyEngine } from '../../policy/index.ts'
import type { ReviewDb } from './reviews.repository.ts'

/** One open finding as the index holds it: who, what, where, and the reason a suspended decision gives. */
export interface Suspension {
  id: string
  itemId: string
  principalType: string
  principalId: string
  action: string
  environment: string | null
  dagIds: string[] | null
  reason: string
}

/** The suspensions of access reviews, honoured by every policy decision on this replica. */
export interface Suspensions {
  /** The engine whose allows a suspension turns into denies; everything else is `policy`'s. */
  wrap<P extends Pick<PolicyEngine, 'authorize'>>(policy: P): P
  /** Honoured at once on this replica (a revoke just written). */
  add(suspension: Suspension): void
  /** Lifted at once on this replica (a finding just resolved). */
  remove(id: string): void
  /** Re-reads the open findings from the database (what other replicas wrote). */
  refresh(): Promise<void>
  /** Refreshes every `intervalMs` (0: never). */
  start(intervalMs: number): void
  stop(): void
}

const key = (type: string, id: string, action: string) => `${type}\0${id}\0${action}`

/** Whether `s` covers the request's target: Conductor-level, the environment, or one of its DAGs. */
function covers(s: Suspension, request: AuthorizationRequest): boolean {
  if (s.environment === null) return true
  const resource = request.resource
  if (resource?.environment.name !== s.environment) return false
  if (s.dagIds === null) return true
  // A DAG action asked without a DAG (an environment-wide question) is suspended when any of the DAGs is.
  return resource.dag === undefined || s.dagIds.includes(resource.dag.dagId)
}

/** Creates the index of open findings over the review tables. */
export function createSuspensions(deps: { db: ReviewDb; logger: Pick<Logger, 'warn'> }): Suspensions {
  let index = new Map<string, Suspension[]>()
  // Changes made on this replica while a refresh reads: laid over what it read (it may have read before they were written).
  let during: { add?: Suspension; remove?: string }[] | null = null
  const put = (into: Map<string, Suspension[]>, s: Suspension) => {
    const k = key(s.principalType, s.principalId, s.action)
    into.set(k, [...(into.get(k) ?? []).filter((x) => x.id !== s.id), s])
  }
  const self: Suspensions = {
    wrap(policy) {
      const wrapped = Object.create(policy) as typeof policy
      wrapped.authorize = (request) => {
        const decision: Decision = policy.authorize(request)
        if (decision.decision !== 'allow' || index.size === 0) return decision
        const found = index.get(key(request.principal.type, request.principal.id, request.action))?.find((s) => covers(s, request))
        if (!found) return decision
        return { ...decision, decision: 'deny', policyIds: [`access-review:${found.itemId}`], reasons: [found.reason], approval: null }
      }
      return wrapped
    },
    add(s) {
      put(index, s)
      during?.push({ add: s })
    },
    remove(id) {
      during?.push({ remove: id })
      for (const [k, list] of index) {
        const rest = list.filter((s) => s.id !== id)
        if (rest.length === 0) index.delete(k)
        else if (rest.length !== list.length) index.set(k, rest)
      }
    },
    async refresh() {
      const changes: { add?: Suspension; remove?: string }[] = []
      during = changes
      let rows
      try {
        rows = await deps.db.selectFrom('review_findings').selectAll().where('state', '=', 'open').execute()
      } finally {
        if (during === changes) during = null
      }
      const next = new Map<string, Suspension[]>()
      for (const r of rows) {
        put(next, {
          id: r.id, itemId: r.item_id, principalType: r.principal_type, principalId: r.principal_id, action: r.action, environment: r.environment,
          dagIds: r.dag_ids === null ? null : JSON.parse(r.dag_ids) as string[], reason: r.reason,
        })
      }
      index = next
      for (const change of changes) {
        if (change.add) put(index, change.add)
        if (change.remove !== undefined) self.remove(change.remove)
      }
    },
    start: (intervalMs) => poll.start(intervalMs),
    stop: () => poll.stop(),
  }
  const poll = createPollTimer(() => self.refresh(), (error) => deps.logger.warn({ err: error }, 'access review suspensions refresh failed'))
  return self
}

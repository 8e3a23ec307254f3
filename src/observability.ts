import type { EnvironmentStatusView } from './api/index.ts'
import type { AuditEventInput, AuditLog } from './audit/index.ts'
import type { EnvironmentConfig } from './config/index.ts'
import type { SpanRunner } from './core/index.ts'
import type { Catalog } from './governance/index.ts'
import { timeCalls, type Metrics } from './metrics/index.ts'
import type { Orchestrator } from './orchestrators/index.ts'
import type { PolicyEngine } from './policy/index.ts'
import type { Secrets } from './secrets/index.ts'

/*
 * The composition root's half of observability: it wraps the domains' services so their calls are recorded (the
 * domains never see prom-client nor a recorder), and registers the gauges read at scrape time.
 */

/** The audit log whose `append` and `commit` are timed into `conductor_audit_append_duration_seconds`. */
export function instrumentAudit<A extends Pick<AuditLog, 'append'>>(audit: A, metrics: Metrics | null): A {
  return metrics ? timeCalls(audit, (_method, outcome, seconds) => metrics.observeAuditAppend(seconds, outcome === 'ok'), { only: ['append', 'commit'] }) : audit
}

/**
 * The policy engine whose decisions are counted into `conductor_policy_decisions_total` by outcome and policy version.
 * The hot path: no Proxy, an object that inherits every other member from `policy` and adds one counter bump.
 */
export function instrumentPolicy<P extends Pick<PolicyEngine, 'authorize'>>(policy: P, metrics: Metrics | null): P {
  if (!metrics) return policy
  const instrumented = Object.create(policy) as P
  instrumented.authorize = (request) => {
    const decision = policy.authorize(request)
    metrics.observeDecision(decision.decision, decision.policyVersion)
    return decision
  }
  return instrumented
}

/** The orchestrator whose every Airflow call (and every call of one bound to a person) is timed per environment. */
export function instrumentOrchestrator(orchestrator: Orchestrator, metrics: Metrics | null): Orchestrator {
  if (!metrics) return orchestrator
  const environment = orchestrator.environment
  return timeCalls(orchestrator, (operation, outcome, seconds) => metrics.observeAirflowCall(environment, operation, outcome, seconds), {
    passThrough: ['protection', 'close'],
    rewrap: { as: (bound) => instrumentOrchestrator(bound as Orchestrator, metrics) },
  })
}

// The orchestrator calls whose first argument is the DAG id, recorded on their span.
const DAG_CALLS = new Set(['getDag', 'getDagParams', 'triggerRun', 'listRuns', 'getRun', 'listTaskInstances', 'clearFailedTasks', 'setPaused', 'getTaskLog'])

/**
 * The orchestrator whose every Airflow call (and every call of one bound to a person) runs in a trace span
 * `airflow.<operation>` with the environment and, for calls about one DAG, its id; the span is active while the call
 * is sent, so the request to Airflow carries its `traceparent`. Without `spans`, the orchestrator itself.
 */
export function traceOrchestrator(orchestrator: Orchestrator, spans: SpanRunner | null): Orchestrator {
  if (!spans) return orchestrator
  const environment = orchestrator.environment
  const wrapped = new Map<PropertyKey, unknown>()
  return new Proxy(orchestrator, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver)
      if (typeof value !== 'function' || typeof key !== 'string' || key === 'protection' || key === 'close') return value
      const known = wrapped.get(key)
      if (known) return known
      const fn = value as (...args: unknown[]) => unknown
      const call = key === 'as'
        ? (...args: unknown[]) => traceOrchestrator(fn.apply(target, args) as Orchestrator, spans)
        : (...args: unknown[]) => spans.inSpan(`airflow.${key}`, {
          'conductor.environment': environment, 'airflow.operation': key, 'conductor.dag': DAG_CALLS.has(key) && typeof args[0] === 'string' ? args[0] : null,
        }, async () => fn.apply(target, args))
      wrapped.set(key, call)
      return call
    },
  })
}

/**
 * The audit log whose events written within a sampled trace carry its id as `data.traceId` (added before the event
 * is hashed, so the chain stays valid). Without `traceId`, the audit log itself.
 */
export function traceAudit<A extends Pick<AuditLog, 'append'> & Partial<Pick<AuditLog, 'commit'>>>(audit: A, traceId: (() => string | undefined) | null): A {
  if (!traceId) return audit
  const withTrace = (event: AuditEventInput): AuditEventInput => {
    const id = traceId()
    return id === undefined ? event : { ...event, data: { ...event.data, traceId: id } }
  }
  const traced = Object.create(audit) as A
  traced.append = (event) => audit.append(withTrace(event))
  const commit = audit.commit
  if (commit) traced.commit = (events, write) => commit.call(audit, events.map(withTrace), write)
  return traced
}

const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const

/**
 * Every environment as `GET /api/v1/status` shows it: the catalog's last sync, this replica's protection, and its
 * credentials secret (an environment whose provider has failed past `maxStaleSeconds` shows `ok: false, stale: false`).
 */
export async function environmentStatuses(deps: {
  environments: readonly Pick<EnvironmentConfig, 'name' | 'kind' | 'credentials'>[]
  catalog: Pick<Catalog, 'statuses'>
  orchestrators: ReadonlyMap<string, Orchestrator>
  /** Checks each environment's credentials secret (through the cache); without it, `credentials` is null. */
  secrets?: Pick<Secrets, 'check'>
  now: number
}): Promise<EnvironmentStatusView[]> {
  const rows = new Map((await deps.catalog.statuses()).map((row) => [row.environment, row]))
  const credentials = await Promise.all(deps.environments.map(async (env) => {
    // Conductor-signed service accounts read no secret.
    if (!deps.secrets || env.credentials.serviceAccountKind === 'conductor-signed') return null
    const s = await deps.secrets.check({ provider: env.credentials.provider, secret: env.credentials.secret })
    return { provider: s.provider, secret: s.secret, ok: s.ok, stale: s.stale, version: s.version, error: s.error }
  }))
  return deps.environments.map((env, i) => {
    const row = rows.get(env.name)
    const protection = deps.orchestrators.get(env.name)?.protection?.()
    return {
      name: env.name,
      kind: env.kind,
      reachable: row ? row.reachable === 1 : null,
      airflowVersion: row?.version ?? null,
      dagCount: row ? row.dag_count : null,
      lastSyncAt: row?.last_sync_at ?? null,
      syncAgeSeconds: row?.last_sync_at ? Math.max(0, Math.round((deps.now - Date.parse(row.last_sync_at)) / 1000)) : null,
      lastError: row?.last_error ?? null,
      circuit: protection?.circuit.state ?? null,
      throttled: protection ? protection.reads.throttled + protection.writes.throttled : null,
      credentials: credentials[i] ?? null,
    }
  })
}

/**
 * Registers the gauges read at each scrape: per environment the circuit state, the lanes (in flight, queued, held back)
 * and the catalog's sync age; the policy set's version and reload state; the policy slice cache.
 */
export function registerGauges(metrics: Metrics, deps: {
  version: string
  /** The orchestrators of the environments governed now (a live map: a config reload changes it). */
  orchestrators: ReadonlyMap<string, Orchestrator>
  catalog: Pick<Catalog, 'statuses'>
  policy: Pick<PolicyEngine, 'current'> & { stats?: () => { sliceCacheHits: number; sliceCacheMisses: number; sliceCacheEntries: number } }
  lastPolicyReloadError: () => unknown
  now: () => number
}): void {
  metrics.registerGauge('conductor_info', 'Always 1; the running version in its label.', () => [{ labels: { version: deps.version }, value: 1 }], ['version'])
  const protections = () => [...deps.orchestrators.values()].flatMap((o) => {
    const p = o.protection?.()
    return p ? [{ environment: o.environment, p }] : []
  })
  metrics.registerGauge('conductor_environment_circuit_state', 'This replica\'s circuit breaker per environment: 1 for the state it is in, 0 for the others.',
    () => protections().flatMap(({ environment, p }) => CIRCUIT_STATES.map((state) => ({ labels: { environment, state }, value: p.circuit.state === state ? 1 : 0 }))), ['environment', 'state'])
  metrics.registerGauge('conductor_environment_circuit_failures', 'Consecutive unavailable answers per environment (the circuit opens at its threshold).',
    () => protections().map(({ environment, p }) => ({ labels: { environment }, value: p.circuit.consecutiveFailures })), ['environment'])
  for (const [name, field, help] of [
    ['conductor_environment_calls_in_flight', 'inFlight', 'Calls to the environment\'s Airflow in flight, per lane (reads, writes).'],
    ['conductor_environment_calls_queued', 'queued', 'Calls waiting for their turn in the environment\'s lane.'],
    ['conductor_environment_throttled_calls', 'throttled', 'Calls held back with orchestrator_throttled since this replica started, per lane (a count that only grows: use increase()).'],
  ] as const) {
    metrics.registerGauge(name, help, () => protections().flatMap(({ environment, p }) => (['reads', 'writes'] as const).map((lane) => ({ labels: { environment, lane }, value: p[lane][field] }))), ['environment', 'lane'])
  }
  // Environments a config reload removed keep their status rows, but are no longer reported.
  const governedStatuses = async () => (await deps.catalog.statuses()).filter((row) => deps.orchestrators.has(row.environment))
  metrics.registerGauge('conductor_catalog_sync_age_seconds', 'Seconds since the last successful catalog sync per environment (absent before the first).', async () => {
    const now = deps.now()
    return (await governedStatuses()).flatMap((row) => (row.last_sync_at ? [{ labels: { environment: row.environment }, value: Math.max(0, (now - Date.parse(row.last_sync_at)) / 1000) }] : []))
  }, ['environment'])
  metrics.registerGauge('conductor_environment_reachable', '1 when the environment answered at the last catalog sync, else 0.', async () => (await governedStatuses())
    .map((row) => ({ labels: { environment: row.environment }, value: row.reachable === 1 ? 1 : 0 })), ['environment'])
  metrics.registerGauge('conductor_policy_version', 'The version of the policy set in force (it grows at each successful reload).', () => [{ value: deps.policy.current().version }])
  metrics.registerGauge('conductor_policy_reload_failing', '1 when the last policy reload was refused (the previous set stays in force), else 0.', () => [{ value: deps.lastPolicyReloadError() ? 1 : 0 }])
  const stats = deps.policy.stats
  if (stats) {
    metrics.registerCache('policy_slices', () => {
      const s = stats()
      return { hits: s.sliceCacheHits, misses: s.sliceCacheMisses, entries: s.sliceCacheEntries }
    })
  }
}

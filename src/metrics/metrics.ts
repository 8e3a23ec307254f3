import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

/** Latency buckets in seconds, from 0.5 ms (a cached decision's HTTP round trip) to 10 s (a slow Airflow). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** One labelled value of a gauge read at scrape time. */
export interface GaugeSample {
  labels?: Record<string, string>
  value: number
}

/** A cache's counts since start, for {@link Metrics.registerCache}. */
export interface CacheStats {
  hits: number
  misses: number
  /** Entries held now, when known. */
  entries?: number
}

/**
 * What the HTTP face records: one answered request, by the route's pattern (`/api/v1/requests/:id`, never the raw
 * URL) and its status, with its duration.
 */
export interface HttpRecorder {
  observeRequest(method: string, route: string, status: number, seconds: number): void
}

/** What the policy decisions record: one decision, by outcome and the version of the policy set that decided. */
export interface DecisionRecorder {
  observeDecision(decision: 'allow' | 'deny', policyVersion: number): void
}

/**
 * One call to an environment's Airflow: `outcome` is `ok` or the error's code (`orchestrator_unavailable`,
 * `orchestrator_throttled`, `environment_circuit_open`, …).
 */
export interface DispatchRecorder {
  observeAirflowCall(environment: string, operation: string, outcome: string, seconds: number): void
}

/** One durable audit append, with its duration. */
export interface AuditRecorder {
  observeAuditAppend(seconds: number, ok: boolean): void
}

/**
 * Conductor's Prometheus metrics. Domains never see prom-client: they get the narrow recorders above, or the
 * composition root wraps their services; anything else (caches, leases, queues) registers a gauge read at scrape time.
 */
export interface Metrics extends HttpRecorder, DecisionRecorder, DispatchRecorder, AuditRecorder {
  /**
   * Registers a gauge read at each scrape: `collect` returns its current samples (it may be async, and should be
   * cheap). `name` must be a valid Prometheus metric name not yet taken; a second registration of the same name
   * replaces the first's `collect` (so a service rebuilt in tests does not fail).
   */
  registerGauge(name: string, help: string, collect: () => GaugeSample[] | Promise<GaugeSample[]>, labelNames?: readonly string[]): void
  /**
   * Registers a cache whose counts are read at each scrape into `conductor_cache_lookups{cache, result="hit"|"miss"}`
   * and `conductor_cache_entries{cache}` (hit rate = hit / (hit + miss)). `hits` and `misses` only grow. A second
   * registration of the same `cache` replaces the first.
   */
  registerCache(cache: string, read: () => CacheStats): void
  /** The Prometheus text exposition of every metric, and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>
}

/** Options for {@link createMetrics}. */
export interface MetricsOptions {
  /** Also export prom-client's process metrics (CPU, memory, event loop lag, GC); default true. */
  processMetrics?: boolean
  /** The metric name prefix; default `conductor_`. */
  prefix?: string
}

/** Creates the registry with Conductor's metrics (and, by default, the process metrics). Each call has its own registry. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const prefix = options.prefix ?? 'conductor_'
  const registry = new Registry()
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix })

  const httpRequests = new Counter({
    name: `${prefix}http_requests_total`, help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const, registers: [registry],
  })
  const httpDuration = new Histogram({
    name: `${prefix}http_request_duration_seconds`, help: 'Time to answer an HTTP request, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const, buckets: LATENCY_BUCKETS, registers: [registry],
  })
  const decisions = new Counter({
    name: `${prefix}policy_decisions_total`, help: 'Authorization decisions, by outcome and the version of the policy set that decided.',
    labelNames: ['decision', 'policy_version'] as const, registers: [registry],
    collect: () => flushDecisions(),
  })
  const airflowDuration = new Histogram({
    name: `${prefix}airflow_call_duration_seconds`,
    help: 'Calls to an environment\'s Airflow (dispatches and reads), by environment, operation and outcome (ok or the error code).',
    labelNames: ['environment', 'operation', 'outcome'] as const, buckets: LATENCY_BUCKETS, registers: [registry],
  })
  const airflowErrors = new Counter({
    name: `${prefix}airflow_call_errors_total`, help: 'Failed calls to an environment\'s Airflow, by environment, operation and error code.',
    labelNames: ['environment', 'operation', 'code'] as const, registers: [registry],
  })
  const auditDuration = new Histogram({
    name: `${prefix}audit_append_duration_seconds`, help: 'Time for one durable audit append (committed), by result.',
    labelNames: ['result'] as const, buckets: LATENCY_BUCKETS, registers: [registry],
  })
  const registered = new Map<string, { collect: () => GaugeSample[] | Promise<GaugeSample[]> }>()
  const caches = new Map<string, () => CacheStats>()
  const readCaches = () => [...caches].map(([cache, read]) => ({ cache, stats: read() }))
  new Gauge({
    name: `${prefix}cache_lookups`, help: 'Cache lookups since start, by cache and result (hit, miss); hit rate = hit / (hit + miss).',
    labelNames: ['cache', 'result'] as const, registers: [registry],
    collect() {
      this.reset()
      for (const { cache, stats } of readCaches()) {
        this.set({ cache, result: 'hit' }, stats.hits)
        this.set({ cache, result: 'miss' }, stats.misses)
      }
    },
  })
  new Gauge({
    name: `${prefix}cache_entries`, help: 'Entries held now, by cache.', labelNames: ['cache'] as const, registers: [registry],
    collect() {
      this.reset()
      for (const { cache, stats } of readCaches()) if (stats.entries !== undefined) this.set({ cache }, stats.entries)
    },
  })

  // Hot paths: a decision (tens of thousands a second) only bumps a plain number, handed to the counter at scrape
  // time; a request or an append uses a child whose labels were validated once (prom-client still hashes them per
  // call: about 1-2 µs a request, see bench/metrics-overhead.bench.ts).
  const httpChildren = new Map<string, { count: { inc(): void }; duration: { observe(value: number): void } }>()
  const decided = new Map<number, { allow: number; deny: number }>()
  const flushed = new Map<number, { allow: number; deny: number }>()
  const flushDecisions = () => {
    for (const [version, counts] of decided) {
      const before = flushed.get(version) ?? { allow: 0, deny: 0 }
      for (const decision of ['allow', 'deny'] as const) {
        const delta = counts[decision] - before[decision]
        if (delta > 0) decisions.inc({ decision, policy_version: String(version) }, delta)
      }
      flushed.set(version, { ...counts })
    }
  }
  const appendOk = auditDuration.labels({ result: 'ok' })
  const appendFailed = auditDuration.labels({ result: 'error' })

  return {
    observeRequest(method, route, status, seconds) {
      const key = `${method} ${status} ${route}`
      let child = httpChildren.get(key)
      if (!child) {
        const labels = { method, route, status: String(status) }
        child = { count: httpRequests.labels(labels), duration: httpDuration.labels(labels) }
        httpChildren.set(key, child)
      }
      child.count.inc()
      child.duration.observe(seconds)
    },
    observeDecision(decision, policyVersion) {
      let counts = decided.get(policyVersion)
      if (!counts) { counts = { allow: 0, deny: 0 }; decided.set(policyVersion, counts) }
      counts[decision]++
    },
    observeAirflowCall(environment, operation, outcome, seconds) {
      airflowDuration.observe({ environment, operation, outcome }, seconds)
      if (outcome !== 'ok') airflowErrors.inc({ environment, operation, code: outcome })
    },
    observeAuditAppend(seconds, ok) {
      (ok ? appendOk : appendFailed).observe(seconds)
    },
    registerGauge(name, help, collect, labelNames = []) {
      const existing = registered.get(name)
      if (existing) { existing.collect = collect; return }
      const entry = { collect }
      registered.set(name, entry)
      new Gauge({
        name, help, labelNames: [...labelNames], registers: [registry],
        async collect() {
          this.reset()
          for (const sample of await entry.collect()) {
            if (sample.labels) this.set(sample.labels, sample.value)
            else this.set(sample.value)
          }
        },
      })
    },
    registerCache(cache, read) {
      caches.set(cache, read)
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() }
    },
  }
}

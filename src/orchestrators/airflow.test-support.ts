/** What the Airflow adapter's unit tests share: a faked Airflow (undici MockAgent) per API version, and its answers. */
import { afterEach, beforeEach } from 'node:test'
import { MockAgent } from 'undici'
import type { EnvironmentConfig } from '../config/index.ts'
import { fixedClock } from '../core/index.ts'
import { createSecrets, type Secrets } from '../secrets/index.ts'
import { createOrchestrator } from './create-orchestrator.ts'

export const JSON_HEADERS = { headers: { 'content-type': 'application/json' } }
export const PASSWORD = 'pw-very-secret-1'
export const NOW = Date.UTC(2026, 0, 1) / 1000

/** An unsigned JWT with the given claims; the adapter only decodes it. */
export function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'HS512', typ: 'JWT' })}.${part(claims)}.c2ln`
}

export function header(headers: unknown, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined
  const record = (headers ?? {}) as Record<string, string | string[]>
  const value = record[name] ?? record[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

export function dag(id: string, extra: Record<string, unknown> = {}) {
  return { dag_id: id, description: `about ${id}`, tags: [{ name: 'team:x', dag_id: id }], owners: ['x'], is_paused: false, timetable_summary: '0 0 * * *', fileloc: `/dags/${id}.py`, ...extra }
}

export function run(runId: string, extra: Record<string, unknown> = {}) {
  return {
    dag_id: 'etl', dag_run_id: runId, state: 'queued', run_type: 'manual', logical_date: null, queued_at: '2026-01-01T00:00:00Z',
    start_date: null, end_date: null, conf: { a: 1 }, note: 'n', triggered_by: 'rest_api', triggering_user_name: 'svc', ...extra,
  }
}

/** One Airflow generation as these tests fake it. */
export interface Version {
  kind: EnvironmentConfig['kind']
  origin: string
  /** The environment's name (each version's tests use their own, to show it is carried into errors). */
  name: string
  prefix: string
  /** The `order_by` part of a runs query. */
  runsOrder: string
}

export const AIRFLOW3: Version = { kind: 'airflow3', origin: 'http://airflow.test:8080', name: 'prod-eu', prefix: '/api/v2', runsOrder: 'order_by=-run_after&order_by=-id' }
export const AIRFLOW2: Version = { kind: 'airflow2', origin: 'http://airflow2.test:8080', name: 'legacy', prefix: '/api/v1', runsOrder: 'order_by=-execution_date' }

/** A MockAgent, an in-memory secrets provider holding `{"username":"svc","password":PASSWORD}`, and an orchestrator factory. */
export function fake(version: Version) {
  const state = {} as {
    agent: MockAgent
    secretValues: Map<string, string>
    secrets: Secrets
    tokenRequests: { username: string; password: string }[]
  }
  beforeEach(() => {
    state.agent = new MockAgent()
    state.agent.disableNetConnect()
    state.secretValues = new Map([['airflow', JSON.stringify({ username: 'svc', password: PASSWORD })]])
    state.secrets = createSecrets({ providers: [], custom: [{ name: 'mem', get: async (name) => state.secretValues.get(name)!, close: () => {} }] })
    state.tokenRequests = []
  })
  afterEach(async () => { await state.agent.close() })

  const env = (overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig => ({
    name: version.name, kind: version.kind, url: `${version.origin}/`, zone: 'eu', tier: 'prod',
    credentials: { provider: 'mem', secret: 'airflow' }, timeoutMs: 2_000, retries: 2, limits: { maxConcurrentWrites: 2, writesPerSecond: 5, maxConcurrentReads: 4, readsPerSecond: 20, maxWaitMs: 5_000 }, circuitBreaker: { failureThreshold: 5, openSeconds: 30 }, ...overrides,
  })
  return Object.assign(state, {
    env,
    pool: () => state.agent.get(version.origin),
    orchestrator: (overrides: Partial<EnvironmentConfig> = {}, clock = fixedClock(NOW * 1000)) =>
      createOrchestrator(env(overrides), { secrets: state.secrets, clock, dispatcher: state.agent, retryBaseMs: 1 }),
    /** Airflow 3: answers `times` token requests, each with a fresh JWT valid for an hour from NOW. Airflow 2 (basic auth) needs none. */
    signIn(times = 1) {
      if (version.kind !== 'airflow3') return
      let n = 0
      state.agent.get(version.origin).intercept({ path: '/auth/token', method: 'POST' }).reply((opts) => {
        state.tokenRequests.push(JSON.parse(String(opts.body)))
        n++
        return { statusCode: 201, data: { access_token: jwt({ sub: 'svc', n, iat: NOW, exp: NOW + 3600 }) }, responseOptions: JSON_HEADERS }
      }).times(times)
    },
  })
}

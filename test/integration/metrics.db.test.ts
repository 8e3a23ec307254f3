import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { StatusView } from '../../contract/api-types.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startTestApp } from '../../harness/app.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { conductor } from '../support/cli.ts'

type TestApp = Awaited<ReturnType<typeof startTestApp>>

/** The value of the sample `name{labels}` in a Prometheus text exposition (labels in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3])
  }
  return undefined
}

// Prometheus metrics and the status page through the real HTTP server on loopback, over a stub Airflow (`local`) and
// an environment that is down (`down`, port 1): what an operator's Prometheus and `conductor status` see.
forEachEngine((engine) => {
  let database: TestDatabase
  let airflow: StubAirflow
  let app: TestApp
  let url: string
  let alice: string, bob: string, carol: string

  before(async () => {
    database = await engine.open()
    airflow = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    app = await startTestApp({
      databaseUrl: database.url,
      environments: [
        { name: 'local', url: airflow.url },
        { name: 'down', url: 'http://127.0.0.1:1', timeoutMs: 1000, retries: 0, circuitBreaker: { failureThreshold: 1, openSeconds: 600 } },
      ],
      extraConfig: { metrics: { port: 0 } },
    })
    url = await app.listen()
    alice = await app.tokenFor('alice')
    bob = await app.tokenFor('bob')
    carol = await app.tokenFor('carol')
    await app.governance.catalog.syncAll()
    await app.governance.catalog.remember('down', { dagId: 'etl_daily', description: null, tags: ['team:data-eng'], owners: ['data-eng'], paused: false, schedule: null })
  })
  after(async () => {
    await app?.close()
    await airflow?.close()
    await database?.close()
  })

  const call = (method: string, path: string, token?: string, body?: unknown) => fetch(`${url}${path}`, {
    method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })

  test('after some calls, /metrics shows requests by route pattern and status, decisions, Airflow calls per environment, circuits, sync age, audit and caches', async () => {
    assert.equal((await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', alice, { conf: {} })).status, 201)
    assert.equal((await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', bob, { conf: {} })).status, 403)
    assert.equal((await call('GET', '/api/v1/environments/local/dags/etl_daily', alice)).status, 200)
    // The sync found `down` unreachable and its circuit opened (threshold 1): the call is refused unsent.
    assert.equal((await call('GET', '/api/v1/environments/down/dags/etl_daily/runs', alice)).status, 503)
    assert.equal((await call('GET', '/api/v1/no/such/path?token=secret-in-url', alice)).status, 404)

    const res = await call('GET', '/metrics', carol)
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    const trigger = { method: 'POST', route: '/api/v1/environments/:env/dags/:dag/runs' }
    assert.equal(sample(text, 'conductor_http_requests_total', { ...trigger, status: '201' }), 1)
    assert.equal(sample(text, 'conductor_http_requests_total', { ...trigger, status: '403' }), 1)
    assert.equal(sample(text, 'conductor_http_request_duration_seconds_count', { ...trigger, status: '201' }), 1)
    assert.equal(sample(text, 'conductor_http_request_duration_seconds_bucket', { ...trigger, status: '201', le: '+Inf' }), 1)
    assert.equal(sample(text, 'conductor_http_requests_total', { method: 'GET', route: '/api/v1/environments/:env/dags/:dag/runs', status: '503' }), 1)
    assert.equal(sample(text, 'conductor_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }), 1)
    // Label values are route patterns: no DAG id, no raw URL, nothing from a query string.
    const httpLines = text.split('\n').filter((l) => l.startsWith('conductor_http_'))
    assert.ok(httpLines.length > 0)
    for (const line of httpLines) assert.doesNotMatch(line, /etl_daily|secret-in-url|\/local\//, line)

    assert.ok(sample(text, 'conductor_policy_decisions_total', { decision: 'allow', policy_version: '1' })! >= 1)
    assert.ok(sample(text, 'conductor_policy_decisions_total', { decision: 'deny', policy_version: '1' })! >= 1)
    assert.equal(sample(text, 'conductor_airflow_call_duration_seconds_count', { environment: 'local', operation: 'triggerRun', outcome: 'ok' }), 1)
    assert.equal(sample(text, 'conductor_airflow_call_errors_total', { environment: 'down', operation: 'listDags', code: 'orchestrator_unavailable' }), 1)
    assert.equal(sample(text, 'conductor_airflow_call_duration_seconds_count', { environment: 'down', operation: 'health', outcome: 'ok' }), 1, 'health answers, never throws')
    assert.equal(sample(text, 'conductor_airflow_call_errors_total', { environment: 'down', operation: 'listRuns', code: 'environment_circuit_open' }), 1)
    assert.equal(sample(text, 'conductor_environment_circuit_state', { environment: 'down', state: 'open' }), 1)
    assert.equal(sample(text, 'conductor_environment_circuit_state', { environment: 'local', state: 'closed' }), 1)
    assert.equal(sample(text, 'conductor_environment_throttled_calls', { environment: 'local', lane: 'writes' }), 0)
    const age = sample(text, 'conductor_catalog_sync_age_seconds', { environment: 'local' })
    assert.ok(age !== undefined && age >= 0 && age < 600, `sync age ${age}`)
    assert.equal(sample(text, 'conductor_catalog_sync_age_seconds', { environment: 'down' }), undefined, 'never synced: no age')
    assert.equal(sample(text, 'conductor_environment_reachable', { environment: 'down' }), 0)
    assert.ok(sample(text, 'conductor_audit_append_duration_seconds_count', { result: 'ok' })! >= 3)
    const hits = sample(text, 'conductor_cache_lookups', { cache: 'policy_slices', result: 'hit' })!
    const misses = sample(text, 'conductor_cache_lookups', { cache: 'policy_slices', result: 'miss' })!
    assert.ok(hits + misses >= 1)
    assert.equal(sample(text, 'conductor_policy_version', {}), 1)
    assert.equal(sample(text, 'conductor_policy_reload_failing', {}), 0)
    assert.equal(sample(text, 'conductor_info', { version: '0.1.0' }), 1)
    assert.ok(sample(text, 'conductor_process_resident_memory_bytes', {})! > 0, 'process metrics')
    for (const token of [alice, bob, carol]) assert.ok(!text.includes(token))
  })

  test('/metrics on the API port refuses a caller without a token (401) and one without audit:read (403), showing nothing', async () => {
    const anonymous = await call('GET', '/metrics')
    assert.equal(anonymous.status, 401)
    assert.equal((await anonymous.json() as { error: { code: string } }).error.code, 'token_missing')
    const refused = await call('GET', '/metrics', alice)
    assert.equal(refused.status, 403)
    const body = await refused.text()
    assert.equal(JSON.parse(body).error.code, 'policy_denied')
    assert.doesNotMatch(body, /conductor_http/)
  })

  test('the separate metrics port serves /metrics on loopback without a token, and nothing else', async () => {
    const base = app.metricsUrl()
    assert.match(base ?? '', /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.notEqual(base, url)
    const res = await fetch(`${base}/metrics`)
    assert.equal(res.status, 200)
    const text = await res.text()
    assert.ok(sample(text, 'conductor_http_requests_total', { method: 'GET', route: '/metrics', status: '200' })! >= 1)
    assert.equal((await fetch(`${base}/api/v1/me`)).status, 404)
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405)
    const [loaded] = await app.audit.query({ type: 'config.loaded', limit: 1 })
    assert.deepEqual(loaded!.data.metrics, { enabled: true, port: 0, host: '127.0.0.1' }, 'the audit trail says an unauthenticated port was configured')
  })

  test('GET /api/v1/status: version, database and policy for anyone signed in; environments with health, circuit and sync age for audit:read', async () => {
    assert.equal((await call('GET', '/api/v1/status')).status, 401)
    const plain = await (await call('GET', '/api/v1/status', alice)).json() as StatusView
    assert.equal(plain.detailed, false)
    assert.deepEqual(plain.database, { kind: engine.name === 'postgres' ? 'postgres' : 'sqlite', ready: true, error: null })
    assert.equal(plain.policy.version, 1)
    assert.equal(plain.environments, null)
    assert.equal(plain.scim, null)

    const full = await (await call('GET', '/api/v1/status', carol)).json() as StatusView
    assert.equal(full.detailed, true)
    assert.equal(full.version, '0.1.0')
    assert.ok(full.uptimeSeconds >= 0)
    const [local, down] = [full.environments!.find((e) => e.name === 'local')!, full.environments!.find((e) => e.name === 'down')!]
    assert.equal(local.reachable, true)
    assert.equal(local.circuit, 'closed')
    assert.equal(local.dagCount, 1)
    assert.ok(local.syncAgeSeconds !== null && local.syncAgeSeconds < 600)
    assert.equal(down.reachable, false)
    assert.equal(down.circuit, 'open')
    assert.equal(down.lastSyncAt, null)
    assert.ok(down.lastError)
    assert.deepEqual(full.scim, { enabled: false })
    // This replica, from the leases it holds for background work (docs/deployment.md).
    const replicas = full.replicas as { id: string; lastSeenAt: string | null; leases: string[] }[]
    assert.deepEqual(replicas.map((r) => r.id), [app.leases.holder])
    assert.ok(replicas[0]!.lastSeenAt !== null)
    assert.ok(replicas[0]!.leases.every((name) => ['catalog-sync', 'dispatch-resolver', 'webhook-outbox', 'scim-reconciliation', 'schedules', 'links', 'audit-checkpoints', 'review-findings', 'review-reminders'].includes(name) || name.startsWith('audit-stream:')), JSON.stringify(replicas))
  })

  test('conductor status prints the table for an auditor, the summary for others, and JSON with -o json', async () => {
    const env = { CONDUCTOR_CONFIG_DIR: app.dir }
    const table = await conductor(['--server', url, '--token', carol, 'status'], env)
    assert.equal(table.code, 0, table.stderr)
    assert.match(table.stdout, new RegExp(`^database +${engine.name === 'postgres' ? 'postgres' : 'sqlite'}, ready$`, 'm'))
    assert.match(table.stdout, /^policy +version 1, \d+ policies$/m)
    assert.match(table.stdout, /^SCIM +off$/m)
    assert.match(table.stdout, /^ENV +HEALTH +CIRCUIT +SYNCED +DAGS/m)
    assert.match(table.stdout, /^local +ok +closed +\d+s ago +1 /m)
    assert.match(table.stdout, /^down +down +open +never +0 +- +orchestrator_unavailable/m)
    const plain = await conductor(['--server', url, '--token', alice, 'status'], env)
    assert.equal(plain.code, 0, plain.stderr)
    assert.match(plain.stdout, /need audit:read/)
    assert.doesNotMatch(plain.stdout, /^local /m)
    const json = await conductor(['--server', url, '--token', carol, 'status', '-o', 'json'], env)
    assert.equal(json.code, 0, json.stderr)
    const parsed = JSON.parse(json.stdout) as StatusView
    assert.equal(parsed.detailed, true)
    assert.deepEqual(parsed.environments!.map((e) => e.name), ['local', 'down'])
  })

  test('with metrics.enabled false there is no /metrics and no metrics port; the status still answers', async () => {
    const off = await startTestApp({ databaseUrl: database.url, environments: [], extraConfig: { metrics: { enabled: false, port: 0 } } })
    try {
      const base = await off.listen()
      assert.equal(off.metrics, null)
      assert.equal(off.metricsUrl(), null)
      const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${await off.tokenFor('carol')}` } })
      assert.equal(res.status, 404)
      assert.equal((await fetch(`${base}/api/v1/status`, { headers: { authorization: `Bearer ${await off.tokenFor('carol')}` } })).status, 200)
    } finally {
      await off.close()
    }
  })
})

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'

// Conductor's limits and circuit breaker as an API caller meets them, against a loopback stand-in for Airflow
// (instant answers) and a port nothing listens on. The 40-trigger burst against a real Airflow is test/e2e/airflow-protection.test.ts.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let alice: string
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    app = await startTestApp({
      databaseUrl: database.url,
      environments: [
        // One write per minute and no waiting: the second trigger in a row is over the limit.
        { name: 'local', url: stub.url, limits: { maxConcurrentWrites: 1, writesPerSecond: 1 / 60, maxWaitMs: 0 } },
        { name: 'down', url: 'http://127.0.0.1:9', timeoutMs: 500, retries: 0, circuitBreaker: { failureThreshold: 2, openSeconds: 120 } },
      ],
    })
    alice = await app.tokenFor('alice')
    await app.governance.catalog.syncAll()
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
  })

  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    app.server.inject({ method, url, headers: { authorization: `Bearer ${alice}` }, ...(payload ? { payload } : {}) })

  test('a trigger over the limit gets 429 with Retry-After, is never sent, and is recorded and audited as throttled', async () => {
    const first = await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', { conf: {}, reason: 'first' })
    assert.equal(first.statusCode, 201, first.body)
    const res = await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', { conf: {}, reason: 'second' })
    assert.equal(res.statusCode, 429, res.body)
    const retryAfter = Number(res.headers['retry-after'])
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${res.headers['retry-after']}`)
    const { error } = res.json()
    assert.equal(error.code, 'orchestrator_throttled')
    assert.equal(error.details.environment, 'local')
    assert.equal(error.details.retryAfterSeconds, retryAfter)
    assert.match(error.message, /environment "local"/)
    assert.equal(typeof error.requestId, 'string')
    assert.equal(stub.runs.get('etl_daily')?.length, 1, 'only the first trigger reached Airflow')

    const failed = (await call('GET', '/api/v1/requests?environment=local&state=failed')).json().requests as { id: string; error: { code: string } | null }[]
    assert.equal(failed.length, 1)
    assert.equal(failed[0]!.error?.code, 'orchestrator_throttled')
    const events = await app.audit.query({ requestId: failed[0]!.id, limit: 20 })
    const result = events.find((e) => e.type === 'dispatch.result')
    assert.ok(result, `audited: ${events.map((e) => e.type).join(', ')}`)
    assert.equal((result.data as { ok: boolean; errorCode: string }).ok, false)
    assert.equal((result.data as { errorCode: string }).errorCode, 'orchestrator_throttled')

    const env = (await call('GET', '/api/v1/environments')).json().environments.find((e: { name: string }) => e.name === 'local')
    assert.deepEqual(env.protection.writes, { inFlight: 0, queued: 0, throttled: 1 })
    assert.equal(env.protection.circuit.state, 'closed')
  })

  test('an environment that keeps failing opens its circuit: 503 naming it, Retry-After, shown by /readyz and the environments view', async () => {
    const ready = await app.server.inject({ method: 'GET', url: '/readyz' })
    assert.equal(ready.statusCode, 200)
    // The sync at start failed once; one more failure reaches the threshold of 2.
    const unavailable = await call('GET', '/api/v1/environments/down/dags/etl_daily/runs')
    assert.equal(unavailable.statusCode, 503, unavailable.body)
    assert.equal(unavailable.json().error.code, 'orchestrator_unavailable')
    const res = await call('GET', '/api/v1/environments/down/dags/etl_daily/runs')
    assert.equal(res.statusCode, 503, res.body)
    const { error } = res.json()
    assert.equal(error.code, 'environment_circuit_open')
    assert.equal(error.details.environment, 'down')
    assert.match(error.message, /environment "down"/)
    const retryAfter = Number(res.headers['retry-after'])
    assert.ok(retryAfter > 100 && retryAfter <= 120, `Retry-After: ${res.headers['retry-after']}`)

    const readyz = await app.server.inject({ method: 'GET', url: '/readyz' })
    assert.equal(readyz.statusCode, 200, 'an open circuit leaves Conductor ready for its other environments')
    const circuits = readyz.json().environments as { environment: string; state: string; nextProbeAt: string | null }[]
    assert.equal(circuits.find((c) => c.environment === 'down')?.state, 'open')
    assert.equal(circuits.find((c) => c.environment === 'down')?.nextProbeAt, error.details.nextProbeAt)
    assert.equal(circuits.find((c) => c.environment === 'local')?.state, 'closed')

    const env = (await call('GET', '/api/v1/environments')).json().environments.find((e: { name: string }) => e.name === 'down')
    assert.equal(env.protection.circuit.state, 'open')
    assert.ok(env.protection.circuit.consecutiveFailures >= 2)
  })
})

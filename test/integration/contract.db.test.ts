import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'

// Every answer is checked against its declared schema before it leaves (a mismatch is a 500). The governed answers
// that need Airflow to succeed are exercised here against the loopback stand-in, which answers a trigger as Airflow 3
// does; run details, logs and reruns against the real Airflow are in test/e2e.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let alice: string, carol: string
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    app = await startTestApp({ databaseUrl: database.url, environments: [{ name: 'local', url: stub.url }] })
    await app.governance.catalog.syncAll()
    alice = await app.tokenFor('alice')
    carol = await app.tokenFor('carol')
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
  })

  const call = (method: 'GET' | 'POST', url: string, payload?: object, token = alice) =>
    app.server.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) })

  test('a trigger answers as the contract says: the request with its decision, and the run with who started it', async () => {
    const res = await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', { conf: { day: '2026-11-30' }, reason: 'contract check' })
    assert.equal(res.statusCode, 201, res.body)
    const body = res.json()
    assert.equal(body.request.decision.decision, 'allow')
    assert.deepEqual(body.run.startedBy, { via: 'conductor', principalType: 'User', principalId: 'alice', requestId: body.request.id })
    assert.deepEqual(body.run.conf, { day: '2026-11-30' })

    const request = await call('GET', `/api/v1/requests/${body.request.id}`)
    assert.equal(request.statusCode, 200, request.body)
    assert.equal(request.json().runId, body.run.runId)
    const listed = await call('GET', '/api/v1/requests?limit=5')
    assert.equal(listed.statusCode, 200, listed.body)
    assert.ok(listed.json().requests.some((r: { id: string }) => r.id === body.request.id))
  })

  test('catalog, identity, policy and audit answers match their schemas', async () => {
    for (const url of ['/api/v1/me', '/api/v1/environments', '/api/v1/dags', '/api/v1/environments/local/dags', '/api/v1/environments/local/dags/etl_daily',
      '/api/v1/environments/local/dags/etl_daily/access', '/api/v1/policies', '/api/v1/audit?limit=50', '/api/v1/audit/verify']) {
      const res = await call('GET', url, undefined, url.startsWith('/api/v1/audit') ? carol : alice)
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`)
    }
    const explained = await call('POST', '/api/v1/authorize', { action: 'dag:trigger', environment: 'local', dag: 'etl_daily' })
    assert.equal(explained.statusCode, 200, explained.body)
    assert.equal(explained.json().decision, 'allow')
  })
})

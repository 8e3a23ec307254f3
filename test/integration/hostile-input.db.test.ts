import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { after, before, test } from 'node:test'
import { isErrorCode } from '../../src/core/index.ts'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'

type TestApp = Awaited<ReturnType<typeof startTestApp>>

/** The JSON text of an object nested `depth` objects deep (built as text: the deep ones would overflow JSON.stringify). */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth - 1)}{"leaf":1}${'}'.repeat(depth - 1)}`
}

const JSON_TYPE = { 'content-type': 'application/json' }

/** Asserts Conductor's error envelope with a registry code, and returns the code. */
function envelope(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number): { code: string; message: string; details?: Record<string, unknown> } {
  assert.equal(res.statusCode, status, res.body)
  assert.match(String(res.headers['content-type']), /^application\/json/)
  const body = JSON.parse(res.body) as { error: { code: string; message: string; requestId: string; details?: Record<string, unknown> } }
  assert.deepEqual(Object.keys(body), ['error'])
  assert.ok(isErrorCode(body.error.code), `${body.error.code} is a registry code`)
  assert.equal(typeof body.error.message, 'string')
  assert.equal(typeof body.error.requestId, 'string')
  return body.error
}

forEachEngine((engine) => {
  let database: TestDatabase
  let airflow: StubAirflow
  let app: TestApp
  let alice: string
  let base: string

  before(async () => {
    database = await engine.open()
    airflow = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    app = await startTestApp({ databaseUrl: database.url, environments: [{ name: 'local', url: airflow.url, retries: 0 }] })
    await app.governance.catalog.remember('local', { dagId: 'etl_daily', description: null, tags: ['team:data-eng'], owners: ['data-eng'], paused: false, schedule: null })
    alice = await app.tokenFor('alice')
    const address = await app.server.listen({ host: '127.0.0.1', port: 0 })
    base = address
  })
  after(async () => {
    await app?.close()
    await airflow?.close()
    await database?.close()
  })

  const inject = (method: string, url: string, options: { payload?: string | object; headers?: Record<string, string> } = {}) =>
    app.server.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${alice}`, ...options.headers }, ...(options.payload !== undefined ? { payload: options.payload } : {}) })
  /** One request over a socket, path as given: unlike inject and fetch, node:http does not resolve `.` and `..` segments. */
  const raw = (method: string, path: string, options: { headers?: Record<string, string>; body?: string } = {}) =>
    new Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const { hostname, port } = new URL(base)
      const req = httpRequest({ host: hostname, port: Number(port), method, path, headers: { authorization: `Bearer ${alice}`, ...options.headers } }, (response) => {
        let body = ''
        response.on('data', (chunk) => { body += chunk })
        response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body }))
      })
      req.on('error', reject)
      req.end(options.body)
    })
  const requestCount = async () => (await app.database.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n

  test('"." and ".." are refused as DAG, run and task ids, naming the field, and reach nothing', async () => {
    const before = await requestCount()
    const cases: [string, string, string][] = [
      ['GET', '/api/v1/environments/local/dags/%2e%2e', 'params.dag'],
      ['GET', '/api/v1/environments/local/dags/%2E', 'params.dag'],
      ['GET', '/api/v1/environments/local/dags/..', 'params.dag'],
      ['GET', '/api/v1/environments/local/dags/etl_daily/runs/.', 'params.runId'],
      ['POST', '/api/v1/environments/local/dags/%2E%2E/runs', 'params.dag'],
      ['GET', '/api/v1/environments/local/dags/etl_daily/runs/%2e%2e', 'params.runId'],
      ['GET', '/api/v1/environments/local/dags/etl_daily/runs/r1/tasks/%2e%2e/logs', 'params.taskId'],
      ['GET', '/api/v1/environments/%2e/dags', 'params.env'],
      ['GET', '/api/v1/dags?environment=..', 'querystring.environment'],
    ]
    for (const [method, url, field] of cases) {
      const error = envelope(await raw(method, url, method === 'POST' ? { body: '{}', headers: JSON_TYPE } : {}), 400)
      assert.equal(error.code, 'invalid_input', url)
      assert.equal(error.details?.field, field, url)
    }
    assert.equal(await requestCount(), before)
  })

  test('ids with dots inside (etl.v2) and of 250 characters stay valid', async () => {
    for (const dag of ['etl.v2', '...', 'd'.repeat(250)]) {
      const error = envelope(await inject('GET', `/api/v1/environments/local/dags/${dag}`), 404)
      assert.equal(error.code, 'dag_not_found', dag)
    }
  })

  test('a conf nested past governance.maxConfDepth is 400 conf_invalid, recorded as a refused request and audited, never dispatched', async () => {
    const runsBefore = airflow.runs.get('etl_daily')?.length ?? 0
    const cases: [string, string, Record<string, unknown>][] = [
      [nested(4400), 'conf_invalid', { field: 'conf', depth: 33, limit: 32 }],
      [nested(33), 'conf_invalid', { field: 'conf', depth: 33, limit: 32 }],
      ['[1, 2]', 'conf_invalid', { field: 'conf' }],
      [JSON.stringify({ blob: 'x'.repeat(70_000) }), 'conf_too_large', { field: 'conf', size: 70_011, limit: 65_536 }],
    ]
    for (const [conf, code, details] of cases) {
      const before = await requestCount()
      const error = envelope(await inject('POST', '/api/v1/environments/local/dags/etl_daily/runs', { payload: `{"conf":${conf},"reason":"fuzz"}`, headers: JSON_TYPE }), 400)
      assert.equal(error.code, code)
      assert.deepEqual({ ...error.details, requestId: undefined }, { ...details, requestId: undefined })
      assert.equal(await requestCount(), before + 1, 'the refusal is recorded as a request')
      const requestId = String(error.details?.requestId)
      const view = (await inject('GET', `/api/v1/requests/${requestId}`)).json() as { state: string; action: string; dagId: string; error: { code: string } | null; decision: { decision: string }; input: Record<string, unknown> }
      assert.deepEqual([view.state, view.action, view.dagId, view.error?.code, view.decision.decision], ['refused', 'dag:trigger', 'etl_daily', code, 'deny'])
      assert.equal(view.input.reason, 'fuzz')
      const events = await app.audit.query({ requestId, limit: 10 })
      assert.deepEqual(events.map((e) => [e.type, e.decision, e.data.errorCode]), [['request.refused', 'deny', code]])
    }
    const ok = await inject('POST', '/api/v1/environments/local/dags/etl_daily/runs', { payload: `{"conf":${nested(32)}}`, headers: JSON_TYPE })
    assert.equal(ok.statusCode, 201, ok.body)
    assert.equal(airflow.runs.get('etl_daily')?.length ?? 0, runsBefore + 1, 'only the valid trigger reached Airflow')
  })

  test('a deeply nested body anywhere is a 400, never a 500', async () => {
    const deep = nested(5000)
    for (const [method, url, payload] of [
      ['POST', '/api/v1/authorize', `{"action":"dag:trigger","environment":"local","as":${deep}}`],
      ['POST', '/api/v1/environments/local/dags/etl_daily/runs/r1/rerun', `{"reason":${deep}}`],
      ['PATCH', '/api/v1/environments/local/dags/etl_daily', deep],
      ['POST', '/api/v1/environments/local/dags/etl_daily/runs', `{"conf":{},"note":${deep}}`],
    ] as const) {
      const error = envelope(await inject(method, url, { payload, headers: JSON_TYPE }), 400)
      assert.equal(error.code, 'invalid_input', url)
    }
  })

  test('a NUL character in a filter or a principal id is 400 naming the field on every engine (PostgreSQL text cannot hold it)', async () => {
    for (const [method, url, payload, field] of [
      ['GET', '/api/v1/requests?action=%00', undefined, 'querystring.action'],
      ['GET', '/api/v1/requests?principal=a%00b', undefined, 'querystring.principal'],
      ['GET', '/api/v1/audit?type=%00', undefined, 'querystring.type'],
      ['GET', '/api/v1/dags?tag=%00', undefined, 'querystring.tag'],
      ['GET', '/api/v1/shadow?environment=a%00b', undefined, 'querystring.environment'],
      ['GET', '/api/v1/grants/a%00b', undefined, 'params.id'],
      ['POST', '/api/v1/grants/a%00b/revoke', {}, 'params.id'],
      ['GET', '/api/v1/requests/a%00b', undefined, 'params.id'],
      ['GET', '/api/v1/service-accounts/etl-ci%00/trusts', undefined, 'params.name'],
      ['DELETE', '/api/v1/service-accounts/etl-ci/trusts/a%00b', undefined, 'params.id'],
      ['POST', '/api/v1/authorize', { action: 'dag:read', environment: 'local', as: { id: 'a\u0000b' } }, 'body.as.id'],
      ['POST', '/api/v1/airflow/local/authorize', { user: { id: 'alice' }, questions: [{ resource: 'dag', method: 'GET', id: 'a\u0000b' }] }, 'body.questions.0.id'],
      ['POST', '/api/v1/airflow/local/authorize', { user: { id: 'a\u0000b' }, questions: [] }, 'body.user.id'],
      ['POST', '/api/v1/authorize', { action: 'dag:read', environment: 'local', as: { id: 'bob', groups: ['\u0000'] } }, 'body.as.groups.0'],
    ] as const) {
      const error = envelope(await inject(method, url, payload ? { payload } : {}), 400)
      assert.equal(error.code, 'invalid_input', url)
      assert.equal(error.details?.field, field, url)
    }
  })

  test('framework-level refusals answer in the error envelope with a documented code', async () => {
    const long = 'd'.repeat(251)
    assert.equal(envelope(await inject('GET', `/api/v1/environments/local/dags/${long}`), 414).code, 'uri_too_long')
    assert.equal(envelope(await inject('GET', '/api/v1/environments/local/dags/%E0%A4%A'), 400).code, 'invalid_input')
    assert.equal(envelope(await inject('GET', '/api/v1/nowhere'), 404).code, 'not_found')
    assert.equal(envelope(await inject('TRACE', '/api/v1/me'), 405).code, 'method_not_allowed')
    assert.equal(envelope(await inject('DELETE', '/api/v1/environments'), 405).code, 'method_not_allowed')
    assert.equal(envelope(await inject('POST', '/api/v1/authorize', { payload: 'action=dag:read', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415).code, 'unsupported_media_type')
    assert.equal(envelope(await inject('POST', '/api/v1/authorize', { payload: JSON.stringify({ reason: 'x'.repeat(1_100_000) }), headers: { 'content-type': 'application/json' } }), 413).code, 'payload_too_large')
    const proto = envelope(await inject('POST', '/api/v1/environments/local/dags/etl_daily/runs', { payload: '{"conf":{"__proto__":{"admin":true}}}', headers: { 'content-type': 'application/json' } }), 400)
    assert.equal(proto.code, 'invalid_input')
    assert.match(proto.message, /__proto__/)
    const broken = envelope(await inject('POST', '/api/v1/authorize', { payload: '{"action":', headers: { 'content-type': 'application/json' } }), 400)
    assert.equal(broken.code, 'invalid_input')
    assert.match(broken.message, /not valid JSON/)
  })

  test('headers larger than Node accepts get 431 in the error envelope', async () => {
    const res = await raw('GET', '/api/v1/me', { headers: { 'x-filler': 'y'.repeat(20_000) } })
    assert.equal(envelope(res, 431).code, 'headers_too_large')
  })

  test('unknown API and sign-in paths get not_found in the envelope', async () => {
    const res = await inject('GET', '/auth/nowhere')
    assert.equal(envelope(res, 404).code, 'not_found')
  })
})

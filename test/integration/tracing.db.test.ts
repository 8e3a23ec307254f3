import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { pino } from 'pino'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startTestApp } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts'

type TestApp = Awaited<ReturnType<typeof startTestApp>>

const TRIGGER = '/api/v1/environments/local/dags/etl_daily/runs'
const TRIGGER_ROUTE = 'POST /api/v1/environments/:env/dags/:dag/runs'
const STEPS = ['conductor.authorize', 'conductor.approve', 'conductor.dispatch', 'conductor.track']
const COLLECTOR_TOKEN = 'Bearer otlp-collector-secret-4242'

/** Conductor over the stub Airflow, listening and with its catalog synced; its JSON log lines kept in `lines`. */
async function start(database: TestDatabase, airflow: StubAirflow, tracing: Record<string, unknown>, lines: Record<string, unknown>[] = []): Promise<{ app: TestApp; url: string; alice: string }> {
  const app = await startTestApp({
    databaseUrl: database.url,
    environments: [{ name: 'local', url: airflow.url }],
    extraConfig: { tracing, metrics: { enabled: false } },
    secrets: { 'otlp-token': COLLECTOR_TOKEN },
    app: { logger: pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>) } }) },
  })
  try {
    const url = await app.listen()
    await app.governance.catalog.syncAll()
    return { app, url, alice: await app.tokenFor('alice') }
  } catch (error) {
    await app.close()
    throw error
  }
}

async function trigger(url: string, token: string, headers: Record<string, string> = {}) {
  const started = performance.now()
  const res = await fetch(`${url}${TRIGGER}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ conf: {} }),
  })
  const body = await res.json() as { request: { id: string } }
  return { status: res.status, requestOf: body.request.id, requestId: res.headers.get('x-request-id')!, ms: performance.now() - started }
}

function only(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((s) => s.name === name)
  assert.equal(found.length, 1, `one span ${name}, got ${found.length}: ${spans.map((s) => s.name).join(', ')}`)
  return found[0]!
}

// Traces as an operator's collector sees them: Conductor (real HTTP server on loopback) exports OTLP/HTTP JSON to a
// loopback receiver, and calls a stub Airflow that records the `traceparent` it is sent.
forEachEngine((engine) => {
  let database: TestDatabase
  let airflow: StubAirflow
  let receiver: OtlpReceiver

  before(async () => {
    database = await engine.open()
    airflow = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }, { dagId: 'payroll', tags: ['sensitive'], owners: ['finance'] }])
    receiver = await startOtlpReceiver()
  })
  after(async () => {
    await airflow?.close()
    await receiver?.close()
    await database?.close()
  })

  describe('with tracing on', () => {
    let app: TestApp
    let url: string
    let alice: string
    const lines: Record<string, unknown>[] = []
    before(async () => {
      ({ app, url, alice } = await start(database, airflow, {
        enabled: true, endpoint: receiver.endpoint, serviceName: 'conductor-under-test', headers: { authorization: { provider: 'files', secret: 'otlp-token' } },
      }, lines))
    })
    after(async () => { await app?.close() })

    test('a governed trigger continuing the caller\'s trace is one trace: request span, each pipeline step, the Airflow call, linked parent to child', async () => {
      const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736'
      const callerSpan = '00f067aa0ba902b7'
      airflow.received.length = 0
      const res = await trigger(url, alice, { traceparent: `00-${callerTrace}-${callerSpan}-01` })
      assert.equal(res.status, 201)

      const spans = await eventually(() => {
        const mine = receiver.spans().filter((s) => s.traceId === callerTrace)
        return mine.some((s) => s.name === TRIGGER_ROUTE) && mine.some((s) => s.name === 'airflow.triggerRun') ? mine : undefined
      }, { what: 'the trigger\'s spans at the collector', timeoutMs: 10_000 })

      const http = only(spans, TRIGGER_ROUTE)
      assert.equal(http.parentSpanId, callerSpan, 'the request span continues the caller\'s traceparent')
      assert.equal(http.kind, 2)
      assert.equal(http.serviceName, 'conductor-under-test')
      assert.equal(http.attributes['http.request.method'], 'POST')
      assert.equal(http.attributes['http.route'], '/api/v1/environments/:env/dags/:dag/runs')
      assert.equal(http.attributes['http.response.status_code'], 201)

      for (const name of STEPS) {
        const step = only(spans, name)
        assert.equal(step.parentSpanId, http.spanId, `${name} is a child of the request span`)
        assert.equal(step.attributes['conductor.action'], 'dag:trigger')
        assert.equal(step.attributes['conductor.environment'], 'local')
        assert.equal(step.attributes['conductor.dag'], 'etl_daily')
        assert.equal(step.attributes['conductor.principal_type'], 'User')
        assert.equal(step.attributes['conductor.request_id'], res.requestOf)
        assert.equal(step.attributes['conductor.decision'], 'allow')
      }
      assert.equal(only(spans, 'conductor.track').attributes['conductor.request_state'], 'succeeded')

      const airflowCall = only(spans, 'airflow.triggerRun')
      assert.equal(airflowCall.parentSpanId, only(spans, 'conductor.dispatch').spanId, 'the Airflow call is a child of the dispatch step')
      assert.equal(airflowCall.attributes['conductor.environment'], 'local')
      assert.equal(airflowCall.attributes['conductor.dag'], 'etl_daily')

      // Airflow was told the trace, with the Airflow call's span as the parent.
      const sent = airflow.received.find((r) => r.method === 'POST' && r.path === '/api/v2/dags/etl_daily/dagRuns')
      assert.equal(sent?.traceparent, `00-${callerTrace}-${airflowCall.spanId}-01`)

      // No span carries the caller's bearer token, the collector's secret, or anything that looks like a JWT.
      const everything = JSON.stringify(receiver.spans())
      assert.doesNotMatch(everything, /eyJ|otlp-collector-secret/)
      // The collector got the configured header, read from the secrets provider.
      assert.ok(receiver.exports().every((h) => h.authorization === COLLECTOR_TOKEN))
    })

    test('the request\'s audit events carry its trace id and the chain still verifies; its log lines carry trace and span ids', async () => {
      const res = await trigger(url, alice)
      assert.equal(res.status, 201)
      const http = await eventually(() => receiver.spans().find((s) => s.name === TRIGGER_ROUTE && s.attributes['http.response.status_code'] === 201 && s.parentSpanId === ''),
        { what: 'a new root request span' })

      const events = await app.audit.query({ requestId: res.requestOf })
      assert.ok(events.length >= 3, `decision, dispatch and result events, got ${events.map((e) => e.type).join(', ')}`)
      for (const event of events) assert.equal(event.data.traceId, http.traceId, `${event.type} carries the trace id`)
      assert.equal((await app.audit.verify()).ok, true)
      const loaded = await app.audit.query({ type: 'config.loaded' })
      assert.doesNotMatch(JSON.stringify(loaded), /otlp-collector-secret/)
      assert.deepEqual(loaded.at(-1)!.data.tracing, { enabled: true, collector: new URL(receiver.endpoint).origin, sampleRatio: 1, headers: ['authorization'] }, 'the audit trail says where spans go, and which headers (not their values)')

      const completed = lines.find((l) => l.reqId === res.requestId && l.msg === 'request completed')
      assert.equal(completed?.traceId, http.traceId)
      assert.equal(completed?.spanId, http.spanId)
      assert.ok(lines.some((l) => l.reqId === res.requestId && l.msg === 'incoming request' && l.traceId === http.traceId))
    })
  })

  describe('with tracing on, a request that waits for approval', () => {
    let app: TestApp
    let url: string
    before(async () => { ({ app, url } = await start(database, airflow, { enabled: true, endpoint: receiver.endpoint })) })
    after(async () => { await app?.close() })

    test('is authorized and parked in the requester\'s trace, then dispatched to Airflow in the approver\'s', async () => {
      const post = async (path: string, user: string, body: unknown) => fetch(`${url}${path}`, {
        method: 'POST', headers: { authorization: `Bearer ${await app.tokenFor(user)}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      })
      const asked = await post('/api/v1/environments/local/dags/payroll/runs', 'alice', { conf: {}, reason: 'month-end close' })
      assert.equal(asked.status, 202)
      const requestId = (await asked.json() as { request: { id: string } }).request.id
      const approved = await post(`/api/v1/requests/${requestId}/approve`, 'dave', { comment: 'checked' })
      assert.equal(approved.status, 200)

      const ofRequest = (s: ReceivedSpan) => s.attributes['conductor.request_id'] === requestId
      const spans = await eventually(() => {
        const all = receiver.spans()
        const approveSpan = all.find((s) => s.name === 'POST /api/v1/requests/:id/approve')
        return approveSpan && all.some((s) => s.name === 'airflow.triggerRun' && s.traceId === approveSpan.traceId) ? all : undefined
      }, { what: 'the approval\'s spans at the collector' })

      const requester = spans.filter((s) => ofRequest(s) && s.name !== 'conductor.dispatch' && s.name !== 'conductor.track')
      assert.deepEqual(requester.map((s) => s.name).sort(), ['conductor.approve', 'conductor.authorize'])
      assert.equal(only(requester, 'conductor.approve').attributes['conductor.request_state'], 'pending')
      const approverSpan = only(spans, 'POST /api/v1/requests/:id/approve')
      assert.notEqual(approverSpan.traceId, requester[0]!.traceId)
      const dispatchSpan = only(spans.filter(ofRequest), 'conductor.dispatch')
      assert.equal(dispatchSpan.parentSpanId, approverSpan.spanId)
      assert.equal(only(spans.filter(ofRequest), 'conductor.track').parentSpanId, approverSpan.spanId)
      const airflowCall = spans.find((s) => s.name === 'airflow.triggerRun' && s.parentSpanId === dispatchSpan.spanId)
      assert.equal(airflowCall?.attributes['conductor.dag'], 'payroll')
      const sent = airflow.received.find((r) => r.method === 'POST' && r.path === '/api/v2/dags/payroll/dagRuns')
      assert.equal(sent?.traceparent, `00-${approverSpan.traceId}-${airflowCall!.spanId}-01`)
    })
  })

  test('a collector that never answers neither fails nor slows requests, and shutting down waits at most the export timeout', async () => {
    const hanging = await startOtlpReceiver()
    hanging.delay(60_000)
    const { app, url, alice } = await start(database, airflow, { enabled: true, endpoint: hanging.endpoint, exportTimeoutSeconds: 3 })
    try {
      const times: number[] = []
      // Spans are exported every second: the later triggers overlap exports that hang.
      for (let i = 0; i < 8; i++) {
        const res = await trigger(url, alice)
        assert.equal(res.status, 201)
        times.push(res.ms)
      }
      await eventually(() => hanging.pending() > 0, { what: 'an export hanging at the collector' })
      const slowest = Math.max(...times)
      assert.ok(slowest < 3000, `slowest trigger ${slowest.toFixed(0)} ms: an export waiting on the collector (3 s) held a request up`)
    } finally {
      const closing = performance.now()
      await app.close()
      const took = performance.now() - closing
      await hanging.close()
      assert.ok(took < 3000 + 2000, `close took ${took.toFixed(0)} ms with the collector hanging (export timeout 3 s)`)
    }
  })

  test('a collector answering 503 does not fail requests either', async () => {
    const troubled = await startOtlpReceiver()
    troubled.always(503)
    const { app, url, alice } = await start(database, airflow, { enabled: true, endpoint: troubled.endpoint, exportTimeoutSeconds: 1 })
    try {
      const res = await trigger(url, alice)
      assert.equal(res.status, 201)
      await eventually(() => troubled.exports().length > 0, { what: 'an export attempt' })
    } finally {
      await app.close()
      await troubled.close()
    }
  })

  test('with tracing off (the default): nothing is exported, Airflow gets no traceparent, audit events and logs carry no trace id', async () => {
    const lines: Record<string, unknown>[] = []
    const before = receiver.exports().length
    const { app, url, alice } = await start(database, airflow, { endpoint: receiver.endpoint }, lines)
    try {
      airflow.received.length = 0
      const res = await trigger(url, alice, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })
      assert.equal(res.status, 201)
      assert.ok(airflow.received.length > 0)
      assert.ok(airflow.received.every((r) => r.traceparent === null))
      for (const event of await app.audit.query({ requestId: res.requestOf })) assert.equal(event.data.traceId, undefined)
      assert.ok(lines.length > 0)
      assert.ok(lines.every((l) => l.traceId === undefined))
    } finally {
      await app.close()
    }
    assert.equal(receiver.exports().length, before)
  })
})

import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { MockAgent } from 'undici'
import type { EnvironmentConfig } from '../config/index.ts'
import { fixedClock, isConductorError } from '../core/index.ts'
import { createSecrets, type Secrets } from '../secrets/index.ts'
import { createOrchestrator } from './create-orchestrator.ts'

const ORIGIN = 'http://airflow.test:8080'
const PASSWORD = 'pw-very-secret-1'

function env(overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return {
    name: 'prod-eu', kind: 'airflow3', url: ORIGIN, zone: 'eu', tier: 'prod',
    credentials: { provider: 'mem', secret: 'airflow' }, timeoutMs: 2_000, retries: 2, ...overrides,
  }
}

/** An unsigned JWT with the given claims; the adapter only decodes it. */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'HS512', typ: 'JWT' })}.${part(claims)}.c2ln`
}

function header(headers: unknown, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined
  const record = (headers ?? {}) as Record<string, string | string[]>
  const value = record[name] ?? record[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

const JSON_HEADERS = { headers: { 'content-type': 'application/json' } }

function dag(id: string, extra: Record<string, unknown> = {}) {
  return { dag_id: id, description: `about ${id}`, tags: [{ name: 'team:x', dag_id: id }], owners: ['x'], is_paused: false, timetable_summary: '0 0 * * *', fileloc: `/dags/${id}.py`, ...extra }
}

function run(runId: string, extra: Record<string, unknown> = {}) {
  return {
    dag_id: 'etl', dag_run_id: runId, state: 'queued', run_type: 'manual', logical_date: null, queued_at: '2026-01-01T00:00:00Z',
    start_date: null, end_date: null, conf: { a: 1 }, note: 'n', triggered_by: 'rest_api', triggering_user_name: 'svc', ...extra,
  }
}

describe('Airflow 3 orchestrator (MockAgent)', () => {
  let agent: MockAgent
  let secretValues: Map<string, string>
  let secrets: Secrets
  let tokenRequests: { username: string; password: string }[]
  let now: number

  beforeEach(() => {
    agent = new MockAgent()
    agent.disableNetConnect()
    secretValues = new Map([['airflow', JSON.stringify({ username: 'svc', password: PASSWORD })]])
    secrets = createSecrets({ providers: [], custom: [{ name: 'mem', get: async (name) => secretValues.get(name)!, close: () => {} }] })
    tokenRequests = []
    now = Date.UTC(2026, 0, 1) / 1000
  })
  afterEach(async () => { await agent.close() })

  /** Answers `times` token requests, each with a fresh JWT valid for an hour from `now`. */
  function tokens(times = 1) {
    let n = 0
    agent.get(ORIGIN).intercept({ path: '/auth/token', method: 'POST' }).reply((opts) => {
      tokenRequests.push(JSON.parse(String(opts.body)))
      n++
      return { statusCode: 201, data: { access_token: jwt({ sub: 'svc', n, iat: now, exp: now + 3600 }) }, responseOptions: JSON_HEADERS }
    }).times(times)
  }

  function orchestrator(overrides: Partial<EnvironmentConfig> = {}, clock = fixedClock(now * 1000)) {
    return createOrchestrator(env(overrides), { secrets, clock, dispatcher: agent, retryBaseMs: 1 })
  }

  it('gets a token with the secret\'s credentials, reuses it, and sends it as a bearer token', async () => {
    tokens(1)
    const seen: string[] = []
    agent.get(ORIGIN).intercept({ path: /^\/api\/v2\/dags\/etl$/, method: 'GET' }).reply((opts) => {
      seen.push(header(opts.headers, 'authorization') ?? '')
      return { statusCode: 200, data: dag('etl'), responseOptions: JSON_HEADERS }
    }).times(2)
    const o = orchestrator()
    assert.deepEqual(await o.getDag('etl'), { dagId: 'etl', description: 'about etl', tags: ['team:x'], owners: ['x'], paused: false, schedule: '0 0 * * *', fileloc: '/dags/etl.py' })
    await o.getDag('etl')
    assert.deepEqual(tokenRequests, [{ username: 'svc', password: PASSWORD }])
    assert.equal(seen.length, 2)
    assert.match(seen[0]!, /^Bearer ey/)
    assert.equal(seen[0], seen[1])
  })

  it('fetches a new token before the old one expires, with the rotated password', async () => {
    tokens(2)
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl', method: 'GET' }).reply(200, dag('etl'), JSON_HEADERS).times(2)
    const clock = fixedClock(now * 1000)
    const o = orchestrator({}, clock)
    await o.getDag('etl')
    secretValues.set('airflow', JSON.stringify({ username: 'svc', password: 'rotated-pw-2' }))
    clock.advance(3600_000 - 30_000) // inside the last minute of the token's life
    await o.getDag('etl')
    assert.deepEqual(tokenRequests.map((r) => r.password), [PASSWORD, 'rotated-pw-2'])
  })

  it('fetches a new token once on a 401 and succeeds', async () => {
    tokens(2)
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl', method: 'GET' }).reply(401, { detail: 'Not authenticated' }, JSON_HEADERS)
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl', method: 'GET' }).reply(200, dag('etl'), JSON_HEADERS)
    assert.equal((await orchestrator().getDag('etl')).dagId, 'etl')
    assert.equal(tokenRequests.length, 2)
  })

  it('gives orchestrator_auth_failed when a fresh token is refused too, without password or token', async () => {
    tokens(2)
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl', method: 'GET' }).reply(403, { detail: 'Invalid JWT token' }, JSON_HEADERS).times(2)
    await assert.rejects(orchestrator().getDag('etl'), (error) => {
      assert.ok(isConductorError(error, 'orchestrator_auth_failed'))
      assert.equal(error.details?.environment, 'prod-eu')
      const text = `${error.message} ${JSON.stringify(error.details)}`
      assert.doesNotMatch(text, new RegExp(PASSWORD))
      assert.doesNotMatch(text, /eyJ/)
      return true
    })
    assert.equal(tokenRequests.length, 2)
  })

  it('gives orchestrator_auth_failed when Airflow refuses the credentials, even if it echoes them', async () => {
    agent.get(ORIGIN).intercept({ path: '/auth/token', method: 'POST' }).reply(401, { detail: `Invalid credentials for svc/${PASSWORD}` }, JSON_HEADERS)
    await assert.rejects(orchestrator().listDags(), (error) => {
      assert.ok(isConductorError(error, 'orchestrator_auth_failed'))
      assert.doesNotMatch(`${error.message} ${JSON.stringify(error.details)}`, new RegExp(PASSWORD))
      return true
    })
  })

  it('retries idempotent calls on 5xx and connection errors, then succeeds', async () => {
    tokens(1)
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/api/v2/dags/etl', method: 'GET' }).reply(503, { detail: 'busy' }, JSON_HEADERS)
    pool.intercept({ path: '/api/v2/dags/etl', method: 'GET' }).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
    pool.intercept({ path: '/api/v2/dags/etl', method: 'GET' }).reply(200, dag('etl'), JSON_HEADERS)
    assert.equal((await orchestrator().getDag('etl')).dagId, 'etl')
  })

  it('gives orchestrator_unavailable naming the environment once retries run out', async () => {
    tokens(1)
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl', method: 'GET' }).reply(502, 'Bad Gateway').times(3)
    await assert.rejects(orchestrator().getDag('etl'), (error) => {
      assert.ok(isConductorError(error, 'orchestrator_unavailable'))
      assert.match(error.message, /"prod-eu"/)
      assert.equal(error.details?.environment, 'prod-eu')
      assert.equal(error.details?.status, 502)
      return true
    })
    agent.assertNoPendingInterceptors()
  })

  it('retries the pause PATCH, which is idempotent', async () => {
    tokens(1)
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl?update_mask=is_paused', method: 'PATCH' }).reply(500, { detail: 'db locked' }, JSON_HEADERS)
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl?update_mask=is_paused', method: 'PATCH', body: '{"is_paused":true}' })
      .reply(200, dag('etl', { is_paused: true }), JSON_HEADERS)
    assert.equal((await orchestrator().setPaused('etl', true)).paused, true)
  })

  it('never retries a trigger or a clear', async () => {
    tokens(1)
    const calls = { trigger: 0, clear: 0 }
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl/dagRuns', method: 'POST' })
      .reply(() => { calls.trigger++; return { statusCode: 503, data: { detail: 'busy' }, responseOptions: JSON_HEADERS } }).persist()
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl/clearTaskInstances', method: 'POST' })
      .reply(() => { calls.clear++; return { statusCode: 500, data: { detail: 'boom' }, responseOptions: JSON_HEADERS } }).persist()
    const o = orchestrator({ retries: 5 })
    await assert.rejects(o.triggerRun('etl', { runId: 'r1', conf: {}, logicalDate: null }), (e) => isConductorError(e, 'orchestrator_unavailable'))
    await assert.rejects(o.clearFailedTasks('etl', 'r1'), (e) => isConductorError(e, 'orchestrator_unavailable'))
    assert.deepEqual(calls, { trigger: 1, clear: 1 })
  })

  it('sends the trigger body Airflow 3 requires and maps the run', async () => {
    tokens(1)
    let body: Record<string, unknown> = {}
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl/dagRuns', method: 'POST' }).reply((opts) => {
      body = JSON.parse(String(opts.body))
      return { statusCode: 200, data: run('conductor__r1'), responseOptions: JSON_HEADERS }
    })
    const created = await orchestrator().triggerRun('etl', { runId: 'conductor__r1', conf: { a: 1 }, logicalDate: null, note: 'by alice' })
    assert.deepEqual(body, { dag_run_id: 'conductor__r1', logical_date: null, conf: { a: 1 }, note: 'by alice' })
    assert.ok(Object.hasOwn(body, 'logical_date'))
    assert.deepEqual(created, {
      dagId: 'etl', runId: 'conductor__r1', state: 'queued', runType: 'manual', logicalDate: null, queuedAt: '2026-01-01T00:00:00Z',
      startDate: null, endDate: null, conf: { a: 1 }, note: 'n', triggeredBy: 'svc',
    })
  })

  it('maps 404s to dag_not_found, run_not_found and task_not_found, 409 to conflict, other 4xx to rejected', async () => {
    tokens(1)
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/api/v2/dags/nope', method: 'GET' }).reply(404, { detail: 'The Dag with ID: `nope` was not found' }, JSON_HEADERS)
    pool.intercept({ path: '/api/v2/dags/etl/dagRuns/nope', method: 'GET' }).reply(404, { detail: 'The DagRun with dag_id: `etl` and run_id: `nope` was not found' }, JSON_HEADERS)
    pool.intercept({ path: '/api/v2/dags/etl/dagRuns/r1/taskInstances/nope', method: 'GET' }).reply(404, { detail: 'The Task Instance with dag_id: `etl`, run_id: `r1` and task_id: `nope` was not found' }, JSON_HEADERS)
    pool.intercept({ path: '/api/v2/dags/etl/dagRuns', method: 'POST' }).reply(409, { detail: { reason: 'Unique constraint violation', statement: 'hidden' } }, JSON_HEADERS)
    pool.intercept({ path: '/api/v2/dags/etl/dagRuns', method: 'POST' })
      .reply(422, { detail: [{ type: 'missing', loc: ['body', 'logical_date'], msg: 'Field required', input: { secret: 'echoed-input' } }] }, JSON_HEADERS)
    const o = orchestrator()
    await assert.rejects(o.getDag('nope'), (e) => isConductorError(e, 'dag_not_found') && e.details?.dagId === 'nope')
    await assert.rejects(o.getRun('etl', 'nope'), (e) => isConductorError(e, 'run_not_found') && /Run "nope"/.test(e.message))
    await assert.rejects(o.getTaskLog('etl', 'r1', 'nope'), (e) => isConductorError(e, 'task_not_found'))
    await assert.rejects(o.triggerRun('etl', { runId: 'r1', conf: {}, logicalDate: null }), (e) => isConductorError(e, 'orchestrator_conflict') && /"r1".*already exists/.test(e.message))
    await assert.rejects(o.triggerRun('etl', { runId: 'r2', conf: {}, logicalDate: null }), (e) => {
      assert.ok(isConductorError(e, 'orchestrator_rejected'))
      assert.match(e.message, /body\.logical_date: Field required/)
      assert.doesNotMatch(e.message, /echoed-input/)
      return true
    })
  })

  it('follows paging to the end when listing DAGs', async () => {
    tokens(1)
    const all = Array.from({ length: 230 }, (_, i) => dag(`dag_${String(i).padStart(3, '0')}`))
    agent.get(ORIGIN).intercept({ path: (p) => p.startsWith('/api/v2/dags?'), method: 'GET' }).reply((opts) => {
      const query = new URL(opts.path, ORIGIN).searchParams
      const offset = Number(query.get('offset')); const limit = Number(query.get('limit'))
      return { statusCode: 200, data: { dags: all.slice(offset, offset + limit), total_entries: all.length }, responseOptions: JSON_HEADERS }
    }).times(3)
    const dags = await orchestrator().listDags()
    assert.equal(dags.length, 230)
    assert.equal(dags[229]?.dagId, 'dag_229')
    agent.assertNoPendingInterceptors()
  })

  it('asks for runs newest first and clears only failed tasks for real', async () => {
    tokens(1)
    let clearBody: Record<string, unknown> = {}
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl/dagRuns?limit=2&offset=0&order_by=-run_after&order_by=-id', method: 'GET' })
      .reply(200, { dag_runs: [run('b'), run('a')], total_entries: 2 }, JSON_HEADERS)
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl/clearTaskInstances', method: 'POST' }).reply((opts) => {
      clearBody = JSON.parse(String(opts.body))
      return { statusCode: 200, data: { task_instances: [{ task_id: 'flaky', map_index: 0 }, { task_id: 'flaky', map_index: 1 }], total_entries: 2 }, responseOptions: JSON_HEADERS }
    })
    const o = orchestrator()
    assert.deepEqual((await o.listRuns('etl', { limit: 2 })).map((r) => r.runId), ['b', 'a'])
    assert.deepEqual(await o.clearFailedTasks('etl', 'r1'), { taskIds: ['flaky'] })
    assert.equal(clearBody.dry_run, false)
    assert.equal(clearBody.only_failed, true)
    assert.equal(clearBody.dag_run_id, 'r1')
  })

  it('reads the latest try\'s structured log as lines and passes the continuation token', async () => {
    tokens(1)
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl/dagRuns/r%3A1/taskInstances/t', method: 'GET' }).reply(200, { task_id: 't', try_number: 2 }, JSON_HEADERS)
    agent.get(ORIGIN).intercept({ path: '/api/v2/dags/etl/dagRuns/r%3A1/taskInstances/t/logs/2?token=abc', method: 'GET' }).reply(200, {
      content: [
        { event: '::group::Log message source details' },
        { timestamp: '2026-01-01T00:00:01Z', level: 'info', event: 'hello' },
        { timestamp: '2026-01-01T00:00:02Z', level: 'error', event: 'Task failed with exception', error_detail: [{ exc_type: 'RuntimeError', exc_value: 'boom' }] },
      ],
      continuation_token: 'next-1',
    }, JSON_HEADERS)
    const log = await orchestrator().getTaskLog('etl', 'r:1', 't', { continuationToken: 'abc' })
    assert.deepEqual(log, {
      tryNumber: 2,
      lines: ['2026-01-01T00:00:01Z [info] hello', '2026-01-01T00:00:02Z [error] Task failed with exception — RuntimeError: boom'],
      continuationToken: 'next-1',
    })
  })

  it('reports health without credentials, and an unreachable Airflow as not reachable', async () => {
    agent.get(ORIGIN).intercept({ path: '/api/v2/monitor/health', method: 'GET' })
      .reply(200, { metadatabase: { status: 'healthy' }, scheduler: { status: 'unhealthy' } }, JSON_HEADERS)
    agent.get(ORIGIN).intercept({ path: '/api/v2/version', method: 'GET' }).reply(200, { version: '3.3.2' }, JSON_HEADERS)
    assert.deepEqual(await orchestrator().health(), { reachable: true, version: '3.3.2', detail: 'scheduler: unhealthy' })
    agent.get(ORIGIN).intercept({ path: '/api/v2/monitor/health', method: 'GET' }).replyWithError(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }))
    const health = await orchestrator().health()
    assert.equal(health.reachable, false)
    assert.match(health.detail ?? '', /prod-eu/)
  })

  it('gives up on a hung Airflow after timeoutMs with orchestrator_unavailable', async () => {
    const server = createServer(() => { /* never answers */ })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const o = createOrchestrator(env({ url, timeoutMs: 200, retries: 1 }), { secrets, retryBaseMs: 1 })
    const started = Date.now()
    try {
      await assert.rejects(o.listDags(), (e) => isConductorError(e, 'orchestrator_unavailable') && e.details?.reason === 'timeout')
      assert.ok(Date.now() - started < 2_000)
    } finally {
      await o.close()
      server.closeAllConnections()
      await new Promise((done) => server.close(done))
    }
  })
})

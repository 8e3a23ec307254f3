import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { MockAgent } from 'undici'
import type { EnvironmentConfig } from '../config/index.ts'
import { fixedClock, isConductorError } from '../core/index.ts'
import { createSecrets, type Secrets } from '../secrets/index.ts'
import { createOrchestrator } from './create-orchestrator.ts'

const JSON_HEADERS = { headers: { 'content-type': 'application/json' } }
const PASSWORD = 'pw-very-secret-1'
const NOW = Date.UTC(2026, 0, 1) / 1000

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

function dag(id: string, extra: Record<string, unknown> = {}) {
  return { dag_id: id, description: `about ${id}`, tags: [{ name: 'team:x', dag_id: id }], owners: ['x'], is_paused: false, timetable_summary: '0 0 * * *', fileloc: `/dags/${id}.py`, ...extra }
}

function run(runId: string, extra: Record<string, unknown> = {}) {
  return {
    dag_id: 'etl', dag_run_id: runId, state: 'queued', run_type: 'manual', logical_date: null, queued_at: '2026-01-01T00:00:00Z',
    start_date: null, end_date: null, conf: { a: 1 }, note: 'n', triggered_by: 'rest_api', triggering_user_name: 'svc', ...extra,
  }
}

/** One Airflow generation as these tests fake it. */
interface Version {
  kind: EnvironmentConfig['kind']
  origin: string
  /** The environment's name (each version's tests use their own, to show it is carried into errors). */
  name: string
  prefix: string
  /** The `order_by` part of a runs query. */
  runsOrder: string
}

const AIRFLOW3: Version = { kind: 'airflow3', origin: 'http://airflow.test:8080', name: 'prod-eu', prefix: '/api/v2', runsOrder: 'order_by=-run_after&order_by=-id' }
const AIRFLOW2: Version = { kind: 'airflow2', origin: 'http://airflow2.test:8080', name: 'legacy', prefix: '/api/v1', runsOrder: 'order_by=-execution_date' }

/** A MockAgent, an in-memory secrets provider holding `{"username":"svc","password":PASSWORD}`, and an orchestrator factory. */
function fake(version: Version) {
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
    credentials: { provider: 'mem', secret: 'airflow' }, timeoutMs: 2_000, retries: 2, ...overrides,
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

for (const version of [AIRFLOW3, AIRFLOW2]) {
  describe(`Airflow adapter, either version: ${version.kind} (${version.prefix}, MockAgent)`, () => {
    const t = fake(version)
    const { prefix } = version

    it('retries idempotent calls on 5xx and connection errors, then succeeds', async () => {
      t.signIn(1)
      const pool = t.pool()
      pool.intercept({ path: `${prefix}/dags/etl`, method: 'GET' }).reply(503, { detail: 'busy' }, JSON_HEADERS)
      pool.intercept({ path: `${prefix}/dags/etl`, method: 'GET' }).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
      pool.intercept({ path: `${prefix}/dags/etl`, method: 'GET' }).reply(200, dag('etl'), JSON_HEADERS)
      assert.equal((await t.orchestrator().getDag('etl')).dagId, 'etl')
    })

    it('gives orchestrator_unavailable naming the environment once retries run out', async () => {
      t.signIn(1)
      t.pool().intercept({ path: `${prefix}/dags/etl`, method: 'GET' }).reply(502, 'Bad Gateway').times(3)
      await assert.rejects(t.orchestrator().getDag('etl'), (error) => {
        assert.ok(isConductorError(error, 'orchestrator_unavailable'))
        assert.match(error.message, new RegExp(`"${version.name}"`))
        assert.equal(error.details?.environment, version.name)
        assert.equal(error.details?.status, 502)
        return true
      })
      t.agent.assertNoPendingInterceptors()
    })

    it('retries reads of runs on 5xx, asks for them newest first, and gives orchestrator_unavailable after the last retry', async () => {
      t.signIn(1)
      const pool = t.pool()
      pool.intercept({ path: (p) => p.startsWith(`${prefix}/dags/etl/dagRuns?`), method: 'GET' }).reply(503, 'down').times(2)
      pool.intercept({ path: `${prefix}/dags/etl/dagRuns?limit=100&offset=0&${version.runsOrder}`, method: 'GET' })
        .reply(200, { dag_runs: [run('b', { state: 'success' })], total_entries: 1 }, JSON_HEADERS)
      pool.intercept({ path: `${prefix}/dags/etl/dagRuns?limit=2&offset=0&${version.runsOrder}`, method: 'GET' })
        .reply(200, { dag_runs: [run('b'), run('a')], total_entries: 2 }, JSON_HEADERS)
      const o = t.orchestrator()
      assert.deepEqual((await o.listRuns('etl')).map((r) => r.runId), ['b'])
      assert.deepEqual((await o.listRuns('etl', { limit: 2 })).map((r) => r.runId), ['b', 'a'])
      pool.intercept({ path: `${prefix}/dags/etl`, method: 'GET' }).reply(500, { title: 'Internal Server Error' }, JSON_HEADERS).times(3)
      await assert.rejects(o.getDag('etl'), (e) => isConductorError(e, 'orchestrator_unavailable') && e.details?.environment === version.name)
      t.agent.assertNoPendingInterceptors()
    })

    it('retries the pause PATCH, which is idempotent', async () => {
      t.signIn(1)
      t.pool().intercept({ path: `${prefix}/dags/etl?update_mask=is_paused`, method: 'PATCH' }).reply(500, { detail: 'db locked' }, JSON_HEADERS)
      t.pool().intercept({ path: `${prefix}/dags/etl?update_mask=is_paused`, method: 'PATCH', body: '{"is_paused":true}' })
        .reply(200, dag('etl', { is_paused: true }), JSON_HEADERS)
      assert.equal((await t.orchestrator().setPaused('etl', true)).paused, true)
    })

    it('never retries a trigger or a clear', async () => {
      t.signIn(1)
      const calls = { trigger: 0, clear: 0 }
      t.pool().intercept({ path: `${prefix}/dags/etl/dagRuns`, method: 'POST' })
        .reply(() => { calls.trigger++; return { statusCode: 503, data: { detail: 'busy' }, responseOptions: JSON_HEADERS } }).persist()
      t.pool().intercept({ path: `${prefix}/dags/etl/clearTaskInstances`, method: 'POST' })
        .reply(() => { calls.clear++; return { statusCode: 500, data: { detail: 'boom' }, responseOptions: JSON_HEADERS } }).persist()
      const o = t.orchestrator({ retries: 5 })
      await assert.rejects(o.triggerRun('etl', { runId: 'r1', conf: {}, logicalDate: null }), (e) => isConductorError(e, 'orchestrator_unavailable'))
      await assert.rejects(o.clearFailedTasks('etl', 'r1'), (e) => isConductorError(e, 'orchestrator_unavailable'))
      assert.deepEqual(calls, { trigger: 1, clear: 1 })
    })

    it('follows paging to the end when listing DAGs', async () => {
      t.signIn(1)
      const all = Array.from({ length: 230 }, (_, i) => dag(`dag_${String(i).padStart(3, '0')}`))
      t.pool().intercept({ path: (p) => p.startsWith(`${prefix}/dags?`), method: 'GET' }).reply((opts) => {
        const query = new URL(opts.path, version.origin).searchParams
        const offset = Number(query.get('offset')); const limit = Number(query.get('limit'))
        return { statusCode: 200, data: { dags: all.slice(offset, offset + limit), total_entries: all.length }, responseOptions: JSON_HEADERS }
      }).times(3)
      const dags = await t.orchestrator().listDags()
      assert.equal(dags.length, 230)
      assert.equal(dags[229]?.dagId, 'dag_229')
      t.agent.assertNoPendingInterceptors()
    })

    it('clears only the failed tasks of the run, for real', async () => {
      t.signIn(1)
      let clearBody: Record<string, unknown> = {}
      t.pool().intercept({ path: `${prefix}/dags/etl/clearTaskInstances`, method: 'POST' }).reply((opts) => {
        clearBody = JSON.parse(String(opts.body))
        return { statusCode: 200, data: { task_instances: [{ task_id: 'flaky', map_index: 0 }, { task_id: 'flaky', map_index: 1 }, { task_id: 'load' }], total_entries: 3 }, responseOptions: JSON_HEADERS }
      })
      assert.deepEqual(await t.orchestrator().clearFailedTasks('etl', 'r1'), { taskIds: ['flaky', 'load'] })
      assert.deepEqual(clearBody, { dry_run: false, dag_run_id: 'r1', only_failed: true, reset_dag_runs: true })
    })

    it('reports an unreachable Airflow as not reachable, naming the environment', async () => {
      t.pool().intercept({ path: version.kind === 'airflow3' ? '/api/v2/monitor/health' : '/api/v1/health', method: 'GET' })
        .replyWithError(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }))
      const health = await t.orchestrator().health()
      assert.equal(health.reachable, false)
      assert.match(health.detail ?? '', new RegExp(version.name))
    })

    it('gives up on a hung Airflow after timeoutMs with orchestrator_unavailable', async () => {
      const server = createServer(() => { /* never answers */ })
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const o = createOrchestrator(t.env({ url, timeoutMs: 200, retries: 1 }), { secrets: t.secrets, retryBaseMs: 1 })
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
}

describe('Airflow adapter on Airflow 3 (/api/v2, airflow-token credentials, MockAgent)', () => {
  const t = fake(AIRFLOW3)

  it('gets a token with the secret\'s credentials, reuses it, and sends it as a bearer token', async () => {
    t.signIn(1)
    const seen: string[] = []
    t.pool().intercept({ path: /^\/api\/v2\/dags\/etl$/, method: 'GET' }).reply((opts) => {
      seen.push(header(opts.headers, 'authorization') ?? '')
      return { statusCode: 200, data: dag('etl'), responseOptions: JSON_HEADERS }
    }).times(2)
    const o = t.orchestrator()
    assert.deepEqual(await o.getDag('etl'), { dagId: 'etl', description: 'about etl', tags: ['team:x'], owners: ['x'], paused: false, schedule: '0 0 * * *', fileloc: '/dags/etl.py' })
    await o.getDag('etl')
    assert.deepEqual(t.tokenRequests, [{ username: 'svc', password: PASSWORD }])
    assert.equal(seen.length, 2)
    assert.match(seen[0]!, /^Bearer ey/)
    assert.equal(seen[0], seen[1])
  })

  it('fetches a new token before the old one expires, with the rotated password', async () => {
    t.signIn(2)
    t.pool().intercept({ path: '/api/v2/dags/etl', method: 'GET' }).reply(200, dag('etl'), JSON_HEADERS).times(2)
    const clock = fixedClock(NOW * 1000)
    const o = t.orchestrator({}, clock)
    await o.getDag('etl')
    t.secretValues.set('airflow', JSON.stringify({ username: 'svc', password: 'rotated-pw-2' }))
    clock.advance(3600_000 - 30_000) // inside the last minute of the token's life
    await o.getDag('etl')
    assert.deepEqual(t.tokenRequests.map((r) => r.password), [PASSWORD, 'rotated-pw-2'])
  })

  it('fetches a new token once on a 401 and succeeds', async () => {
    t.signIn(2)
    t.pool().intercept({ path: '/api/v2/dags/etl', method: 'GET' }).reply(401, { detail: 'Not authenticated' }, JSON_HEADERS)
    t.pool().intercept({ path: '/api/v2/dags/etl', method: 'GET' }).reply(200, dag('etl'), JSON_HEADERS)
    assert.equal((await t.orchestrator().getDag('etl')).dagId, 'etl')
    assert.equal(t.tokenRequests.length, 2)
  })

  it('gives orchestrator_auth_failed when a fresh token is refused too, without password or token', async () => {
    t.signIn(2)
    t.pool().intercept({ path: '/api/v2/dags/etl', method: 'GET' }).reply(403, { detail: 'Invalid JWT token' }, JSON_HEADERS).times(2)
    await assert.rejects(t.orchestrator().getDag('etl'), (error) => {
      assert.ok(isConductorError(error, 'orchestrator_auth_failed'))
      assert.equal(error.details?.environment, 'prod-eu')
      const text = `${error.message} ${JSON.stringify(error.details)}`
      assert.doesNotMatch(text, new RegExp(PASSWORD))
      assert.doesNotMatch(text, /eyJ/)
      return true
    })
    assert.equal(t.tokenRequests.length, 2)
  })

  it('gives orchestrator_auth_failed when Airflow refuses the credentials, even if it echoes them', async () => {
    t.pool().intercept({ path: '/auth/token', method: 'POST' }).reply(401, { detail: `Invalid credentials for svc/${PASSWORD}` }, JSON_HEADERS)
    await assert.rejects(t.orchestrator().listDags(), (error) => {
      assert.ok(isConductorError(error, 'orchestrator_auth_failed'))
      assert.doesNotMatch(`${error.message} ${JSON.stringify(error.details)}`, new RegExp(PASSWORD))
      return true
    })
  })

  it('says the environment may not be Airflow 3 when it has no /auth/token', async () => {
    t.pool().intercept({ path: '/auth/token', method: 'POST' }).reply(404, { detail: 'Not Found' }, JSON_HEADERS)
    await assert.rejects(t.orchestrator().listDags(), (e) => isConductorError(e, 'orchestrator_rejected') && /kind: airflow3/.test(e.message))
  })

  it('sends the trigger body Airflow 3 requires and maps the run', async () => {
    t.signIn(1)
    let body: Record<string, unknown> = {}
    t.pool().intercept({ path: '/api/v2/dags/etl/dagRuns', method: 'POST' }).reply((opts) => {
      body = JSON.parse(String(opts.body))
      return { statusCode: 200, data: run('conductor__r1'), responseOptions: JSON_HEADERS }
    })
    const created = await t.orchestrator().triggerRun('etl', { runId: 'conductor__r1', conf: { a: 1 }, logicalDate: null, note: 'by alice' })
    assert.deepEqual(body, { dag_run_id: 'conductor__r1', logical_date: null, conf: { a: 1 }, note: 'by alice' })
    assert.ok(Object.hasOwn(body, 'logical_date'))
    assert.deepEqual(created, {
      dagId: 'etl', runId: 'conductor__r1', state: 'queued', runType: 'manual', logicalDate: null, queuedAt: '2026-01-01T00:00:00Z',
      startDate: null, endDate: null, conf: { a: 1 }, note: 'n', triggeredBy: 'svc',
    })
  })

  it('maps 404s to dag_not_found, run_not_found and task_not_found, 409 to conflict, other 4xx to rejected', async () => {
    t.signIn(1)
    const pool = t.pool()
    pool.intercept({ path: '/api/v2/dags/nope', method: 'GET' }).reply(404, { detail: 'The Dag with ID: `nope` was not found' }, JSON_HEADERS)
    pool.intercept({ path: '/api/v2/dags/etl/dagRuns/nope', method: 'GET' }).reply(404, { detail: 'The DagRun with dag_id: `etl` and run_id: `nope` was not found' }, JSON_HEADERS)
    pool.intercept({ path: '/api/v2/dags/etl/dagRuns/r1/taskInstances/nope', method: 'GET' }).reply(404, { detail: 'The Task Instance with dag_id: `etl`, run_id: `r1` and task_id: `nope` was not found' }, JSON_HEADERS)
    pool.intercept({ path: '/api/v2/dags/etl/dagRuns', method: 'POST' }).reply(409, { detail: { reason: 'Unique constraint violation', statement: 'hidden' } }, JSON_HEADERS)
    pool.intercept({ path: '/api/v2/dags/etl/dagRuns', method: 'POST' })
      .reply(422, { detail: [{ type: 'missing', loc: ['body', 'logical_date'], msg: 'Field required', input: { secret: 'echoed-input' } }] }, JSON_HEADERS)
    const o = t.orchestrator()
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

  it('reads the latest try\'s structured log as lines and passes the continuation token', async () => {
    t.signIn(1)
    t.pool().intercept({ path: '/api/v2/dags/etl/dagRuns/r%3A1/taskInstances/t', method: 'GET' }).reply(200, { task_id: 't', try_number: 2 }, JSON_HEADERS)
    t.pool().intercept({ path: '/api/v2/dags/etl/dagRuns/r%3A1/taskInstances/t/logs/2?token=abc', method: 'GET' }).reply(200, {
      content: [
        { event: '::group::Log message source details' },
        { timestamp: '2026-01-01T00:00:01Z', level: 'info', event: 'hello' },
        { timestamp: '2026-01-01T00:00:02Z', level: 'error', event: 'Task failed with exception', error_detail: [{ exc_type: 'RuntimeError', exc_value: 'boom' }] },
      ],
      continuation_token: 'next-1',
    }, JSON_HEADERS)
    const log = await t.orchestrator().getTaskLog('etl', 'r:1', 't', { continuationToken: 'abc' })
    assert.deepEqual(log, {
      tryNumber: 2,
      lines: ['2026-01-01T00:00:01Z [info] hello', '2026-01-01T00:00:02Z [error] Task failed with exception — RuntimeError: boom'],
      continuationToken: 'next-1',
    })
  })

  it('reports health and version without credentials, counting a component with no status as unhealthy', async () => {
    const seen: (string | undefined)[] = []
    t.pool().intercept({ path: '/api/v2/monitor/health', method: 'GET' })
      .reply(200, { metadatabase: { status: 'healthy' }, scheduler: { status: 'unhealthy' }, triggerer: { status: null } }, JSON_HEADERS)
    t.pool().intercept({ path: '/api/v2/version', method: 'GET' }).reply((opts) => {
      seen.push(header(opts.headers, 'authorization'))
      return { statusCode: 200, data: { version: '3.3.2' }, responseOptions: JSON_HEADERS }
    })
    assert.deepEqual(await t.orchestrator().health(), { reachable: true, version: '3.3.2', detail: 'scheduler: unhealthy, triggerer: unknown' })
    assert.deepEqual(seen, [undefined])
    assert.equal(t.tokenRequests.length, 0)
  })

  it('reads the logical date as Airflow 3 names it, never execution_date', async () => {
    t.signIn(1)
    t.pool().intercept({ path: '/api/v2/dags/etl/dagRuns/r1', method: 'GET' })
      .reply(200, run('r1', { logical_date: null, execution_date: '2026-01-01T00:00:00+00:00', triggering_user_name: null }), JSON_HEADERS)
    const got = await t.orchestrator().getRun('etl', 'r1')
    assert.equal(got.logicalDate, null)
    assert.equal(got.triggeredBy, 'rest_api', 'without a user name, how the run was triggered')
  })
})

describe('Airflow adapter on Airflow 2 (/api/v1, basic credentials, MockAgent)', () => {
  const t = fake(AIRFLOW2)

  it('uses basic auth with the current secret on every call, so rotation needs no restart', async () => {
    const seen: string[] = []
    t.pool().intercept({ path: '/api/v1/dags/etl', method: 'GET' }).reply((opts) => {
      seen.push(header(opts.headers, 'authorization') ?? '')
      return { statusCode: 200, data: { dag_id: 'etl', description: null, tags: [{ name: 'team:a' }], owners: ['a'], is_paused: true, schedule_interval: { __type: 'CronExpression', value: '@daily' }, fileloc: '/d/etl.py' }, responseOptions: JSON_HEADERS }
    }).times(2)
    const o = t.orchestrator()
    assert.deepEqual(await o.getDag('etl'), { dagId: 'etl', description: null, tags: ['team:a'], owners: ['a'], paused: true, schedule: '@daily', fileloc: '/d/etl.py' })
    t.secretValues.set('airflow', JSON.stringify({ username: 'svc', password: 'rotated' }))
    await o.getDag('etl')
    assert.deepEqual(seen.map((h) => Buffer.from(h.replace(/^Basic /, ''), 'base64').toString()), [`svc:${PASSWORD}`, 'svc:rotated'])
  })

  it('gives orchestrator_auth_failed on 401 without the password, and asks no token', async () => {
    t.pool().intercept({ path: (p) => p.startsWith('/api/v1/dags?'), method: 'GET' })
      .reply(401, { title: 'Unauthorized', detail: `bad login svc:${PASSWORD}`, status: 401 }, JSON_HEADERS)
    await assert.rejects(t.orchestrator().listDags(), (error) => {
      assert.ok(isConductorError(error, 'orchestrator_auth_failed'))
      assert.doesNotMatch(`${error.message} ${JSON.stringify(error.details)}`, new RegExp(PASSWORD))
      return true
    })
    t.agent.assertNoPendingInterceptors()
  })

  it('maps Airflow 2 problem responses to not-found codes and conflicts', async () => {
    const pool = t.pool()
    pool.intercept({ path: '/api/v1/dags/nope', method: 'GET' }).reply(404, { title: 'DAG not found', detail: "DAG with dag_id: 'nope' not found", status: 404 }, JSON_HEADERS)
    pool.intercept({ path: '/api/v1/dags/etl/dagRuns/nope', method: 'GET' }).reply(404, { title: 'DAGRun not found', detail: "DAGRun with DAG ID: 'etl' and DagRun ID: 'nope' not found", status: 404 }, JSON_HEADERS)
    pool.intercept({ path: '/api/v1/dags/etl/dagRuns', method: 'POST' }).reply(409, { title: 'Conflict', detail: "DAGRun with DAG ID: 'etl' and DAGRun ID: 'r1' already exists", status: 409 }, JSON_HEADERS)
    pool.intercept({ path: '/api/v1/dags/etl/dagRuns', method: 'POST' }).reply(400, { title: 'Bad Request', detail: "'x' is not of type 'object' - 'conf'", status: 400 }, JSON_HEADERS)
    const o = t.orchestrator()
    await assert.rejects(o.getDag('nope'), (e) => isConductorError(e, 'dag_not_found'))
    await assert.rejects(o.getRun('etl', 'nope'), (e) => isConductorError(e, 'run_not_found'))
    await assert.rejects(o.triggerRun('etl', { runId: 'r1', conf: {}, logicalDate: null }), (e) => isConductorError(e, 'orchestrator_conflict') && /"r1".*already exists/.test(e.message))
    await assert.rejects(o.triggerRun('etl', { runId: 'r2', conf: {}, logicalDate: null }), (e) => isConductorError(e, 'orchestrator_rejected') && /not of type 'object'/.test(e.message))
  })

  it('leaves out a null logical_date when triggering, reads execution_date, and never retries the trigger', async () => {
    let body: Record<string, unknown> = {}
    t.pool().intercept({ path: '/api/v1/dags/etl/dagRuns', method: 'POST' }).reply((opts) => {
      body = JSON.parse(String(opts.body))
      return { statusCode: 200, data: { dag_id: 'etl', dag_run_id: 'r1', state: 'queued', run_type: 'manual', execution_date: '2026-01-01T00:00:00+00:00', conf: { k: 1 }, note: 'hi' }, responseOptions: JSON_HEADERS }
    })
    let failing = 0
    t.pool().intercept({ path: '/api/v1/dags/etl/dagRuns', method: 'POST' }).reply(() => { failing++; return { statusCode: 503, data: 'unavailable' } }).persist()
    const o = t.orchestrator({ retries: 3 })
    const created = await o.triggerRun('etl', { runId: 'r1', conf: { k: 1 }, logicalDate: null, note: 'hi' })
    assert.deepEqual(body, { dag_run_id: 'r1', conf: { k: 1 }, note: 'hi' })
    assert.equal(created.logicalDate, '2026-01-01T00:00:00+00:00')
    assert.equal(created.triggeredBy, null)
    await assert.rejects(o.triggerRun('etl', { runId: 'r2', conf: {}, logicalDate: null }), (e) => isConductorError(e, 'orchestrator_unavailable'))
    assert.equal(failing, 1)
  })

  it('sends a logical date that is given', async () => {
    let body: Record<string, unknown> = {}
    t.pool().intercept({ path: '/api/v1/dags/etl/dagRuns', method: 'POST' }).reply((opts) => {
      body = JSON.parse(String(opts.body))
      return { statusCode: 200, data: { dag_id: 'etl', dag_run_id: 'r1', state: 'queued', logical_date: '2026-02-01T00:00:00+00:00' }, responseOptions: JSON_HEADERS }
    })
    const created = await t.orchestrator().triggerRun('etl', { runId: 'r1', conf: {}, logicalDate: '2026-02-01T00:00:00+00:00' })
    assert.deepEqual(body, { dag_run_id: 'r1', logical_date: '2026-02-01T00:00:00+00:00', conf: {} })
    assert.equal(created.logicalDate, '2026-02-01T00:00:00+00:00')
  })

  it('reads a plain-text log', async () => {
    t.pool().intercept({ path: '/api/v1/dags/etl/dagRuns/r1/taskInstances/load/logs/3', method: 'GET' })
      .reply(200, { content: 'line one\nline two\n', continuation_token: null }, JSON_HEADERS)
    assert.deepEqual(await t.orchestrator().getTaskLog('etl', 'r1', 'load', { tryNumber: 3 }), { tryNumber: 3, lines: ['line one', 'line two'], continuationToken: null })
  })

  it('reads the Python-repr log content of Airflow 2 as lines and keeps the continuation token', async () => {
    // What Airflow 2.11 really answers for Accept: application/json: str() of [(host, message)].
    const content = String.raw`[('worker-1', ' INFO - ::group::Log message source details\n*** Found local files:\n[2026-11-24T01:49:28.013+0000] {taskinstance.py:2632} INFO - it\'s "quoted"\tand caf\xe9 \u2713\nRuntimeError: failing on purpose\n'), ('worker-2', 'second host\n')]`
    t.pool().intercept({ path: '/api/v1/dags/etl/dagRuns/r1/taskInstances/load/logs/1', method: 'GET' })
      .reply(200, { content, continuation_token: 'tok-1' }, JSON_HEADERS)
    const log = await t.orchestrator().getTaskLog('etl', 'r1', 'load', { tryNumber: 1 })
    assert.deepEqual(log, {
      tryNumber: 1,
      lines: [
        ' INFO - ::group::Log message source details',
        '*** Found local files:',
        '[2026-11-24T01:49:28.013+0000] {taskinstance.py:2632} INFO - it\'s "quoted"\tand café ✓',
        'RuntimeError: failing on purpose',
        '',
        'second host',
      ],
      continuationToken: 'tok-1',
    })
  })

  it('passes log content that only looks like Python tuples through unchanged', async () => {
    t.pool().intercept({ path: '/api/v1/dags/etl/dagRuns/r1/taskInstances/load/logs/1', method: 'GET' })
      .reply(200, { content: "[('worker-1', 'unterminated", continuation_token: null }, JSON_HEADERS)
    assert.deepEqual((await t.orchestrator().getTaskLog('etl', 'r1', 'load', { tryNumber: 1 })).lines, ["[('worker-1', 'unterminated"])
  })

  it('reports health without a detail when Airflow 2 lists components it does not run with status null, asking the version with credentials', async () => {
    const pool = t.pool()
    const health = (scheduler: string) => ({
      metadatabase: { status: 'healthy' }, scheduler: { status: scheduler, latest_scheduler_heartbeat: '2026-11-24T01:48:57+00:00' },
      triggerer: { status: null, latest_triggerer_heartbeat: null }, dag_processor: { status: null, latest_dag_processor_heartbeat: null },
    })
    const seen: string[] = []
    pool.intercept({ path: '/api/v1/health', method: 'GET' }).reply(200, health('healthy'), JSON_HEADERS)
    pool.intercept({ path: '/api/v1/health', method: 'GET' }).reply(200, health('unhealthy'), JSON_HEADERS)
    pool.intercept({ path: '/api/v1/version', method: 'GET' }).reply((opts) => {
      seen.push(header(opts.headers, 'authorization') ?? '')
      return { statusCode: 200, data: { version: '2.11.2', git_version: '' }, responseOptions: JSON_HEADERS }
    }).times(2)
    const o = t.orchestrator()
    assert.deepEqual(await o.health(), { reachable: true, version: '2.11.2' })
    assert.deepEqual(await o.health(), { reachable: true, version: '2.11.2', detail: 'scheduler: unhealthy' })
    assert.equal(seen.length, 2)
    assert.ok(seen.every((h) => h.startsWith('Basic ')), String(seen))
  })

  it('reports health without a version when the version call is refused', async () => {
    t.pool().intercept({ path: '/api/v1/health', method: 'GET' }).reply(200, { metadatabase: { status: 'healthy' } }, JSON_HEADERS)
    t.pool().intercept({ path: '/api/v1/version', method: 'GET' }).reply(403, { title: 'Forbidden' }, JSON_HEADERS)
    assert.deepEqual(await t.orchestrator().health(), { reachable: true })
  })
})

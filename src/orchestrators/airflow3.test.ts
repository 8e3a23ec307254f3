import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fixedClock, isConductorError } from '../core/index.ts'
import { AIRFLOW3, dag, fake, header, JSON_HEADERS, NOW, PASSWORD, run } from './airflow.test-support.ts'

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
    assert.deepEqual(await o.getDag('etl'), { dagId: 'etl', description: 'about etl', tags: ['team:x'], owners: ['x'], paused: false, schedule: '0 0 * * *', fileloc: '/dags/etl.py', team: null, allowedRunTypes: null })
    await o.getDag('etl')
    assert.deepEqual(t.tokenRequests, [{ username: 'svc', password: PASSWORD }])
    assert.equal(seen.length, 2)
    assert.match(seen[0]!, /^Bearer ey/)
    assert.equal(seen[0], seen[1])
  })

  it('maps Airflow 3.2+ allowed_run_types (sorted; null for every type) and a team_name where Airflow gives one', async () => {
    t.signIn(1)
    t.pool().intercept({ path: /^\/api\/v2\/dags\?/, method: 'GET' }).reply(200, {
      dags: [
        dag('nightly', { allowed_run_types: ['scheduled', 'backfill'], team_name: 'analytics' }),
        dag('open', { allowed_run_types: null }),
        dag('untyped', { team_name: '' }),
      ],
      total_entries: 3,
    }, JSON_HEADERS)
    const dags = await t.orchestrator().listDags()
    assert.deepEqual(dags.map((d) => [d.dagId, d.team, d.allowedRunTypes]), [['nightly', 'analytics', ['backfill', 'scheduled']], ['open', null, null], ['untyped', null, null]])
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

  it('gives orchestrator_auth_failed when Airflow refuses the credentials after one re-read of the secret, even if it echoes them', async () => {
    t.pool().intercept({ path: '/auth/token', method: 'POST' }).reply(401, { detail: `Invalid credentials for svc/${PASSWORD}` }, JSON_HEADERS).times(2)
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

  it('reads an asset\'s events by its exact URI (uri_pattern is a substring match) and posts one with its extra', async () => {
    t.signIn(1)
    const asked: string[] = []
    const posted: unknown[] = []
    t.pool().intercept({ path: /^\/api\/v2\/assets\?/, method: 'GET' }).reply((opts) => {
      asked.push(String(opts.path))
      return { statusCode: 200, data: { assets: [{ id: 7, uri: 's3://lake/orders/ready/v2' }, { id: 3, uri: 's3://lake/orders/ready' }], total_entries: 2 }, responseOptions: JSON_HEADERS }
    }).times(2)
    const event = { id: 41, asset_id: 3, uri: 's3://lake/orders/ready', extra: { batch: 7 }, source_dag_id: 'extract', source_run_id: 'r1', source_task_id: 't', source_map_index: -1, created_dagruns: [{ dag_id: 'report', run_id: 'a1' }], timestamp: '2026-01-01T00:00:05Z' }
    t.pool().intercept({ path: /^\/api\/v2\/assets\/events\?/, method: 'GET' }).reply((opts) => {
      asked.push(String(opts.path))
      return { statusCode: 200, data: { asset_events: [event], total_entries: 1 }, responseOptions: JSON_HEADERS }
    })
    t.pool().intercept({ path: '/api/v2/assets/events', method: 'POST' }).reply((opts) => {
      posted.push(JSON.parse(String(opts.body)))
      return { statusCode: 200, data: { ...event, id: 42, extra: { run: 'r9', from_rest_api: true }, source_dag_id: null, source_run_id: null, created_dagruns: [] }, responseOptions: JSON_HEADERS }
    })
    const o = t.orchestrator()
    assert.deepEqual(await o.listAssetEvents('s3://lake/orders/ready', { timestampGte: '2026-01-01T00:00:00.000Z', limit: 10 }), [{
      id: '41', assetUri: 's3://lake/orders/ready', timestamp: '2026-01-01T00:00:05Z', extra: { batch: 7 }, sourceDagId: 'extract', sourceRunId: 'r1', sourceTaskId: 't', createdRuns: [{ dagId: 'report', runId: 'a1' }],
    }])
    const query = new URLSearchParams(asked[1]!.split('?')[1])
    assert.deepEqual(Object.fromEntries(query), { asset_id: '3', limit: '10', offset: '0', order_by: 'timestamp', timestamp_gte: '2026-01-01T00:00:00.000Z' })
    assert.equal((await o.postAssetEvent('s3://lake/orders/ready', { run: 'r9' })).id, '42')
    assert.deepEqual(posted, [{ asset_id: 3, extra: { run: 'r9' } }])
  })

  it('gives asset_not_found for a URI Airflow has no asset of, and posts nothing', async () => {
    t.signIn(1)
    t.pool().intercept({ path: /^\/api\/v2\/assets\?/, method: 'GET' }).reply(200, { assets: [{ id: 7, uri: 's3://lake/orders/ready/v2' }], total_entries: 1 }, JSON_HEADERS)
    await assert.rejects(t.orchestrator().postAssetEvent('s3://lake/orders/ready', {}), (e) => isConductorError(e, 'asset_not_found') && e.details?.assetUri === 's3://lake/orders/ready' && e.details?.environment === 'prod-eu')
  })
})

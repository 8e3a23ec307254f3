import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isConductorError } from '../core/index.ts'
import { AIRFLOW2, fake, header, JSON_HEADERS, PASSWORD } from './airflow.test-support.ts'

describe('Airflow adapter on Airflow 2 (/api/v1, basic credentials, MockAgent)', () => {
  const t = fake(AIRFLOW2)

  it('uses basic auth with the current secret on every call, so rotation needs no restart', async () => {
    const seen: string[] = []
    t.pool().intercept({ path: '/api/v1/dags/etl', method: 'GET' }).reply((opts) => {
      seen.push(header(opts.headers, 'authorization') ?? '')
      return { statusCode: 200, data: { dag_id: 'etl', description: null, tags: [{ name: 'team:a' }], owners: ['a'], is_paused: true, schedule_interval: { __type: 'CronExpression', value: '@daily' }, fileloc: '/d/etl.py' }, responseOptions: JSON_HEADERS }
    }).times(2)
    const o = t.orchestrator()
    assert.deepEqual(await o.getDag('etl'), { dagId: 'etl', description: null, tags: ['team:a'], owners: ['a'], paused: true, schedule: '@daily', fileloc: '/d/etl.py', team: null, allowedRunTypes: null })
    t.secretValues.set('airflow', JSON.stringify({ username: 'svc', password: 'rotated' }))
    await o.getDag('etl')
    assert.deepEqual(seen.map((h) => Buffer.from(h.replace(/^Basic /, ''), 'base64').toString()), [`svc:${PASSWORD}`, 'svc:rotated'])
  })

  it('gives orchestrator_auth_failed on 401 without the password after reading the secret once more, and asks no token', async () => {
    // The first 401 drops the cached secret and retries once with the provider's current value (a rotated password).
    t.pool().intercept({ path: (p) => p.startsWith('/api/v1/dags?'), method: 'GET' })
      .reply(401, { title: 'Unauthorized', detail: `bad login svc:${PASSWORD}`, status: 401 }, JSON_HEADERS).times(2)
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
  it('reads runs of every DAG since a time by start_date, and classifies the event log by Airflow 2\'s event names', async () => {
    const asked: string[] = []
    t.pool().intercept({ path: (p) => p.startsWith('/api/v1/dags/~/dagRuns?'), method: 'GET' }).reply((opts) => {
      asked.push(String(opts.path))
      return { statusCode: 200, data: { dag_runs: [
        { dag_id: 'etl', dag_run_id: 'manual__1', state: 'running', run_type: 'manual', execution_date: '2026-01-01T00:00:00+00:00', start_date: '2026-01-01T00:00:05+00:00' },
        { dag_id: 'etl', dag_run_id: 'queued__2', state: 'queued', run_type: 'manual', start_date: null },
      ], total_entries: 2 }, responseOptions: JSON_HEADERS }
    })
    t.pool().intercept({ path: (p) => p.startsWith('/api/v1/eventLogs?'), method: 'GET' }).reply((opts) => {
      asked.push(String(opts.path))
      return { statusCode: 200, data: { event_logs: [
        { event_log_id: 3, when: '2026-01-01T00:00:06+00:00', event: 'api.patch_dag', owner: 'admin', dag_id: 'etl', extra: '{"is_paused": true}' },
        { event_log_id: 4, when: '2026-01-01T00:00:07+00:00', event: 'success', owner: 'airflow', dag_id: 'etl', task_id: 't' },
        { event_log_id: 5, when: '2026-01-01T00:00:08+00:00', event: 'dagrun_clear', owner: 'bob', dag_id: 'etl', run_id: 'manual__1' },
      ], total_entries: 3 }, responseOptions: JSON_HEADERS }
    })
    const o = t.orchestrator()
    const runs = await o.listRunsSince({ since: '2026-01-01T00:00:00.000Z' })
    assert.deepEqual(runs.map((r) => [r.runId, r.at]), [['manual__1', '2026-01-01T00:00:05+00:00']], 'a run not yet started is seen once it starts')
    const events = await o.listEventLogsSince({ since: '2026-01-01T00:00:00.000Z' })
    assert.deepEqual(events.map((e) => [e.id, e.kind, e.owner]), [[3, 'pause', 'admin'], [4, null, 'airflow'], [5, 'clear', 'bob']])
    assert.deepEqual(events[0]!.extra, { is_paused: true })
    const query = (path: string) => Object.fromEntries(new URL(path, 'http://x').searchParams)
    assert.deepEqual(query(asked[0]!), { limit: '100', offset: '0', order_by: 'start_date', start_date_gte: '2026-01-01T00:00:00.000Z' })
    assert.deepEqual(query(asked[1]!), { limit: '100', offset: '0', order_by: 'event_log_id', after: '2026-01-01T00:00:00.000Z' })
  })

  it('answers assets_not_supported for asset events, naming the environment, without asking Airflow', async () => {
    const o = t.orchestrator()
    await assert.rejects(o.listAssetEvents('s3://lake/x', { timestampGte: null }), (e) => isConductorError(e, 'assets_not_supported') && e.details?.environment === 'legacy')
    await assert.rejects(o.postAssetEvent('s3://lake/x', {}), (e) => isConductorError(e, 'assets_not_supported') && /Airflow 2/.test(e.message))
  })
})

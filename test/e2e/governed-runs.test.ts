import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { adminToken, useAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { startTestApp } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'
import { policiesWithQa } from '../support/policies.ts'
import { startFaultyProxy, type FaultyProxy } from '../support/proxy.ts'

describe('governed DAG runs against a real Airflow 3', () => {
  let airflow: AirflowHandle
  let app: Awaited<ReturnType<typeof startTestApp>>
  let alice: string, bob: string
  let airflowToken: string
  // The same Airflow behind a proxy the tests take down or make lose answers: whatever Conductor sends through
  // it really reaches that Airflow, so looking a run up there says whether a failed dispatch created one.
  let proxy: FaultyProxy
  const dir = mkdtempSync(join(tmpdir(), 'conductor-e2e-'))

  before(async () => {
    airflow = await useAirflow()
    proxy = await startFaultyProxy(airflow.url)
    const policies = join(dir, 'policies')
    policiesWithQa(policies)
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
      policyFolder: policies,
      environments: [
        { name: 'local', url: airflow.url, username: airflow.username, password: airflow.password },
        { name: 'airflow-down', url: proxy.url, username: airflow.username, password: airflow.password, timeoutMs: 5000, retries: 0 },
        { name: 'answer-lost', url: proxy.url, username: airflow.username, password: airflow.password, timeoutMs: 5000, retries: 0 },
      ],
      extraConfig: { governance: { resolveIntervalSeconds: 1 } },
    })
    alice = await app.tokenFor('alice')
    bob = await app.tokenFor('bob')
    const statuses = await app.governance.catalog.syncAll()
    for (const environment of ['local', 'airflow-down', 'answer-lost']) assert.equal(statuses.find((s) => s.environment === environment)!.reachable, 1, environment)
    airflowToken = await adminToken(airflow)
  })
  after(async () => {
    await app?.close()
    await proxy?.close()
    await airflow?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: unknown) =>
    app.server.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as object } : {}) })
  const airflowGet = async (path: string) => {
    const res = await fetch(`${airflow.url}/api/v2${path}`, { headers: { authorization: `Bearer ${airflowToken}` } })
    return { status: res.status, body: await res.json() as Record<string, unknown> & { dag_runs?: { dag_run_id: string }[]; conf?: unknown; note?: string; is_paused?: boolean } }
  }
  const airflowRunIds = async (dagId: string) => ((await airflowGet(`/dags/${dagId}/dagRuns?limit=100`)).body.dag_runs as { dag_run_id: string }[]).map((r) => r.dag_run_id)
  const waitForState = (dagId: string, runId: string, states: string[]) => eventually(async () => {
    const run = (await call('GET', `/api/v1/environments/local/dags/${dagId}/runs/${runId}`, alice)).json()
    if (!states.includes(run.state)) throw new Error(`state is "${run.state}"`)
    return run
  }, { what: `run ${dagId}/${runId} to reach ${states.join(' or ')}`, timeoutMs: 120_000, intervalMs: 500 })
  const failedTriggers = async (environment: string) =>
    (await call('GET', `/api/v1/requests?environment=${environment}&state=failed`, alice)).json().requests as { id: string; runId: string | null; error: { code: string } }[]

  test('the catalog lists the real DAGs with tags and owners', async () => {
    const dags = (await call('GET', '/api/v1/environments/local/dags', bob)).json().dags
    const etl = dags.find((d: { dagId: string }) => d.dagId === 'etl_daily')
    assert.deepEqual(etl.tags, ['team:data-eng'])
    assert.deepEqual(etl.owners, ['data-eng'])
    assert.ok(dags.some((d: { dagId: string }) => d.dagId === 'ml_train'))
  })

  let runId: string
  test('alice triggers etl_daily: the run in Airflow says she started it through Conductor', async () => {
    const res = await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', alice, { conf: { day: '2026-11-24' }, reason: 'daily load', note: 'from the e2e test' })
    assert.equal(res.statusCode, 201, res.body)
    const { request, run } = res.json()
    runId = run.runId
    assert.equal(runId, `conductor__${request.id}`)
    assert.equal(request.state, 'succeeded')
    assert.deepEqual(request.decision.policyIds, ['data-eng-operate'])
    assert.deepEqual(run.startedBy, { via: 'conductor', principalType: 'User', principalId: 'alice', requestId: request.id })

    const inAirflow = await airflowGet(`/dags/etl_daily/dagRuns/${runId}`)
    assert.equal(inAirflow.status, 200)
    assert.deepEqual(inAirflow.body.conf, { day: '2026-11-24' })
    assert.match(String(inAirflow.body.note), /Triggered through Airflow Conductor by User alice/)
    assert.match(String(inAirflow.body.note), /data-eng-operate/)
    assert.match(String(inAirflow.body.note), new RegExp(request.id))
    assert.match(String(inAirflow.body.note), /Reason: daily load/)

    const events = await app.audit.query({ requestId: request.id })
    assert.deepEqual(events.map((e) => e.type), ['authz.decision', 'dispatch.sent', 'dispatch.result'])
    assert.equal(events[2]!.data.runId, runId)
  })

  test('runs listed through Conductor show who started them', async () => {
    const runs = (await call('GET', '/api/v1/environments/local/dags/etl_daily/runs', bob)).json().runs
    const mine = runs.find((r: { runId: string }) => r.runId === runId)
    assert.equal(mine.startedBy.via, 'conductor')
    assert.equal(mine.startedBy.principalId, 'alice')
  })

  test('bob is denied with a 403 naming the decision, and nothing reaches Airflow', async () => {
    const before = await airflowRunIds('etl_daily')
    const res = await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', bob, { conf: {} })
    assert.equal(res.statusCode, 403)
    assert.ok(res.json().error.details.decisionId)
    assert.deepEqual(await airflowRunIds('etl_daily'), before)
  })

  test('a DAG read through Conductor carries its params from Airflow, for the trigger form', async () => {
    const dag = (await call('GET', '/api/v1/environments/local/dags/conductor_params', alice)).json()
    assert.ok(dag.params && Object.keys(dag.params).length > 0, JSON.stringify(dag))
    for (const param of Object.values(dag.params) as { schema: unknown }[]) assert.equal(typeof param.schema, 'object')
    assert.equal(dag.permissions['dag:trigger'].allowed, true)
  })

  test('an unknown DAG is 404', async () => {
    const res = await call('POST', '/api/v1/environments/local/dags/no_such_dag/runs', alice, { conf: {} })
    assert.equal(res.statusCode, 404)
    assert.equal(res.json().error.code, 'dag_not_found')
  })

  test('the run finishes; its task instances and a task log are readable', async () => {
    const run = await waitForState('etl_daily', runId, ['success', 'failed'])
    assert.equal(run.state, 'success')
    assert.ok(run.tasks.length >= 2)
    const task = run.tasks[0].taskId
    const log = (await call('GET', `/api/v1/environments/local/dags/etl_daily/runs/${runId}/tasks/${task}/logs`, bob)).json()
    assert.ok(log.lines.length > 0)
    assert.ok(log.requestId)
  })

  test('rerun of failed tasks: a failing run succeeds after a governed rerun', async () => {
    const trigger = await call('POST', '/api/v1/environments/local/dags/conductor_fails_once/runs', alice, {})
    assert.equal(trigger.statusCode, 201, trigger.body)
    const failing = trigger.json().run.runId
    assert.equal((await waitForState('conductor_fails_once', failing, ['failed', 'success'])).state, 'failed')
    assert.equal((await call('POST', `/api/v1/environments/local/dags/conductor_fails_once/runs/${failing}/rerun`, bob, {})).statusCode, 403)
    const rerun = await call('POST', `/api/v1/environments/local/dags/conductor_fails_once/runs/${failing}/rerun`, alice, { reason: 'flaky' })
    assert.equal(rerun.statusCode, 200, rerun.body)
    assert.ok(rerun.json().clearedTaskIds.includes('flaky'))
    assert.equal((await waitForState('conductor_fails_once', failing, ['success'])).state, 'success')
  })

  test('pause and unpause through policy', async () => {
    assert.equal((await call('PATCH', '/api/v1/environments/local/dags/etl_daily', bob, { paused: true })).statusCode, 403)
    const paused = await call('PATCH', '/api/v1/environments/local/dags/etl_daily', alice, { paused: true })
    assert.equal(paused.statusCode, 200, paused.body)
    assert.equal(paused.json().dag.paused, true)
    assert.equal((await airflowGet('/dags/etl_daily')).body.is_paused, true)
    await call('PATCH', '/api/v1/environments/local/dags/etl_daily', alice, { paused: false })
    assert.equal((await airflowGet('/dags/etl_daily')).body.is_paused, false)
  })

  test('Airflow down: 503, the request is recorded as failed, and no run reaches Airflow, not even once it is back', async () => {
    await proxy.down()
    const res = await call('POST', '/api/v1/environments/airflow-down/dags/etl_daily/runs', alice, { conf: {} }).finally(() => proxy.up())
    assert.equal(res.statusCode, 503, res.body)
    assert.equal(res.json().error.code, 'orchestrator_unavailable')
    assert.match(res.json().error.message, /airflow-down/)
    const failed = await failedTriggers('airflow-down')
    assert.equal(failed.length, 1)
    assert.equal(failed[0]!.error.code, 'orchestrator_unavailable')
    assert.equal(failed[0]!.runId, `conductor__${failed[0]!.id}`)

    // Back up, the same way in creates runs in that Airflow; the failed request's run is still not there.
    const next = await call('POST', '/api/v1/environments/airflow-down/dags/etl_daily/runs', alice, { conf: {} })
    assert.equal(next.statusCode, 201, next.body)
    assert.equal((await airflowGet(`/dags/etl_daily/dagRuns/${next.json().run.runId}`)).status, 200)
    assert.equal((await airflowGet(`/dags/etl_daily/dagRuns/${failed[0]!.runId}`)).status, 404)
    assert.equal((await failedTriggers('airflow-down')).length, 1)
  })

  test('Airflow\'s answer lost after it created the run: 503 saying the outcome is unknown, then the request is settled as succeeded and the run credited to alice', async () => {
    proxy.loseAnswers((method, path) => method === 'POST' && path.endsWith('/dagRuns'))
    const res = await call('POST', '/api/v1/environments/answer-lost/dags/etl_daily/runs', alice, { conf: {}, reason: 'answer lost' })
      .finally(() => proxy.loseAnswers(undefined))
    assert.equal(res.statusCode, 503, res.body)
    const { error } = res.json()
    assert.equal(error.code, 'orchestrator_unavailable')
    assert.deepEqual([error.details.sent, error.details.outcome], ['unknown', 'unknown'])
    const requestId = error.details.requestId as string
    assert.deepEqual(await failedTriggers('answer-lost'), [], 'not recorded as failed: Airflow may have acted')
    const runId = `conductor__${requestId}`

    // The dispatch resolver asks Airflow for the run the request names, finds it, and settles the request.
    const settled = await eventually(async () => {
      const request = (await call('GET', `/api/v1/requests/${requestId}`, alice)).json()
      if (request.state !== 'succeeded') throw new Error(`state is "${request.state}"`)
      return request
    }, { what: `request ${requestId} to be settled`, timeoutMs: 30_000, intervalMs: 250 })
    assert.deepEqual([settled.runId, settled.error], [runId, null])
    const events = await app.audit.query({ requestId })
    assert.deepEqual(events.map((e) => e.type), ['authz.decision', 'dispatch.sent', 'dispatch.result', 'dispatch.resolved'])
    assert.equal(events[1]!.data.runId, runId, 'the run id is on record before the call leaves')
    assert.deepEqual([events[2]!.data.outcome, events[3]!.data.outcome, events[3]!.data.evidence, events[3]!.principal], ['unknown', 'succeeded', 'run_found', 'alice'])

    // The run Airflow created names that request and alice, and Conductor's run list credits it to her again.
    const inAirflow = await airflowGet(`/dags/etl_daily/dagRuns/${runId}`)
    assert.equal(inAirflow.status, 200)
    assert.match(String(inAirflow.body.note), /Triggered through Airflow Conductor by User alice/)
    assert.match(String(inAirflow.body.note), new RegExp(requestId))
    const runs = (await call('GET', '/api/v1/environments/answer-lost/dags/etl_daily/runs?limit=100', bob)).json().runs as { runId: string; startedBy: unknown }[]
    assert.deepEqual(runs.find((r) => r.runId === runId)?.startedBy, { via: 'conductor', principalType: 'User', principalId: 'alice', requestId })
  })

  test('the audit trail verifies after all of it', async () => {
    const result = await app.audit.verify()
    assert.equal(result.ok, true)
  })
})

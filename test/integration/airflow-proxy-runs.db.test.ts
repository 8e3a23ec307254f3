import assert from 'node:assert/strict'
import { test } from 'node:test'
import { forEachEngine } from '../../harness/databases.ts'
import type { StubRun } from '../../harness/stub-airflow.ts'
import { useProxyApp } from './airflow-proxy-support.ts'

// Clearing a run and retrying a trigger through Airflow's REST API on Conductor: the same governance as Conductor's own routes.
forEachEngine((engine) => {
  // ops_sweep is a data-eng DAG whose runs nobody may read through Conductor (its runs carry customer data in conf).
  const f = useProxyApp(engine, [{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }, { dagId: 'ops_sweep', tags: ['team:data-eng'], owners: ['data-eng'] }], {
    extraPolicy: '@id("ops-sweep-runs-unread")\nforbid (principal, action == Action::"run:read", resource) when { resource.dagId == "ops_sweep" };',
  })
  const call = f.call
  const alice = () => f.tokens.alice
  const runs = () => f.stub.runs.get('etl_daily') ?? []

  /** A run of etl_daily, triggered through the proxy, whose tasks the test sets as a finished run would have them. */
  async function finishedRun(tasks: StubRun['tasks']): Promise<StubRun> {
    const answer = await call('POST', '/dags/etl_daily/dagRuns', alice(), { logical_date: null })
    assert.equal(answer.statusCode, 200, answer.body)
    const run = runs().find((r) => r.dag_run_id === answer.json().dag_run_id)!
    run.tasks = tasks
    return run
  }

  const requestsOf = async (runId: string) => f.app.database.db.selectFrom('requests').selectAll().where('run_id', '=', runId).where('action', '=', 'dag:rerun').execute()

  test('Conductor\'s own rerun route clears the failed tasks and answers the request and the cleared task ids', async () => {
    const run = await finishedRun([{ task_id: 'extract', state: 'success' }, { task_id: 'load', state: 'failed' }])
    const res = await f.app.server.inject({
      method: 'POST', url: `/api/v1/environments/local/dags/etl_daily/runs/${run.dag_run_id}/rerun`, headers: { authorization: `Bearer ${alice()}` }, payload: { reason: 'flaky' },
    })
    assert.equal(res.statusCode, 200, res.body)
    assert.deepEqual(res.json().clearedTaskIds, ['load'])
    assert.equal(res.json().request.state, 'succeeded')
    assert.deepEqual(run.tasks!.map((t) => t.state), ['success', null])
  })

  test('a clear without dry_run only answers what would be cleared (Airflow\'s default), and clears nothing', async () => {
    const run = await finishedRun([{ task_id: 'extract', state: 'success' }, { task_id: 'load', state: 'failed' }])
    const dry = await call('POST', `/dags/etl_daily/dagRuns/${run.dag_run_id}/clear`, alice(), {})
    assert.equal(dry.statusCode, 200, dry.body)
    assert.deepEqual(dry.json().task_instances.map((ti: { task_id: string }) => ti.task_id), ['extract', 'load'], 'only_failed defaults to false')
    assert.equal(dry.json().total_entries, 2)
    assert.equal(dry.json().task_instances[1].dag_run_id, run.dag_run_id)
    assert.deepEqual(run.tasks!.map((t) => t.state), ['success', 'failed'], 'nothing changed in Airflow')
    const onlyFailed = await call('POST', `/dags/etl_daily/dagRuns/${run.dag_run_id}/clear`, alice(), { dry_run: true, only_failed: true })
    assert.deepEqual(onlyFailed.json().task_instances.map((ti: { task_id: string }) => ti.task_id), ['load'])
    const recorded = await requestsOf(run.dag_run_id)
    assert.equal(recorded.length, 2, 'each dry run is a dag:rerun request in the ledger')
    assert.ok(recorded.every((r) => r.state === 'succeeded' && JSON.parse(r.input).dryRun === true))
  })

  test('a clear with dry_run false goes through governance as dag:rerun and answers the run', async () => {
    const run = await finishedRun([{ task_id: 'extract', state: 'success' }, { task_id: 'load', state: 'failed' }])
    const cleared = await call('POST', `/dags/etl_daily/dagRuns/${run.dag_run_id}/clear`, alice(), { dry_run: false, only_failed: true, note: 'load timed out' })
    assert.equal(cleared.statusCode, 200, cleared.body)
    assert.equal(cleared.json().dag_run_id, run.dag_run_id)
    assert.equal(cleared.json().triggering_user_name, 'alice')
    assert.deepEqual(run.tasks!.map((t) => t.state), ['success', null], 'only the failed task was cleared')
    const [request] = await requestsOf(run.dag_run_id)
    assert.equal(request!.principal_id, 'alice')
    assert.equal(request!.state, 'succeeded')
    const events = await f.app.audit.query({ requestId: request!.id, limit: 100 })
    assert.deepEqual(events.map((e) => e.type), ['authz.decision', 'dispatch.sent', 'dispatch.result'])
    assert.equal(events[0]!.data.reasons !== undefined, true)
  })

  test('a clear policy forbids is a 403 and clears nothing, dry run or not; unsupported options are a 400', async () => {
    const run = await finishedRun([{ task_id: 'load', state: 'failed' }])
    for (const body of [{ dry_run: false }, {}]) {
      const refused = await call('POST', `/dags/etl_daily/dagRuns/${run.dag_run_id}/clear`, f.tokens.bob, body)
      assert.equal(refused.statusCode, 403, refused.body)
      assert.equal(refused.json().code, 'policy_denied')
    }
    assert.equal(run.tasks![0]!.state, 'failed')
    const unsupported = await call('POST', `/dags/etl_daily/dagRuns/${run.dag_run_id}/clear`, alice(), { dry_run: false, only_new: true })
    assert.equal(unsupported.statusCode, 400)
    assert.equal(unsupported.json().details.field, 'body.only_new')
    assert.equal((await call('POST', `/dags/etl_daily/dagRuns/${run.dag_run_id}/clear`, alice(), { dry_run: 'no' })).json().details.field, 'body.dry_run')
    assert.equal(run.tasks![0]!.state, 'failed')
    const missing = await call('POST', '/dags/etl_daily/dagRuns/no_such_run/clear', alice(), { dry_run: false })
    assert.equal(missing.statusCode, 404, missing.body)
  })

  test('a clear whose answer (the run) the caller may not read is a 403 before anything is cleared', async () => {
    const answer = await call('POST', '/dags/ops_sweep/dagRuns', alice(), { logical_date: null })
    assert.equal(answer.statusCode, 200, answer.body)
    const run = f.stub.runs.get('ops_sweep')!.find((r) => r.dag_run_id === answer.json().dag_run_id)!
    run.tasks = [{ task_id: 'sweep', state: 'failed' }]
    const refused = await call('POST', `/dags/ops_sweep/dagRuns/${run.dag_run_id}/clear`, alice(), { dry_run: false })
    assert.equal(refused.statusCode, 403, refused.body)
    assert.equal(refused.json().code, 'policy_denied')
    assert.equal(run.tasks[0]!.state, 'failed', 'nothing was cleared: a 403 changes nothing')
    const reruns = await f.app.database.db.selectFrom('requests').select('id').where('run_id', '=', run.dag_run_id).where('action', '=', 'dag:rerun').execute()
    assert.deepEqual(reruns, [], 'no rerun was dispatched')
  })

  test('a trigger retried with the same Idempotency-Key answers the first run again and starts one run only', async () => {
    const before = runs().length
    const key = { 'idempotency-key': 'nightly-2026-11-30' }
    const first = await call('POST', '/dags/etl_daily/dagRuns', alice(), { logical_date: null, conf: { day: 30 } }, key)
    assert.equal(first.statusCode, 200, first.body)
    const retry = await call('POST', '/dags/etl_daily/dagRuns', alice(), { logical_date: null, conf: { day: 30 } }, key)
    assert.equal(retry.statusCode, 200, retry.body)
    assert.equal(retry.headers['idempotency-replayed'], 'true')
    assert.equal(retry.body, first.body, 'the first answer, byte for byte, in Airflow\'s shape')
    assert.equal(runs().length, before + 1, 'one run in Airflow')
    const triggers = await f.app.database.db.selectFrom('requests').select('id').where('action', '=', 'dag:trigger').where('run_id', '=', first.json().dag_run_id).execute()
    assert.equal(triggers.length, 1, 'one trigger in the ledger')

    const reused = await call('POST', '/dags/etl_daily/dagRuns', alice(), { logical_date: null, conf: { day: 31 } }, key)
    assert.equal(reused.statusCode, 422, reused.body)
    assert.equal(reused.json().code, 'idempotency_key_reused')
    assert.equal(typeof reused.json().detail, 'string', 'Airflow\'s error shape')
    const malformed = await call('POST', '/dags/etl_daily/dagRuns', alice(), { logical_date: null }, { 'idempotency-key': '' })
    assert.equal(malformed.statusCode, 400, malformed.body)
    assert.equal(runs().length, before + 1)
    const fresh = await call('POST', '/dags/etl_daily/dagRuns', alice(), { logical_date: null, conf: { day: 30 } }, { 'idempotency-key': 'another' })
    assert.notEqual(fresh.json().dag_run_id, first.json().dag_run_id, 'a new key is a new run')
    assert.equal(runs().length, before + 2)
  })

  test('a refused trigger is replayed as refused under its key; a clear takes a key too', async () => {
    const before = runs().length
    const key = { 'idempotency-key': 'bob-tries' }
    const refused = await call('POST', '/dags/etl_daily/dagRuns', f.tokens.bob, { logical_date: null }, key)
    assert.equal(refused.statusCode, 403)
    const again = await call('POST', '/dags/etl_daily/dagRuns', f.tokens.bob, { logical_date: null }, key)
    assert.equal(again.statusCode, 403)
    assert.equal(again.headers['idempotency-replayed'], 'true')
    assert.equal(runs().length, before)

    const run = await finishedRun([{ task_id: 'load', state: 'failed' }])
    const clearKey = { 'idempotency-key': `clear-${run.dag_run_id}` }
    const cleared = await call('POST', `/dags/etl_daily/dagRuns/${run.dag_run_id}/clear`, alice(), { dry_run: false }, clearKey)
    assert.equal(cleared.statusCode, 200, cleared.body)
    run.tasks![0]!.state = 'failed'
    const replayed = await call('POST', `/dags/etl_daily/dagRuns/${run.dag_run_id}/clear`, alice(), { dry_run: false }, clearKey)
    assert.equal(replayed.headers['idempotency-replayed'], 'true')
    assert.equal(run.tasks![0]!.state, 'failed', 'the retry cleared nothing again')
    assert.equal((await requestsOf(run.dag_run_id)).length, 1)
  })
})

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { forEachEngine } from '../../harness/databases.ts'
import { useProxyApp } from './airflow-proxy-support.ts'

// Airflow 2 environments answer Airflow 2's REST API (`/api/v1`) through Conductor, in its shapes.
forEachEngine((engine) => {
  describe('an Airflow 2 environment', () => {
    const f = useProxyApp(engine, [
      { dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] },
      { dagId: 'ml_train', tags: ['team:ml'], owners: ['ml'] },
    ], { version: 2 })
    const runs = () => f.stub.runs.get('etl_daily') ?? []

    test('lists the DAGs the caller may read in Airflow 2\'s DAG shape', async () => {
      const answer = await f.call('GET', '/dags', f.tokens.alice)
      assert.equal(answer.statusCode, 200, answer.body)
      assert.deepEqual(answer.json().dags.map((d: { dag_id: string }) => d.dag_id), ['etl_daily'])
      const dag = answer.json().dags[0]
      assert.deepEqual(dag.tags, [{ name: 'team:data-eng' }])
      assert.equal(dag.is_active, true)
      assert.equal('schedule_interval' in dag, true)
      assert.equal('timetable_summary' in dag, false, 'no Airflow 3 fields')
    })

    test('a trigger with execution_date, one run per Idempotency-Key, read back with Airflow 2\'s run fields', async () => {
      const before = runs().length
      const key = { 'idempotency-key': 'v1-run' }
      const body = { execution_date: '2026-11-30T00:00:00+00:00', conf: { day: 30 } }
      const first = await f.call('POST', '/dags/etl_daily/dagRuns', f.tokens.alice, body, key)
      assert.equal(first.statusCode, 200, first.body)
      const run = first.json()
      assert.match(run.dag_run_id, /^conductor__/)
      assert.equal(run.external_trigger, true)
      assert.equal('triggered_by' in run, false)
      assert.equal((await f.call('POST', '/dags/etl_daily/dagRuns', f.tokens.alice, body, key)).body, first.body)
      assert.equal(runs().length, before + 1)
      const read = await f.call('GET', `/dags/etl_daily/dagRuns/${run.dag_run_id}`, f.tokens.bob)
      assert.equal(read.statusCode, 200, read.body)
      assert.equal(read.json().execution_date, read.json().logical_date)
      const log = await f.call('GET', `/dags/etl_daily/dagRuns/${run.dag_run_id}/taskInstances/extract/logs/1`, f.tokens.alice)
      assert.deepEqual(log.json(), { content: 'stub log of extract, try 1\n', continuation_token: null })
    })

    test('a clear clears every task (Airflow 2 has no only_failed); its dry run answers task instance references', async () => {
      const triggered = await f.call('POST', '/dags/etl_daily/dagRuns', f.tokens.alice, { conf: {} })
      const run = runs().find((r) => r.dag_run_id === triggered.json().dag_run_id)!
      run.tasks = [{ task_id: 'extract', state: 'success' }, { task_id: 'load', state: 'failed' }]
      const dry = await f.call('POST', `/dags/etl_daily/dagRuns/${run.dag_run_id}/clear`, f.tokens.alice, {})
      assert.equal(dry.statusCode, 200, dry.body)
      assert.deepEqual(dry.json().task_instances.map((ti: { task_id: string; dag_run_id: string }) => [ti.task_id, ti.dag_run_id]), [['extract', run.dag_run_id], ['load', run.dag_run_id]])
      assert.equal((await f.call('POST', `/dags/etl_daily/dagRuns/${run.dag_run_id}/clear`, f.tokens.alice, { dry_run: false, only_failed: true })).statusCode, 400)
      const cleared = await f.call('POST', `/dags/etl_daily/dagRuns/${run.dag_run_id}/clear`, f.tokens.alice, { dry_run: false })
      assert.equal(cleared.statusCode, 200, cleared.body)
      assert.equal(cleared.json().execution_date !== undefined, true)
      assert.deepEqual(run.tasks.map((t) => t.state), [null, null])
      const tis = await f.call('GET', `/dags/etl_daily/dagRuns/${run.dag_run_id}/taskInstances`, f.tokens.alice)
      assert.deepEqual(Object.keys(tis.json().task_instances[0]).includes('execution_date'), true)
      assert.equal('dag_version' in tis.json().task_instances[0], false)
    })

    test('variables through /api/v1: created with 200 as Airflow 2 answers, refused for an analyst', async () => {
      const created = await f.call('POST', '/variables', f.tokens.dana, { key: 'region', value: 'eu-west-1' })
      assert.equal(created.statusCode, 200, created.body)
      assert.equal((await f.call('GET', '/variables/region', f.tokens.dana)).json().value, 'eu-west-1')
      assert.equal((await f.call('GET', '/variables/region', f.tokens.bob)).statusCode, 403)
      assert.equal((await f.call('DELETE', '/variables/region', f.tokens.dana)).statusCode, 204)
    })

    test('Airflow 3\'s /api/v2 on an Airflow 2 environment is a 404 naming the right prefix', async () => {
      const wrong = await f.app.server.inject({ method: 'GET', url: '/airflow/local/api/v2/dags', headers: { authorization: `Bearer ${f.tokens.alice}` } })
      assert.equal(wrong.statusCode, 404, wrong.body)
      assert.equal(wrong.json().code, 'airflow_api_mismatch')
      assert.equal(wrong.json().details.use, '/airflow/local/api/v1')
      const stranger = await f.app.server.inject({ method: 'GET', url: '/airflow/local/api/v2/dags' })
      assert.equal(stranger.statusCode, 401, 'strangers learn nothing about the environment')
    })
  })

  describe('an Airflow 3 environment', () => {
    const f = useProxyApp(engine, [{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])

    test('Airflow 2\'s /api/v1 is a 404 naming /api/v2; an unknown environment is a 404 too', async () => {
      const wrong = await f.app.server.inject({ method: 'GET', url: '/airflow/local/api/v1/dags', headers: { authorization: `Bearer ${f.tokens.alice}` } })
      assert.equal(wrong.statusCode, 404, wrong.body)
      assert.equal(wrong.json().code, 'airflow_api_mismatch')
      assert.equal(wrong.json().details.use, '/airflow/local/api/v2')
      const unknown = await f.app.server.inject({ method: 'GET', url: '/airflow/nowhere/api/v2/dags', headers: { authorization: `Bearer ${f.tokens.alice}` } })
      assert.equal(unknown.statusCode, 404)
      assert.equal(unknown.json().code, 'environment_not_found')
    })
  })
})

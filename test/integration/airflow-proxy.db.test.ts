import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { forEachEngine } from '../../harness/databases.ts'
import { useProxyApp } from './airflow-proxy-support.ts'

// Airflow's REST API through Conductor: Airflow clients keep their calls, Conductor governs them per person.
forEachEngine((engine) => {
  const f = useProxyApp(engine, [
    { dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] },
    { dagId: 'ml_train', tags: ['team:ml'], owners: ['ml'] },
  ])
  let alice: string, bob: string
  before(() => { ({ alice, bob } = f.tokens) })
  const call = f.call
  const API = '/airflow/local/api/v2'
  const runCount = () => (f.stub.runs.get('etl_daily') ?? []).length

  test('the DAG list holds only the DAGs the caller may read, in Airflow\'s shape, with total_entries counting them', async () => {
    const forAlice = await call('GET', '/dags', alice)
    assert.equal(forAlice.statusCode, 200, forAlice.body)
    assert.deepEqual(forAlice.json().dags.map((d: { dag_id: string }) => d.dag_id), ['etl_daily'])
    assert.equal(forAlice.json().total_entries, 1)
    assert.deepEqual(forAlice.json().dags[0].tags, [{ name: 'team:data-eng', dag_id: 'etl_daily', dag_display_name: 'etl_daily' }])
    assert.equal(forAlice.json().dags[0].is_paused, false)
    const forBob = await call('GET', '/dags?limit=1', bob)
    assert.deepEqual(forBob.json().dags.map((d: { dag_id: string }) => d.dag_id), ['etl_daily'], 'analysts read every DAG; a page of one')
    assert.equal(forBob.json().total_entries, 2)
    const tagged = await call('GET', '/dags?tags=team:ml', bob)
    assert.deepEqual(tagged.json().dags.map((d: { dag_id: string }) => d.dag_id), ['ml_train'])
  })

  test('a DAG the caller may not read is a 404 in Airflow\'s error shape', async () => {
    const hidden = await call('GET', '/dags/ml_train', alice)
    assert.equal(hidden.statusCode, 404)
    assert.equal(typeof hidden.json().detail, 'string')
    assert.equal(hidden.json().code, 'dag_not_found')
    assert.equal((await call('GET', '/dags/etl_daily', alice)).json().dag_id, 'etl_daily')
  })

  test('a trigger goes through governance: Conductor names the run, Airflow\'s DAGRun shape answers, the ledger and audit log record it', async () => {
    const before = runCount()
    const answer = await call('POST', '/dags/etl_daily/dagRuns', alice, { dag_run_id: 'mine', logical_date: null, conf: { day: 3 }, note: 'from a script' })
    assert.equal(answer.statusCode, 200, answer.body)
    const run = answer.json()
    assert.match(run.dag_run_id, /^conductor__/)
    assert.equal(run.dag_id, 'etl_daily')
    assert.equal(run.state, 'queued')
    assert.deepEqual(run.conf, { day: 3 })
    assert.match(run.note, /Triggered through Airflow Conductor by User alice/)
    assert.match(run.note, /Client run id: mine/)
    assert.match(run.note, /from a script/)
    assert.equal(runCount(), before + 1)
    const requestId = run.dag_run_id.slice('conductor__'.length)
    const request = await f.app.database.db.selectFrom('requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow()
    assert.equal(request.action, 'dag:trigger')
    assert.equal(request.principal_id, 'alice')
    const events = await f.app.audit.query({ requestId, limit: 100 })
    assert.ok(events.length > 0, 'the trigger is in the audit log')

    const read = await call('GET', `/dags/etl_daily/dagRuns/${run.dag_run_id}`, alice)
    assert.equal(read.statusCode, 200, read.body)
    assert.equal(read.json().dag_run_id, run.dag_run_id)
    assert.equal(read.json().triggering_user_name, 'alice')
    const list = await call('GET', '/dags/etl_daily/dagRuns', bob)
    assert.ok(list.json().dag_runs.some((r: { dag_run_id: string }) => r.dag_run_id === run.dag_run_id))
    const tasks = await call('GET', `/dags/etl_daily/dagRuns/${run.dag_run_id}/taskInstances`, alice)
    assert.deepEqual(tasks.json(), { task_instances: [], total_entries: 0 })
    const log = await call('GET', `/dags/etl_daily/dagRuns/${run.dag_run_id}/taskInstances/extract/logs/2`, alice)
    assert.equal(log.statusCode, 200, log.body)
    assert.deepEqual(log.json(), { content: [{ event: 'stub log of extract, try 2' }], continuation_token: null })
  })

  test('a trigger policy forbids is a 403 and nothing reaches Airflow', async () => {
    const before = runCount()
    const refused = await call('POST', '/dags/etl_daily/dagRuns', bob, { logical_date: null })
    assert.equal(refused.statusCode, 403, refused.body)
    assert.equal(refused.json().code, 'policy_denied')
    assert.equal(typeof refused.json().detail, 'string')
    assert.equal(runCount(), before)
  })

  test('pausing goes through governance as dag:pause and answers the DAG', async () => {
    const paused = await call('PATCH', '/dags/etl_daily?update_mask=is_paused', alice, { is_paused: true })
    assert.equal(paused.statusCode, 200, paused.body)
    assert.equal(paused.json().is_paused, true)
    assert.equal((await call('PATCH', '/dags/etl_daily', bob, { is_paused: false })).statusCode, 403)
    assert.equal((await call('PATCH', '/dags/etl_daily?update_mask=description', alice, { is_paused: false })).statusCode, 400)
    assert.equal((await call('PATCH', '/dags/etl_daily', alice, { is_paused: false })).json().is_paused, false)
  })

  test('routes Conductor does not map are refused, whoever asks', async () => {
    for (const [method, url] of [['GET', '/eventLogs'], ['PATCH', '/connections'], ['POST', '/connections/test'], ['DELETE', '/dags/etl_daily'], ['POST', '/dags/etl_daily/clearTaskInstances']] as const) {
      const refused = await call(method, url, alice, method === 'GET' ? undefined : {})
      assert.equal(refused.statusCode, 403, `${method} ${url}`)
      assert.equal(refused.json().details.reason, 'route_not_mapped')
    }
  })

  test('no token, or a bad one, is a 401', async () => {
    const missing = await call('GET', '/dags', null)
    assert.equal(missing.statusCode, 401)
    assert.equal(missing.json().code, 'token_missing')
    assert.equal((await call('GET', '/connections', null)).statusCode, 401, 'an unmapped route is not revealed to strangers')
    assert.equal((await call('GET', '/dags', 'not-a-token')).statusCode, 401)
  })

  test('a plain HTTP client with a bearer token, as curl would call it', async () => {
    const url = await f.app.listen()
    const response = await fetch(`${url}${API}/dags/etl_daily`, { headers: { authorization: `Bearer ${alice}`, accept: 'application/json' } })
    assert.equal(response.status, 200)
    assert.equal((await response.json() as { dag_id: string }).dag_id, 'etl_daily')
  })
})

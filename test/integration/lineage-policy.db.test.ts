import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, test } from 'node:test'
import { startTestApp, TEST_USERS } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { eventually } from '../../harness/poll.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import type { Config } from '../../src/config/index.ts'

const PRODUCER = 'https://github.com/apache/airflow/tree/providers-openlineage/2.3.0'
// DAGs alike in everything policy sees of them but the data they write: data-eng's, tagged `hitl` so data leads may run them.
const TAGS = ['team:data-eng', 'hitl']

/** A COMPLETE event of task `task` of DAG `dagId`'s run, as Airflow's OpenLineage provider posts it, writing `outputs`. */
function taskEvent(dagId: string, task: string, outputs: { namespace: string; name: string; tags?: string[] }[]) {
  return {
    eventType: 'COMPLETE', eventTime: new Date().toISOString(), producer: PRODUCER, schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: {
      runId: randomUUID(),
      facets: { airflowDagRun: { _producer: PRODUCER, _schemaURL: 'https://openlineage.io/spec/facets/1-0-0/AirflowDagRunFacet.json', dag: { dag_id: dagId }, dagRun: { dag_id: dagId, run_id: `scheduled__${randomUUID()}` } } },
    },
    job: { namespace: 'local', name: `${dagId}.${task}` },
    inputs: [{ namespace: 'postgres://crm:5432', name: 'public.contacts' }],
    outputs: outputs.map((o) => ({
      namespace: o.namespace, name: o.name,
      ...(o.tags ? { facets: { tags: { _producer: PRODUCER, _schemaURL: 'https://openlineage.io/spec/facets/1-0-0/TagsDatasetFacet.json', tags: o.tags.map((key) => ({ key, value: 'true', source: 'CONFIG' })) } } } : {}),
    })),
  }
}

// Policy on the data a run touches (docs/lineage.md): the demo's `pii-writers-need-data-leads` forbids running a DAG
// known to write a pii dataset to all but data leads, in every door, on every replica.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let a: Awaited<ReturnType<typeof startTestApp>>
  let b: Awaited<ReturnType<typeof startTestApp>>
  // Each replica runs its own development issuer: a token is asked of the replica it is sent to.
  const tokens = new Map<unknown, Record<string, string>>()
  // What replica a's config file says at its next reload.
  let reloaded: Config | null = null

  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow(['crm_sync', 'crm_export', 'orders_daily', 'late_pii'].map((dagId) => ({ dagId, tags: TAGS, owners: ['data-eng'] })))
    const users = [...TEST_USERS, { username: 'airflow-am', name: 'Airflow auth manager', email: 'am@example.com', groups: ['airflow-auth-managers'] }]
    const options = {
      databaseUrl: database.url, environments: [{ name: 'local', url: stub.url, retries: 0 }],
      extraConfig: {
        identity: { audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users } },
        lineage: { datasetTags: [{ dataset: 'postgres://warehouse:5432/crm.customers*', tags: ['pii'] }], writesRefreshMs: 200 },
      },
    }
    a = await startTestApp({ ...options, extraConfig: { ...options.extraConfig, replicas: { id: 'replica-a' } }, app: { loadConfig: () => reloaded ?? a.config } })
    b = await startTestApp({ ...options, extraConfig: { ...options.extraConfig, replicas: { id: 'replica-b' } } })
    await a.governance.catalog.syncAll()
    for (const app of [a, b]) tokens.set(app, Object.fromEntries(await Promise.all(['alice', 'dave', 'airflow-am'].map(async (u) => [u, await app.tokenFor(u)]))))
    // Seen once, so the auth manager may ask about them.
    for (const user of ['alice', 'dave']) assert.equal((await call(a, 'GET', '/api/v1/me', user)).statusCode, 200)
  })
  after(async () => {
    await b?.close()
    await a?.close()
    await stub?.close()
    await database?.close()
  })

  const call = (app: typeof a, method: 'GET' | 'POST', url: string, user: string, payload?: object) => app.server.inject({
    method, url, headers: { authorization: `Bearer ${tokens.get(app)![user]}` }, ...(payload ? { payload } : {}),
  })
  const post = async (app: typeof a, event: object) => {
    const res = await call(app, 'POST', '/api/v1/lineage', 'alice', event)
    assert.equal(res.statusCode, 200, res.body)
  }
  const trigger = (app: typeof a, user: string, dagId: string) => call(app, 'POST', `/api/v1/environments/local/dags/${dagId}/runs`, user, { conf: {} })
  const airflowAsks = async (app: typeof a, user: string, dagIds: string[]) => {
    const questions = dagIds.map((id) => ({ resource: 'dag', method: 'POST', accessEntity: 'RUN', id }))
    const res = await call(app, 'POST', '/api/v1/airflow/local/authorize', 'airflow-am', { user: { id: user }, questions })
    assert.equal(res.statusCode, 200, res.body)
    return (res.json() as { decisions: { allowed: boolean; policyIds: string[] }[] }).decisions
  }

  test('a DAG known to write a pii dataset (by its tags facet, or by lineage.datasetTags) is run by data leads only; alike DAGs writing other data are not affected', async () => {
    // Before any lineage: alice may trigger all of them (the decisions are cached, and must not outlive what follows).
    assert.deepEqual((await airflowAsks(a, 'alice', ['crm_sync', 'crm_export', 'orders_daily'])).map((d) => d.allowed), [true, true, true])
    assert.equal((await trigger(a, 'alice', 'orders_daily')).statusCode, 201)

    await post(a, taskEvent('crm_sync', 'load', [{ namespace: 's3://lake', name: 'crm/contacts', tags: ['pii'] }]))
    await post(a, taskEvent('crm_export', 'export', [{ namespace: 'postgres://warehouse:5432', name: 'crm.customers_eu' }]))
    await post(a, taskEvent('orders_daily', 'load', [{ namespace: 's3://lake', name: 'daily/orders', tags: ['finance'] }]))

    for (const dagId of ['crm_sync', 'crm_export']) {
      const denied = await trigger(a, 'alice', dagId)
      assert.equal(denied.statusCode, 403, denied.body)
      const error = (denied.json() as { error: { code: string; details: { reasons: string[] } } }).error
      assert.equal(error.code, 'policy_denied')
      assert.ok(error.details.reasons.includes('denied by forbid policy pii-writers-need-data-leads'), JSON.stringify(error))
      const allowed = await trigger(a, 'dave', dagId)
      assert.equal(allowed.statusCode, 201, allowed.body)
      assert.deepEqual((allowed.json() as { request: { decision: { policyIds: string[] } } }).request.decision.policyIds, ['data-leads-operate-hitl'])
    }
    assert.equal((await trigger(a, 'alice', 'orders_daily')).statusCode, 201, 'a DAG with no known pii writes is unaffected')
    const rerun = await call(a, 'POST', `/api/v1/environments/local/dags/crm_sync/runs/${stub.runs.get('crm_sync')![0]!.dag_run_id}/rerun`, 'alice', {})
    assert.equal(rerun.statusCode, 403, 'rerunning it is running it again')

    // Airflow's own UI and API, through the Conductor auth manager, answer the same.
    const alices = await airflowAsks(a, 'alice', ['crm_sync', 'crm_export', 'orders_daily'])
    assert.deepEqual(alices.map((d) => d.allowed), [false, false, true])
    assert.deepEqual(alices[0]!.policyIds, ['pii-writers-need-data-leads'])
    assert.deepEqual((await airflowAsks(a, 'dave', ['crm_sync', 'crm_export', 'orders_daily'])).map((d) => d.allowed), [true, true, true])
    // The Airflow proxy too.
    const proxied = await call(a, 'POST', '/airflow/local/api/v2/dags/crm_sync/dagRuns', 'alice', { logical_date: null, conf: {} })
    assert.equal(proxied.statusCode, 403, proxied.body)
    // And the catalog's permissions and who-may-run view.
    const dags = (await call(a, 'GET', '/api/v1/dags?environment=local', 'alice')).json() as { dags: { dagId: string; permissions: Record<string, { allowed: boolean }> }[] }
    assert.deepEqual(Object.fromEntries(dags.dags.map((d) => [d.dagId, d.permissions['dag:trigger']!.allowed])), { crm_sync: false, crm_export: false, orders_daily: true, late_pii: true })
  })

  test('explain (POST /authorize) shows context.lineage and the forbid', async () => {
    const res = await call(a, 'POST', '/api/v1/authorize', 'alice', { action: 'dag:trigger', environment: 'local', dag: 'crm_sync' })
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json() as { decision: string; policyIds: string[]; context: { lineage: { writes: string[]; writeTags: string[] } } }
    assert.equal(body.decision, 'deny')
    assert.deepEqual(body.policyIds, ['pii-writers-need-data-leads'])
    assert.deepEqual(body.context.lineage, { writes: ['s3://lake/crm/contacts'], writeTags: ['pii'] })
    const configured = (await call(a, 'POST', '/api/v1/authorize', 'alice', { action: 'dag:trigger', environment: 'local', dag: 'crm_export' })).json() as typeof body
    assert.deepEqual(configured.context.lineage, { writes: ['postgres://warehouse:5432/crm.customers_eu'], writeTags: ['pii'] }, 'tagged by configuration')
    const none = (await call(a, 'POST', '/api/v1/authorize', 'alice', { action: 'dag:trigger', environment: 'local', dag: 'late_pii' })).json() as typeof body
    assert.deepEqual(none.context.lineage, { writes: [], writeTags: [] }, 'nothing known: empty sets, always there')
    const read = (await call(a, 'POST', '/api/v1/authorize', 'alice', { action: 'dag:read', environment: 'local', dag: 'crm_sync' })).json() as typeof body
    assert.deepEqual(read.context, {}, 'only the actions that run the DAG carry it')
  })

  test('the other replica learns of new writes within its refresh, and decides the same in every door', async () => {
    await eventually(async () => ((await trigger(b, 'alice', 'crm_sync')).statusCode === 403 ? true : undefined), { what: 'replica b knows crm_sync writes pii', timeoutMs: 5000 })
    assert.equal((await airflowAsks(b, 'alice', ['late_pii']))[0]!.allowed, true)
    assert.equal((await trigger(b, 'alice', 'late_pii')).statusCode, 201)
    // late_pii starts writing a pii dataset, posted at replica a: b honours it within its refresh (200 ms here).
    await post(a, taskEvent('late_pii', 'load', [{ namespace: 's3://lake', name: 'people/raw', tags: ['pii'] }]))
    assert.equal((await trigger(a, 'alice', 'late_pii')).statusCode, 403, 'at once at the replica that stored it')
    const learned = Date.now()
    await eventually(async () => ((await airflowAsks(b, 'alice', ['late_pii']))[0]!.allowed ? undefined : true), { what: 'replica b\'s auth manager door denies late_pii', timeoutMs: 5000 })
    assert.ok(Date.now() - learned < 3000, `learned within its refresh (${Date.now() - learned} ms)`)
    assert.equal((await trigger(b, 'alice', 'late_pii')).statusCode, 403)
    assert.equal((await trigger(b, 'dave', 'late_pii')).statusCode, 201)
  })

  test('a config reload puts a new lineage.datasetTags in force at once, with no restart needed', async () => {
    assert.equal((await trigger(a, 'alice', 'orders_daily')).statusCode, 201)
    const datasetTags = [...a.config.lineage.datasetTags, { dataset: 's3://lake/daily/*', tags: ['pii'] }]
    reloaded = { ...a.config, lineage: { ...a.config.lineage, datasetTags } }
    assert.deepEqual(await a.reloadConfig(), { ok: true, added: [], changed: [], removed: [], restartNeeded: [] })
    assert.equal((await trigger(a, 'alice', 'orders_daily')).statusCode, 403, 'its dataset is pii by configuration now')
    reloaded = { ...a.config, lineage: { ...a.config.lineage, datasetTags: [] } }
    assert.deepEqual((await a.reloadConfig() as { restartNeeded: string[] }).restartNeeded, [])
    assert.equal((await trigger(a, 'alice', 'orders_daily')).statusCode, 201)
    assert.equal((await trigger(a, 'alice', 'crm_export')).statusCode, 201, 'crm.customers_eu was pii by configuration only')
    assert.equal((await trigger(a, 'alice', 'crm_sync')).statusCode, 403, 'crm/contacts is pii by its facet')
  })
})

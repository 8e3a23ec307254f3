import assert from 'node:assert/strict'
import type { Kysely } from 'kysely'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { eventually } from '../../harness/poll.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { parentRunId, type LineageTables } from '../../src/governance/index.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts'

const API_KEY = 'marquez-api-key-for-tests-0123456789'

interface SentEvent {
  eventType: string
  eventTime: string
  run: { runId: string; facets: Record<string, Record<string, unknown>> }
  job: { namespace: string; name: string }
}

// Conductor is the lineage parent of the runs it triggers: its own run (START, then COMPLETE or FAIL) carries who ran
// it and why, the run's conf names it for the Airflow OpenLineage provider, and Airflow's events posted back are joined
// to the request and forwarded with the identity facet.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let receiver: WebhookReceiver
  let app: Awaited<ReturnType<typeof startTestApp>>
  let alice: Record<string, string>
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }, { dagId: 'payroll', tags: ['sensitive'], owners: ['finance'] }])
    receiver = await startWebhookReceiver()
    app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'local', url: stub.url, retries: 0 }, { name: 'other', url: stub.url, retries: 0 }, { name: 'kept', url: stub.url, retries: 0 }], secrets: { 'marquez-key': API_KEY },
      extraConfig: {
        lineage: {
          endpoints: [{ name: 'marquez', url: `${receiver.url}/api/v1/lineage`, apiKey: { provider: 'files', secret: 'marquez-key' }, environments: ['local'] }],
          // `kept` has lineage with no endpoint: Conductor is the parent of its runs and keeps the lineage for itself.
          environments: ['kept'],
          deliveryIntervalSeconds: 1, initialRetryDelaySeconds: 1, maxRetryDelaySeconds: 1,
        },
      },
    })
    await app.governance.catalog.syncAll()
    alice = { authorization: `Bearer ${await app.tokenFor('alice')}` }
  })
  after(async () => {
    await app?.close()
    await receiver?.close()
    await stub?.close()
    await database?.close()
  })

  /** The events the endpoint accepted for Conductor's run `runId`, in the order it got them. */
  const delivered = (runId: string) => receiver.deliveries.filter((d) => d.status === 200)
    .map((d) => JSON.parse(d.body) as SentEvent).filter((e) => e.run.runId === runId)
  const trigger = async (conf: Record<string, unknown>) => {
    const res = await app.server.inject({ method: 'POST', url: '/api/v1/environments/local/dags/etl_daily/runs', headers: alice, payload: { conf, reason: 'month-end close' } })
    assert.equal(res.statusCode, 201, res.body)
    const body = res.json() as { request: { id: string }; run: { runId: string } }
    return { requestId: body.request.id, airflowRunId: body.run.runId, runId: parentRunId(body.request.id) }
  }
  const stubRun = (airflowRunId: string) => stub.runs.get('etl_daily')!.find((r) => r.dag_run_id === airflowRunId)!

  test('a trigger emits START with who ran it, and the run\'s conf names Conductor\'s run as parent, beside the caller\'s keys', async () => {
    const plain = await trigger({ day: '2026-11-30' })
    const conf = stubRun(plain.airflowRunId).conf as Record<string, unknown>
    assert.deepEqual(conf, {
      day: '2026-11-30',
      openlineage: {
        parentRunId: plain.runId, parentJobNamespace: 'conductor', parentJobName: 'dag:trigger/local/etl_daily',
        rootParentRunId: plain.runId, rootParentJobNamespace: 'conductor', rootParentJobName: 'dag:trigger/local/etl_daily',
      },
    })
    const stored = await app.server.inject({ method: 'GET', url: `/api/v1/requests/${plain.requestId}`, headers: alice })
    assert.deepEqual((stored.json() as { input: { conf: unknown } }).input.conf, { day: '2026-11-30' }, 'the request keeps the caller\'s conf as given')

    const start = await eventually(() => delivered(plain.runId)[0], { what: 'START at the endpoint', timeoutMs: 10_000 })
    assert.equal(start.eventType, 'START')
    assert.deepEqual(start.job, { namespace: 'conductor', name: 'dag:trigger/local/etl_daily' })
    const facet = start.run.facets.conductor!
    assert.deepEqual(facet.principal, { type: 'User', id: 'alice' })
    assert.deepEqual(facet.groups, ['data-eng'])
    assert.equal(facet.requestId, plain.requestId)
    assert.equal(facet.decision, 'allow')
    assert.equal(facet.reason, 'month-end close')
    assert.equal(facet.via, 'api')
    assert.ok(typeof facet._producer === 'string' && typeof facet._schemaURL === 'string')
    const delivery = receiver.deliveries.find((d) => d.status === 200 && d.body.includes(plain.runId))!
    assert.equal(delivery.headers.authorization, `Bearer ${API_KEY}`)
    assert.equal(delivery.path, '/api/v1/lineage')

    const theirs = await trigger({ openlineage: { parentRunId: 'upstream-run', rootParentJobName: 'upstream-job' } })
    assert.deepEqual(stubRun(theirs.airflowRunId).conf, {
      openlineage: {
        parentRunId: 'upstream-run', parentJobNamespace: 'conductor', parentJobName: 'dag:trigger/local/etl_daily',
        rootParentRunId: theirs.runId, rootParentJobNamespace: 'conductor', rootParentJobName: 'upstream-job',
      },
    }, 'the caller\'s openlineage keys stay; only the missing ones are added')

    const elsewhere = await app.server.inject({ method: 'POST', url: '/api/v1/environments/other/dags/etl_daily/runs', headers: alice, payload: { conf: { day: 2 } } })
    assert.equal(elsewhere.statusCode, 201, elsewhere.body)
    assert.deepEqual(stubRun((elsewhere.json() as { run: { runId: string } }).run.runId).conf, { day: 2 }, 'an environment without lineage gets no openlineage keys')

    const loaded = (await app.audit.query({ type: 'config.loaded', limit: 1000 })).at(-1)!
    assert.deepEqual(loaded.data.lineage, [{ name: 'marquez', destination: receiver.url, environments: ['local'], authenticated: true }])
    assert.ok(!JSON.stringify(await app.audit.query({ limit: 1000 })).includes(API_KEY), 'the endpoint\'s key is never audited')
  })

  test('the run\'s end emits COMPLETE, or FAIL, for Conductor\'s run', async () => {
    const ok = await trigger({})
    const bad = await trigger({})
    Object.assign(stubRun(ok.airflowRunId), { state: 'success', end_date: '2026-11-30T09:00:00+00:00' })
    Object.assign(stubRun(bad.airflowRunId), { state: 'failed', end_date: '2026-11-30T09:05:00+00:00' })
    await app.lineage.runOnce()
    const okEvents = await eventually(() => (delivered(ok.runId).length === 2 ? delivered(ok.runId) : undefined), { what: 'START and COMPLETE', timeoutMs: 10_000 })
    assert.deepEqual(okEvents.map((e) => e.eventType), ['START', 'COMPLETE'])
    assert.equal(new Date(okEvents[1]!.eventTime).toISOString(), '2026-11-30T09:00:00.000Z')
    const badEvents = await eventually(() => (delivered(bad.runId).length === 2 ? delivered(bad.runId) : undefined), { what: 'START and FAIL', timeoutMs: 10_000 })
    assert.deepEqual(badEvents.map((e) => e.eventType), ['START', 'FAIL'])

    // A dispatch that fails (the DAG is gone from Airflow) and a run deleted in Airflow end Conductor's run as FAIL too.
    await app.governance.catalog.remember('local', { dagId: 'gone', description: null, tags: ['team:data-eng'], owners: ['data-eng'], paused: false, schedule: null })
    const failed = await app.server.inject({ method: 'POST', url: '/api/v1/environments/local/dags/gone/runs', headers: alice, payload: { conf: {} } })
    assert.ok(failed.statusCode >= 400, failed.body)
    const failedId = (await app.server.inject({ method: 'GET', url: '/api/v1/requests?dag=gone', headers: alice })).json().requests[0].id as string
    const deleted = await trigger({})
    stub.runs.set('etl_daily', stub.runs.get('etl_daily')!.filter((r) => r.dag_run_id !== deleted.airflowRunId))
    await app.lineage.runOnce()
    for (const runId of [parentRunId(failedId), deleted.runId]) {
      const events = await eventually(() => (delivered(runId).length === 2 ? delivered(runId) : undefined), { what: 'START and FAIL', timeoutMs: 10_000 })
      assert.deepEqual(events.map((e) => e.eventType), ['START', 'FAIL'])
    }
    const lineage = await app.server.inject({ method: 'GET', url: `/api/v1/requests/${ok.requestId}/lineage`, headers: alice })
    assert.equal(lineage.statusCode, 200, lineage.body)
    assert.deepEqual((lineage.json() as { run: { outcome: string } }).run.outcome, 'COMPLETE')
  })

  test('an environment named in lineage.environments has lineage with no endpoint: Conductor is the parent and keeps its run, sending nothing', async () => {
    const res = await app.server.inject({ method: 'POST', url: '/api/v1/environments/kept/dags/etl_daily/runs', headers: alice, payload: { conf: { day: 3 } } })
    assert.equal(res.statusCode, 201, res.body)
    const { request, run } = res.json() as { request: { id: string }; run: { runId: string } }
    const ours = parentRunId(request.id)
    const conf = stubRun(run.runId).conf as { day: number; openlineage: Record<string, string> }
    assert.equal(conf.day, 3)
    assert.equal(conf.openlineage.parentRunId, ours, 'the run names Conductor\'s run as its parent')
    Object.assign(stubRun(run.runId), { state: 'success', end_date: new Date(Date.now() + 60_000).toISOString() })
    await app.lineage.runOnce()
    const lineage = (await app.server.inject({ method: 'GET', url: `/api/v1/requests/${request.id}/lineage`, headers: alice })).json() as { run: { runId: string; outcome: string | null }; events: { eventType: string }[] }
    assert.equal(lineage.run.runId, ours)
    assert.equal(lineage.run.outcome, 'COMPLETE', 'the run ends when the Airflow run does')
    assert.deepEqual(lineage.events.map((e) => e.eventType), ['START', 'COMPLETE'])
    await new Promise((done) => setTimeout(done, 1500))
    assert.equal(receiver.deliveries.filter((d) => d.body.includes(ours)).length, 0, 'no endpoint takes kept: nothing is sent')
  })

  test('events wait while the endpoint is down and reach it once each, in order, when it is back', async () => {
    receiver.always(503)
    const run = await trigger({})
    Object.assign(stubRun(run.airflowRunId), { state: 'success', end_date: '2026-11-30T10:00:00+00:00' })
    await app.lineage.runOnce()
    await eventually(() => (receiver.deliveries.filter((d) => d.status === 503 && d.body.includes(run.runId)).length >= 2 ? true : undefined), { what: 'failed attempts', timeoutMs: 10_000 })
    assert.equal(delivered(run.runId).length, 0)
    receiver.always(200)
    const events = await eventually(() => (delivered(run.runId).length === 2 ? delivered(run.runId) : undefined), { what: 'both events after the endpoint is back', timeoutMs: 15_000 })
    assert.deepEqual(events.map((e) => e.eventType), ['START', 'COMPLETE'])
    const attempted = receiver.deliveries.filter((d) => d.body.includes(run.runId)).map((d) => (JSON.parse(d.body) as SentEvent).eventType)
    assert.equal(attempted.indexOf('COMPLETE') > attempted.lastIndexOf('START') || !attempted.includes('COMPLETE'), true, 'COMPLETE is never sent before START is delivered')
    await app.lineage.runOnce()
    assert.equal(delivered(run.runId).length, 2, 'nothing is sent twice once delivered')
  })

  test('Airflow\'s task event is joined to the request and forwarded with the identity facet; bad ones are refused and not stored', async () => {
    const run = await trigger({})
    const taskRunId = '01934f4a-7c2e-7b7e-9a43-2f0e8f1d6c55'
    const event = {
      eventType: 'START', eventTime: '2026-11-30T08:00:01.123456+00:00', producer: 'https://github.com/apache/airflow/tree/providers-openlineage/2.3.0',
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
      run: {
        runId: taskRunId,
        facets: {
          parent: {
            _producer: 'https://github.com/apache/airflow/tree/providers-openlineage/2.3.0', _schemaURL: 'https://openlineage.io/spec/facets/1-1-0/ParentRunFacet.json#/$defs/ParentRunFacet',
            run: { runId: run.runId }, job: { namespace: 'conductor', name: 'dag:trigger/local/etl_daily' },
            root: { run: { runId: run.runId }, job: { namespace: 'conductor', name: 'dag:trigger/local/etl_daily' } },
          },
        },
      },
      job: { namespace: 'local', name: 'etl_daily.extract' },
      inputs: [{ namespace: 'postgres://db:5432', name: 'sales.orders' }],
      outputs: [{ namespace: 's3://lake', name: 'daily/orders', facets: { tags: {
        _producer: 'https://github.com/apache/airflow/tree/providers-openlineage/2.3.0', _schemaURL: 'https://openlineage.io/spec/facets/1-0-0/TagsDatasetFacet.json',
        // Not `pii`: the demo's pii-writers-need-data-leads would then stop alice's later triggers of etl_daily (lineage-policy.db.test.ts).
        tags: [{ key: 'gdpr', value: 'true', source: 'CONFIG' }, { key: 'classification', value: 'restricted', source: 'CONFIG' }],
      } } }],
    }
    const listed = async () => (await app.server.inject({ method: 'GET', url: `/api/v1/requests/${run.requestId}/lineage`, headers: alice })).json() as {
      events: { source: string; eventType: string; job: { name: string } }[]; datasets: { inputs: unknown[]; outputs: unknown[] }
    }
    const before = (await listed()).events.length
    const bad = await app.server.inject({ method: 'POST', url: '/api/v1/lineage', headers: alice, payload: { ...event, run: { ...event.run, runId: 'nope' } } })
    assert.equal(bad.statusCode, 400)
    assert.equal(bad.json().error.code, 'lineage_event_invalid')
    assert.equal(bad.json().error.details.field, 'run.runId')
    for (const [nul, field] of [[{ ...event, job: { ...event.job, name: 'etl\u0000daily' } }, 'job.name'], [{ ...event, inputs: [{ namespace: 'postgres://db\u0000', name: 'x' }] }, 'inputs[0].namespace']] as const) {
      const refused = await app.server.inject({ method: 'POST', url: '/api/v1/lineage', headers: alice, payload: nul })
      assert.equal(refused.statusCode, 400, `a control character in ${field}: ${refused.body}`)
      assert.equal(refused.json().error.details.field, field)
    }
    const unauthenticated = await app.server.inject({ method: 'POST', url: '/api/v1/lineage', headers: { authorization: 'Bearer not-a-token' }, payload: event })
    assert.equal(unauthenticated.statusCode, 401)
    const bob = await app.server.inject({ method: 'POST', url: '/api/v1/lineage', headers: { authorization: `Bearer ${await app.tokenFor('bob')}` }, payload: event })
    assert.equal(bob.statusCode, 403, bob.body)
    const huge = await app.server.inject({ method: 'POST', url: '/api/v1/lineage', headers: alice, payload: { ...event, job: { ...event.job, facets: { big: { _producer: 'https://x.example', _schemaURL: 'https://x.example/s', text: 'x'.repeat(300_000) } } } } })
    assert.equal(huge.statusCode, 413, huge.body)
    assert.equal((await listed()).events.length, before, 'nothing stored')

    // Airflow's provider posts with a service account's API token (api_key auth), scoped to lineage:write.
    const account = await app.server.inject({ method: 'POST', url: '/api/v1/service-accounts', headers: alice, payload: { name: 'airflow-lineage', description: 'OpenLineage from Airflow', owner: { type: 'Group', id: 'data-eng' }, groups: ['data-eng'] } })
    assert.equal(account.statusCode, 201, account.body)
    const tokenOf = async (actions: string[]) => {
      const made = await app.server.inject({ method: 'POST', url: '/api/v1/service-accounts/airflow-lineage/tokens', headers: alice, payload: { name: actions.join('-').replace(/:/g, '_'), expiresInDays: 30, actions } })
      assert.equal(made.statusCode, 201, made.body)
      return { authorization: `Bearer ${(made.json() as { token: string }).token}` }
    }
    const readOnly = await app.server.inject({ method: 'POST', url: '/api/v1/lineage', headers: await tokenOf(['dag:read']), payload: event })
    assert.equal(readOnly.statusCode, 403, 'a token scoped to other actions may not post lineage')
    const res = await app.server.inject({ method: 'POST', url: '/api/v1/lineage', headers: await tokenOf(['lineage:write']), payload: event })
    assert.equal(res.statusCode, 200, res.body)
    assert.deepEqual(res.json(), { stored: true, runId: taskRunId, environment: 'local', requestId: run.requestId, forwardedTo: ['marquez'] })
    const again = await app.server.inject({ method: 'POST', url: '/api/v1/lineage', headers: alice, payload: event })
    assert.equal(again.json().stored, false, 'a retried event is stored once')

    const forwarded = await eventually(() => delivered(taskRunId)[0], { what: 'the task event at the endpoint', timeoutMs: 10_000 })
    assert.equal(forwarded.job.name, 'etl_daily.extract')
    assert.deepEqual(forwarded.run.facets.conductor!.principal, { type: 'User', id: 'alice' })
    assert.equal(forwarded.run.facets.conductor!.requestId, run.requestId)
    assert.deepEqual((forwarded.run.facets.parent!.run as { runId: string }).runId, run.runId)
    assert.equal(delivered(taskRunId).length, 1)

    const lineage = await listed()
    assert.equal(lineage.events.length, 2)
    assert.ok(lineage.events.some((e) => e.source === 'intake' && e.job.name === 'etl_daily.extract'))
    assert.ok(lineage.events.some((e) => e.source === 'conductor' && e.eventType === 'START'))
    assert.deepEqual(lineage.datasets, { inputs: [{ namespace: 'postgres://db:5432', name: 'sales.orders' }], outputs: [{ namespace: 's3://lake', name: 'daily/orders' }] })
    const rows = await (app.database.db as unknown as Kysely<LineageTables>).selectFrom('lineage_datasets').selectAll().where('request_id', '=', run.requestId).orderBy('direction').execute()
    assert.deepEqual(rows.map((r) => [r.direction, r.namespace, r.name, r.dag_id, r.job_name, JSON.parse(r.tags)]), [
      ['input', 'postgres://db:5432', 'sales.orders', 'etl_daily', 'etl_daily.extract', []],
      ['output', 's3://lake', 'daily/orders', 'etl_daily', 'etl_daily.extract', ['gdpr', 'classification:restricted']],
    ], 'each dataset the task read and wrote is kept with its DAG and the tags its facet gave')
    const bobReads = await app.server.inject({ method: 'GET', url: `/api/v1/requests/${run.requestId}/lineage`, headers: { authorization: `Bearer ${await app.tokenFor('bob')}` } })
    assert.equal(bobReads.statusCode, 404, 'only who may read the request reads its lineage')
  })

  test('an approved trigger\'s START names its approver; an idempotent retry and the Airflow proxy door keep one parent per request', async () => {
    const asked = await app.server.inject({ method: 'POST', url: '/api/v1/environments/local/dags/payroll/runs', headers: alice, payload: { conf: { month: 11 }, reason: 'month-end close' } })
    assert.equal(asked.statusCode, 202, asked.body)
    const id = (asked.json() as { request: { id: string } }).request.id
    const approved = await app.server.inject({ method: 'POST', url: `/api/v1/requests/${id}/approve`, headers: { authorization: `Bearer ${await app.tokenFor('dave')}` }, payload: {} })
    assert.equal(approved.statusCode, 200, approved.body)
    const start = await eventually(() => delivered(parentRunId(id))[0], { what: 'the approved trigger\'s START', timeoutMs: 10_000 })
    const facet = start.run.facets.conductor!
    assert.deepEqual((facet.approvals as { by: string }[]).map((a) => a.by), ['dave'])
    assert.deepEqual(facet.principal, { type: 'User', id: 'alice' })
    const run = stub.runs.get('payroll')!.at(-1)!
    assert.equal((run.conf as { openlineage: { parentRunId: string } }).openlineage.parentRunId, parentRunId(id))
    assert.equal((run.conf as { month: number }).month, 11)

    const key = { ...alice, 'idempotency-key': 'lineage-nightly-2026-11-30' }
    const first = await app.server.inject({ method: 'POST', url: '/api/v1/environments/local/dags/etl_daily/runs', headers: key, payload: { conf: { day: 1 } } })
    const retry = await app.server.inject({ method: 'POST', url: '/api/v1/environments/local/dags/etl_daily/runs', headers: key, payload: { conf: { day: 1 } } })
    assert.equal(first.statusCode, 201, first.body)
    assert.equal(retry.statusCode, 201, retry.body)
    const requestId = (first.json() as { request: { id: string } }).request.id
    assert.equal((retry.json() as { request: { id: string } }).request.id, requestId, 'the retry replays the first answer: the injected keys do not change its input')
    await eventually(() => delivered(parentRunId(requestId))[0], { what: 'START of the idempotent trigger', timeoutMs: 10_000 })
    await app.lineage.runOnce()
    assert.equal(delivered(parentRunId(requestId)).filter((e) => e.eventType === 'START').length, 1)

    const proxied = await app.server.inject({ method: 'POST', url: '/airflow/local/api/v2/dags/etl_daily/dagRuns', headers: alice, payload: { logical_date: null, conf: { via: 'proxy' } } })
    assert.equal(proxied.statusCode, 200, proxied.body)
    const proxiedRun = stubRun((proxied.json() as { dag_run_id: string }).dag_run_id)
    assert.deepEqual(Object.keys(proxiedRun.conf as object).sort(), ['openlineage', 'via'], 'the proxy door gets the parent ids too')
  })
})

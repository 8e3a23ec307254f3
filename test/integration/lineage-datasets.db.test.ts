import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Kysely } from 'kysely'
import { startTestApp, TEST_USERS } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { eventually } from '../../harness/poll.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { createLineageIndex, parentRunId, type LineageTables } from '../../src/governance/index.ts'
import { taskEvent } from '../support/lineage-events.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts'

const ORDERS = { namespace: 'postgres://db:5432', name: 'sales.public.orders' }
const DAILY = { namespace: 's3://lake', name: 'daily/orders/2026-11-30' }
const RERUN_DAILY = { namespace: 's3://lake', name: 'daily/rerun-sales' }
const ERIN = { username: 'erin', name: 'Erin Example', email: 'erin@example.com', groups: ['data-eng'] }

interface Person { principal: { type: string; id: string }; action: string; via: string; policyIds: string[]; approvals: { by: string }[]; reason: string | null }
interface RunLineage {
  requestId: string | null
  startedBy: Person | null
  reruns: { requestId: string; run: { name: string; runId: string }; by: Person }[]
  tasks: { task: string; requestId: string | null; eventType: string }[]
}
interface Use { eventTime: string; environment: string; dagId: string | null; airflowRunId: string | null; job: string; eventType: string | null; requestId: string | null; startedBy: Person | null }

// The lineage Conductor stored, read back: a request's lineage opens with who started it and through which policy,
// and lists each task's reads and writes; a dataset lists the runs that wrote it with the person behind each, for
// whoever may read lineage (lineage:read) and for nobody else.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let receiver: WebhookReceiver
  let app: Awaited<ReturnType<typeof startTestApp>>
  const as = async (user: string) => ({ authorization: `Bearer ${await app.tokenFor(user)}` })
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    receiver = await startWebhookReceiver()
    app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'local', url: stub.url, retries: 0 }],
      identity: { devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users: [...TEST_USERS, ERIN] } },
      extraConfig: { lineage: { endpoints: [{ name: 'marquez', url: `${receiver.url}/api/v1/lineage` }], deliveryIntervalSeconds: 1, retentionDays: 30 } },
    })
    await app.governance.catalog.syncAll()
  })
  after(async () => {
    await app?.close()
    await receiver?.close()
    await stub?.close()
    await database?.close()
  })

  const get = async (user: string, url: string) => app.server.inject({ method: 'GET', url: `/api/v1${url}`, headers: await as(user) })
  const post = async (event: Record<string, unknown>) => {
    const res = await app.server.inject({ method: 'POST', url: '/api/v1/lineage', headers: await as('alice'), payload: event })
    assert.equal(res.statusCode, 200, res.body)
    return res.json() as { requestId: string | null }
  }
  const datasetUrl = (d: { namespace: string; name: string }, more = '') => `/lineage/dataset?namespace=${encodeURIComponent(d.namespace)}&name=${encodeURIComponent(d.name)}${more}`

  test('a run started through Conductor: its lineage says who and through which policy, per task; the dataset lists the write with alice; an unjoined write has no person', async () => {
    const res = await app.server.inject({ method: 'POST', url: '/api/v1/environments/local/dags/etl_daily/runs', headers: await as('alice'), payload: { conf: {}, reason: 'month-end close' } })
    assert.equal(res.statusCode, 201, res.body)
    const { request: { id: requestId }, run: { runId: airflowRunId } } = res.json() as { request: { id: string }; run: { runId: string } }
    const parent = parentRunId(requestId)
    const extract = '01934f4a-7c2e-7b7e-9a43-2f0e8f1d6c01'
    const load = '01934f4a-7c2e-7b7e-9a43-2f0e8f1d6c02'
    const base = { airflowRunId, parent }
    assert.equal((await post(taskEvent({ ...base, type: 'START', time: '2026-11-30T08:00:01Z', runId: extract, task: 'extract', inputs: [ORDERS] }))).requestId, requestId)
    await post(taskEvent({ ...base, type: 'COMPLETE', time: '2026-11-30T08:00:05Z', runId: extract, task: 'extract', inputs: [ORDERS] }))
    // Airflow's provider names a task's outputs in its START as well as its COMPLETE (or FAIL): still one write.
    await post(taskEvent({ ...base, type: 'START', time: '2026-11-30T08:00:06Z', runId: load, task: 'load', outputs: [DAILY] }))
    await post(taskEvent({ ...base, type: 'FAIL', time: '2026-11-30T08:00:09Z', runId: load, task: 'load', outputs: [DAILY] }))

    const lineage = await get('alice', `/requests/${requestId}/lineage`)
    assert.equal(lineage.statusCode, 200, lineage.body)
    const body = lineage.json() as {
      enabled: boolean; startedBy: { principal: unknown; groups: string[]; policyIds: string[]; approvals: unknown[]; reason: string; via: string; tool: null }
      tasks: { job: string; task: string; eventType: string; firstEventAt: string; lastEventAt: string; inputs: unknown[]; outputs: unknown[] }[]
    }
    assert.equal(body.enabled, true)
    assert.deepEqual(body.startedBy.principal, { type: 'User', id: 'alice' })
    assert.deepEqual(body.startedBy.groups, ['data-eng'])
    assert.ok(body.startedBy.policyIds.length > 0, 'the policies that allowed the trigger')
    assert.deepEqual([body.startedBy.approvals, body.startedBy.reason, body.startedBy.via, body.startedBy.tool], [[], 'month-end close', 'api', null])
    assert.deepEqual(body.tasks.map((t) => [t.task, t.eventType, t.firstEventAt, t.lastEventAt, t.inputs, t.outputs]), [
      ['extract', 'COMPLETE', '2026-11-30T08:00:01.000Z', '2026-11-30T08:00:05.000Z', [ORDERS], []],
      ['load', 'FAIL', '2026-11-30T08:00:06.000Z', '2026-11-30T08:00:09.000Z', [], [DAILY]],
    ])

    // The same table written by a run Conductor did not start (no parent facet, an Airflow run id it never created).
    await post(taskEvent({ type: 'COMPLETE', time: '2026-11-30T09:00:00Z', runId: '01934f4a-7c2e-7b7e-9a43-2f0e8f1d6c03', task: 'load', airflowRunId: 'scheduled__2026-11-30T09:00:00+00:00', outputs: [DAILY] }))

    // Each run's page reads the run's lineage: alice's is her request's; the scheduled one has tasks and no person.
    const runUrl = (runId: string) => `/environments/local/dags/etl_daily/runs/${encodeURIComponent(runId)}/lineage`
    const ofHers = await get('alice', runUrl(airflowRunId))
    assert.equal(ofHers.statusCode, 200, ofHers.body)
    assert.deepEqual((ofHers.json() as { requestId: string; startedBy: { principal: unknown } }).requestId, requestId)
    assert.deepEqual((ofHers.json() as { startedBy: { principal: unknown } }).startedBy.principal, { type: 'User', id: 'alice' }, 'the run\'s lineage is its request\'s')
    const scheduled = (await get('alice', runUrl('scheduled__2026-11-30T09:00:00+00:00'))).json() as { requestId: null; startedBy: null; run: null; tasks: { task: string; outputs: unknown[] }[] }
    assert.deepEqual([scheduled.requestId, scheduled.startedBy, scheduled.run], [null, null, null])
    assert.deepEqual(scheduled.tasks.map((t) => [t.task, t.outputs]), [['load', [DAILY]]])
    const bobs = await get('bob', runUrl(airflowRunId))
    assert.equal(bobs.statusCode, 403, 'bob may read the run but not lineage')
    assert.equal(bobs.json().error.details.action, 'lineage:read')
    assert.equal((await get('alice', '/environments/local/dags/nope/runs/r1/lineage')).json().error.code, 'dag_not_found')

    const list = await get('alice', '/lineage/datasets?q=ORDERS')
    assert.equal(list.statusCode, 200, list.body)
    const datasets = (list.json() as { datasets: { namespace: string; name: string; lastWrittenAt: string | null; writes: number }[]; environments: string[] })
    assert.deepEqual(datasets.environments, ['local'])
    assert.deepEqual(datasets.datasets.map((d) => [d.namespace, d.name, d.lastWrittenAt, d.writes]), [
      [DAILY.namespace, DAILY.name, '2026-11-30T09:00:00.000Z', 2],
      [ORDERS.namespace, ORDERS.name, null, 0],
    ], 'newest write first; a dataset only read comes after')
    const paged = await get('alice', '/lineage/datasets?limit=1')
    const next = (paged.json() as { nextCursor: string }).nextCursor
    assert.equal((paged.json() as { datasets: unknown[] }).datasets.length, 1)
    const second = (await get('alice', `/lineage/datasets?limit=1&cursor=${next}`)).json() as { datasets: { name: string }[]; nextCursor: string | null }
    assert.deepEqual([second.datasets.map((d) => d.name), second.nextCursor], [[ORDERS.name], null])
    assert.deepEqual((await get('alice', '/lineage/datasets?q=100%25')).json().datasets, [], 'the search text is taken literally')

    const dataset = await get('dave', datasetUrl(DAILY))
    assert.equal(dataset.statusCode, 200, dataset.body)
    const detail = dataset.json() as { namespace: string; name: string; writes: Use[]; reads: Use[]; nextCursor: string | null }
    assert.deepEqual([detail.namespace, detail.name], [DAILY.namespace, DAILY.name])
    assert.deepEqual(detail.writes.map((w) => [w.eventTime, w.environment, w.dagId, w.airflowRunId, w.job, w.eventType, w.requestId, w.startedBy?.principal.id ?? null]), [
      ['2026-11-30T09:00:00.000Z', 'local', 'etl_daily', 'scheduled__2026-11-30T09:00:00+00:00', 'etl_daily.load', 'COMPLETE', null, null],
      ['2026-11-30T08:00:09.000Z', 'local', 'etl_daily', airflowRunId, 'etl_daily.load', 'FAIL', requestId, 'alice'],
    ], 'newest write first, one per task run (its last event): the unjoined one has no person, the other is alice\'s')
    const alices = detail.writes[1]!.startedBy!
    assert.deepEqual([alices.via, alices.reason, alices.approvals], ['api', 'month-end close', []])
    assert.deepEqual(alices.policyIds, body.startedBy.policyIds)
    const firstPage = (await get('dave', datasetUrl(DAILY, '&limit=1'))).json() as { writes: Use[]; nextCursor: string }
    assert.equal(firstPage.writes[0]!.requestId, null)
    const rest = (await get('dave', datasetUrl(DAILY, `&limit=1&cursor=${firstPage.nextCursor}`))).json() as { writes: Use[]; nextCursor: string | null }
    assert.deepEqual([rest.writes.map((w) => w.requestId), rest.nextCursor], [[requestId], null])
    const orders = (await get('carol', datasetUrl(ORDERS))).json() as { writes: Use[]; reads: Use[] }
    assert.deepEqual([orders.writes, orders.reads.map((r) => [r.job, r.eventType, r.startedBy?.principal.id])], [[], [['etl_daily.extract', 'COMPLETE', 'alice']]], 'one read per task run, as of its last event')
  })

  test('bob (analysts) may not read lineage: no environments, and every dataset is not found; bad parameters are 400 with the field', async () => {
    const list = await get('bob', '/lineage/datasets')
    assert.equal(list.statusCode, 200, list.body)
    assert.deepEqual(list.json(), { datasets: [], nextCursor: null, environments: [] })
    const hidden = await get('bob', datasetUrl(DAILY))
    const unknown = await get('alice', datasetUrl({ namespace: 's3://lake', name: 'never/seen' }))
    for (const res of [hidden, unknown]) {
      assert.equal(res.statusCode, 404, res.body)
      assert.equal(res.json().error.code, 'dataset_not_found')
    }
    assert.deepEqual(Object.keys(hidden.json().error).sort(), Object.keys(unknown.json().error).sort(), 'a hidden dataset answers as an unknown one')

    for (const [url, field] of [
      ['/lineage/dataset?namespace=s3%3A%2F%2Flake', 'name'],
      [`/lineage/dataset?name=x&namespace=${'n'.repeat(1025)}`, 'namespace'],
      [datasetUrl(DAILY, '&limit=0'), 'limit'],
      [datasetUrl(DAILY, '&cursor=not%20a%20cursor'), 'cursor'],
      [datasetUrl(DAILY, '&cursor=bm9wZQ'), 'cursor'],
      ['/lineage/datasets?limit=500', 'limit'],
      ['/lineage/datasets?cursor=abc', 'cursor'],
      // PostgreSQL text cannot hold NUL: a control character is refused before any lookup, naming its field.
      ['/lineage/datasets?q=a%00b', 'q'],
      ['/lineage/dataset?namespace=s3%3A%2F%2Flake&name=a%00b', 'name'],
      ['/lineage/dataset?namespace=s3%00&name=x', 'namespace'],
      ['/environments/local/dags/etl%00daily/runs/r1/lineage', 'dag'],
      ['/environments/local/dags/etl_daily/runs/r%001/lineage', 'runId'],
    ] as const) {
      const res = await get('alice', url)
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`)
      assert.match(String(res.json().error.details?.field), new RegExp(field), url)
    }
  })

  // A rerun through Conductor cannot change the run's conf, so Airflow's task events after it still name the trigger's
  // run as their parent: Conductor joins them to the rerun (its own run for the rerun request started before them), so
  // the lineage says who ran the tasks again, and the run's lineage lists both people.
  const call = async (user: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    app.server.inject({ method, url: `/api/v1${url}`, headers: await as(user), ...(payload ? { payload } : {}) })
  const joined = async (event: Record<string, unknown>) => (await post(event)).requestId
  const later = (ms: number) => new Date(Date.now() + ms).toISOString()

  test('erin reruns alice\'s run: the tasks\' events after it are erin\'s, events of before stay alice\'s, and the run\'s lineage names both', async () => {
    const triggered = await call('alice', 'POST', '/environments/local/dags/etl_daily/runs', { conf: {}, reason: 'month-end close' })
    assert.equal(triggered.statusCode, 201, triggered.body)
    const { request: { id: triggerId }, run: { runId: airflowRunId } } = triggered.json() as { request: { id: string }; run: { runId: string } }
    const parent = parentRunId(triggerId)
    const base = { airflowRunId, parent }
    const firstTry = { runId: '01934f4a-7c2e-7b7e-9a43-2f0e8f1d6d01', task: 'load', outputs: [RERUN_DAILY] }
    const startedAt = new Date().toISOString()
    assert.equal(await joined(taskEvent({ ...base, ...firstTry, type: 'START', time: startedAt })), triggerId)

    const rerun = await call('erin', 'POST', `/environments/local/dags/etl_daily/runs/${encodeURIComponent(airflowRunId)}/rerun`, { reason: 'upstream fixed' })
    assert.equal(rerun.statusCode, 200, rerun.body)
    const rerunId = (rerun.json() as { request: { id: string } }).request.id

    // The first try's FAIL, stamped before the rerun, arrives after it: still alice's. The second try's events are erin's.
    assert.equal(await joined(taskEvent({ ...base, ...firstTry, type: 'FAIL', time: new Date(Date.parse(startedAt) + 1).toISOString() })), triggerId)
    const secondTry = { runId: '01934f4a-7c2e-7b7e-9a43-2f0e8f1d6d02', task: 'load', outputs: [RERUN_DAILY] }
    assert.equal(await joined(taskEvent({ ...base, ...secondTry, type: 'START', time: later(1000) })), rerunId)
    assert.equal(await joined(taskEvent({ ...base, ...secondTry, type: 'COMPLETE', time: later(2000) })), rerunId)

    const ofRun = await call('alice', 'GET', `/environments/local/dags/etl_daily/runs/${encodeURIComponent(airflowRunId)}/lineage`)
    assert.equal(ofRun.statusCode, 200, ofRun.body)
    const lineage = ofRun.json() as RunLineage
    assert.deepEqual([lineage.requestId, lineage.startedBy?.principal.id, lineage.startedBy?.action, lineage.startedBy?.reason], [triggerId, 'alice', 'dag:trigger', 'month-end close'])
    assert.deepEqual(lineage.reruns.map((r) => [r.requestId, r.run.name, r.run.runId, r.by.principal.id, r.by.action, r.by.reason]),
      [[rerunId, 'dag:rerun/local/etl_daily', parentRunId(rerunId), 'erin', 'dag:rerun', 'upstream fixed']])
    assert.ok(lineage.reruns[0]!.by.policyIds.includes('data-eng-operate'), JSON.stringify(lineage.reruns[0]!.by.policyIds))
    assert.deepEqual(lineage.tasks.map((t) => [t.task, t.eventType, t.requestId]), [['load', 'COMPLETE', rerunId]], 'the task as it last ran: erin\'s rerun')

    // The rerun request's own lineage: Conductor's run for it, and the events joined to it, erin's.
    const ofRerun = (await call('erin', 'GET', `/requests/${rerunId}/lineage`)).json() as RunLineage & { run: { name: string }; events: { runId: string; eventType: string }[] }
    assert.deepEqual([ofRerun.startedBy?.principal.id, ofRerun.startedBy?.action, ofRerun.run.name, ofRerun.reruns], ['erin', 'dag:rerun', 'dag:rerun/local/etl_daily', []])
    assert.deepEqual(ofRerun.events.filter((e) => e.runId === secondTry.runId).map((e) => e.eventType), ['START', 'COMPLETE'])
    const ofTrigger = (await call('alice', 'GET', `/requests/${triggerId}/lineage`)).json() as { events: { runId: string }[] }
    assert.equal(ofTrigger.events.some((e) => e.runId === secondTry.runId), false, 'the second try is not in the trigger\'s lineage')

    // Who changed the table: two writes, one per try, each with its person.
    const dataset = (await call('dave', 'GET', `${datasetUrl(RERUN_DAILY)}`)).json() as {
      writes: { eventType: string; requestId: string; startedBy: Person }[]
    }
    assert.deepEqual(dataset.writes.map((w) => [w.eventType, w.requestId, w.startedBy.principal.id, w.startedBy.action]), [
      ['COMPLETE', rerunId, 'erin', 'dag:rerun'],
      ['FAIL', triggerId, 'alice', 'dag:trigger'],
    ])

    // Forwarded with erin's identity facet; Conductor's own run for the rerun goes out too.
    const sent = () => receiver.deliveries.filter((d) => d.status === 200).map((d) => JSON.parse(d.body) as { eventType: string; run: { runId: string; facets?: { conductor?: Person & { requestId: string } } } })
    const complete = await eventually(() => sent().find((e) => e.run.runId === secondTry.runId && e.eventType === 'COMPLETE'), { what: 'the second try\'s COMPLETE at the endpoint', timeoutMs: 15_000 })
    assert.deepEqual([complete.run.facets?.conductor?.principal.id, complete.run.facets?.conductor?.action, complete.run.facets?.conductor?.requestId], ['erin', 'dag:rerun', rerunId])
    await eventually(() => sent().find((e) => e.run.runId === parentRunId(rerunId) && e.eventType === 'START'), { what: 'Conductor\'s START for the rerun at the endpoint', timeoutMs: 15_000 })
  })

  test('a rerun of a run Conductor did not start: its lineage has no one who started it, and the rerun with erin', async () => {
    const scheduled = 'scheduled__2026-12-01T00:00:00+00:00'
    stub.runs.set('etl_daily', [...stub.runs.get('etl_daily') ?? [], { dag_run_id: scheduled, conf: {}, note: null, state: 'failed', tasks: [{ task_id: 'load', state: 'failed' }] }])
    const rerun = await call('erin', 'POST', `/environments/local/dags/etl_daily/runs/${encodeURIComponent(scheduled)}/rerun`, {})
    assert.equal(rerun.statusCode, 200, rerun.body)
    const rerunId = (rerun.json() as { request: { id: string } }).request.id
    assert.equal(await joined(taskEvent({ airflowRunId: scheduled, type: 'COMPLETE', time: later(1000), runId: '01934f4a-7c2e-7b7e-9a43-2f0e8f1d6d03', task: 'load' })), rerunId,
      'no parent facet (the scheduler started it): joined by its Airflow run')
    const lineage = (await call('alice', 'GET', `/environments/local/dags/etl_daily/runs/${encodeURIComponent(scheduled)}/lineage`)).json() as RunLineage
    assert.deepEqual([lineage.requestId, lineage.startedBy], [null, null])
    assert.deepEqual(lineage.reruns.map((r) => [r.requestId, r.by.principal.id]), [[rerunId, 'erin']])
    assert.deepEqual(lineage.tasks.map((t) => [t.task, t.requestId]), [['load', rerunId]])
  })

  test('lineage.retentionDays: older events, reads and writes are pruned (audited), but each DAG\'s newest write of a dataset stays, with its event and person', async () => {
    const ago = (days: number, ms = 0) => new Date(Date.now() - days * 86_400_000 + ms).toISOString()
    const TABLE = { namespace: 's3://lake', name: 'pruning/table' }
    const SOURCE = { namespace: 's3://lake', name: 'pruning/source' }
    const triggered = await call('alice', 'POST', '/environments/local/dags/etl_daily/runs', { conf: {}, reason: 'old run' })
    const { request: { id: requestId }, run: { runId: airflowRunId } } = triggered.json() as { request: { id: string }; run: { runId: string } }
    const old = { airflowRunId, parent: parentRunId(requestId), task: 'load' }
    await post(taskEvent({ ...old, type: 'COMPLETE', time: ago(60), runId: '01934f4a-7c2e-7b7e-9a43-2f0e8f1d6e01', inputs: [SOURCE], outputs: [TABLE] }))
    const newest = ago(50)
    await post(taskEvent({ ...old, type: 'COMPLETE', time: newest, runId: '01934f4a-7c2e-7b7e-9a43-2f0e8f1d6e02', outputs: [TABLE] }))
    await post(taskEvent({ ...old, type: 'START', time: ago(50, -1000), runId: '01934f4a-7c2e-7b7e-9a43-2f0e8f1d6e02' }))
    // Conductor's run for the request ended long ago too (as a run that finished 45 days ago would have).
    await (app.database.db as unknown as Kysely<LineageTables>).updateTable('lineage_runs').set({ started_at: ago(61), ended_at: ago(45), outcome: 'COMPLETE' }).where('request_id', '=', requestId).execute()

    const pruned = await app.lineage.prune()
    assert.ok(pruned, 'retention is configured')
    assert.deepEqual([pruned.datasets, pruned.events, pruned.runs], [2, 2, 0], 'the older write and the read, the START without datasets and the older event; the run stays, joined to the kept event')
    const audited = await app.audit.query({ type: 'lineage.pruned', limit: 10 })
    assert.deepEqual(audited.map((e) => e.data), [{ before: pruned.before, events: 2, datasets: 2, runs: 0 }])

    const table = (await get('dave', datasetUrl(TABLE))).json() as { writes: Use[] }
    assert.deepEqual(table.writes.map((w) => [w.eventTime, w.startedBy?.principal.id]), [[newest, 'alice']], 'the DAG\'s newest write of the table stays (policy\'s context.lineage reads it), with its person')
    assert.equal((await get('dave', datasetUrl(SOURCE))).statusCode, 404, 'an old read is gone')
    // A replica starting now still knows etl_daily writes the table: policy's context.lineage is unchanged by pruning.
    const index = createLineageIndex({ db: app.database.db as unknown as Kysely<LineageTables>, logger: { warn: () => {} } })
    await index.refresh()
    assert.ok(index.of('local', 'etl_daily').writes.includes(`${TABLE.namespace}/${TABLE.name}`), JSON.stringify(index.of('local', 'etl_daily').writes))
    assert.equal((await app.lineage.prune())?.events, 0, 'pruning again finds nothing more')
  })
})

import assert from 'node:assert/strict'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow, type StubDag } from '../../harness/stub-airflow.ts'
import { fixedClock } from '../../src/core/index.ts'

const PROJECT_POLICIES = join(import.meta.dirname, '..', '..', 'policies')
const ORDERS_READY = 's3://data-eng/orders/ready'
const REPORTS = 's3://data-eng/reports/daily'
const ML_FEATURES = 's3://ml/features'
const SHARED = 's3://shared/curated'
/** Posting events for shared assets waits for a data lead. */
const SHARED_POLICY = `@id("data-eng-post-shared-assets")
@approval("data-leads:1")
permit (principal in Group::"data-eng", action == Action::"asset:post_event", resource)
when { context has asset && context.asset.uri like "s3://shared/*" };
`

interface LinkEnd { environment: string; dagId?: string; assetUri?: string }
interface Link {
  id: string; source: LinkEnd; target: LinkEnd; state: string; suspendedReason: string | null
  lastFirings: { sourceRunId: string | null; sourceAssetEventId: string | null; requestId: string | null; outcome: string }[]
}

// Links with asset ends through the real API: stub Airflow 3s (the source `upstream`, the target `prod`, each with
// assets) and a stub Airflow 2 (`legacy`), two Conductor replicas on one database (SQLite and PostgreSQL) and a third
// started later on it (a restart). The loops are off: each test polls the links itself, on both replicas at once.
forEachEngine((engine) => {
  let database: TestDatabase
  let upstream: StubAirflow
  let prod: StubAirflow
  let legacy: StubAirflow
  let policyFolder: string
  let a: Awaited<ReturnType<typeof startTestApp>>
  let b: Awaited<ReturnType<typeof startTestApp>>
  const start = Date.now()
  const clocks = [fixedClock(start), fixedClock(start), fixedClock(start)]
  const tokens: Record<string, string> = {}
  const sourceDags: StubDag[] = [{ dagId: 'extract_orders', tags: ['team:data-eng'], owners: ['data-eng'] }]
  const targetDags: StubDag[] = [{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }]
  let seq = 0
  /** A run of the source DAG that succeeded now (by the wall clock, as Airflow's asset events are stamped). */
  const succeed = () => {
    const runId = `scheduled__run_${++seq}`
    const list = upstream.runs.get('extract_orders') ?? []
    list.push({ dag_run_id: runId, conf: {}, note: null, state: 'success', end_date: new Date(Date.now() + seq).toISOString(), logical_date: new Date(start).toISOString() })
    upstream.runs.set('extract_orders', list)
    return runId
  }
  const options = (replica: string, i: number) => ({
    databaseUrl: database.url, policyFolder,
    environments: [{ name: 'prod', url: prod.url, retries: 0 }, { name: 'upstream', url: upstream.url, retries: 0 }, { name: 'legacy', url: legacy.url, kind: 'airflow2' as const, retries: 0 }],
    app: { clock: clocks[i]! },
    extraConfig: { replicas: { id: replica }, governance: { scheduleTickSeconds: 0, linkPollSeconds: 0 } },
  })

  before(async () => {
    database = await engine.open()
    policyFolder = await mkdtemp(join(tmpdir(), 'conductor-link-assets-policies-'))
    await cp(PROJECT_POLICIES, policyFolder, { recursive: true })
    await writeFile(join(policyFolder, 'zz-shared-assets.cedar'), SHARED_POLICY)
    upstream = await startStubAirflow(sourceDags, { assets: [ORDERS_READY] })
    prod = await startStubAirflow(targetDags, { assets: [REPORTS, ML_FEATURES, SHARED] })
    legacy = await startStubAirflow(sourceDags, { version: 2 })
    a = await startTestApp(options('replica-a', 0))
    b = await startTestApp(options('replica-b', 1))
    await a.governance.catalog.syncAll()
    for (const user of ['alice', 'bob', 'dave']) {
      tokens[user] = await a.tokenFor(user)
      assert.equal((await call('GET', '/api/v1/me', user)).statusCode, 200, `${user} is seen`)
    }
  })
  after(async () => {
    await b?.close()
    await a?.close()
    await legacy?.close()
    await prod?.close()
    await upstream?.close()
    await database?.close()
    if (policyFolder) await rm(policyFolder, { recursive: true, force: true })
  })

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, user: string, payload?: object) => a.server.inject({
    method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload ? { payload } : {}),
  })
  const create = async (user: string, body: object) => {
    const res = await call('POST', '/api/v1/links', user, body)
    assert.equal(res.statusCode, 201, res.body)
    return res.json().link as Link
  }
  const show = async (id: string) => {
    const res = await call('GET', `/api/v1/links/${id}`, 'alice')
    assert.equal(res.statusCode, 200, res.body)
    return res.json().link as Link
  }
  const pollBoth = async () => {
    const rounds = await Promise.all([a.links.poll(), b.links.poll(), a.links.poll(), b.links.poll()])
    const sum = (key: 'fired' | 'suspended' | 'failed') => rounds.reduce((n, r) => n + r[key], 0)
    return { fired: sum('fired'), suspended: sum('suspended'), failed: sum('failed') }
  }
  const count = async () => Number((await a.database.db.selectFrom('links').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  const request = (id: string) => a.database.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const assetSource = { environment: 'upstream', assetUri: ORDERS_READY }
  const dagTarget = { environment: 'prod', dagId: 'etl_daily' }
  const dagSource = { environment: 'upstream', dagId: 'extract_orders' }
  const assetTarget = { environment: 'prod', assetUri: REPORTS }

  test('bad asset ends are a 4xx naming the field; an owner who may not post the target asset\'s event is refused; nothing is made', async () => {
    const cases: [object, number, string, string][] = [
      [{ source: { ...assetSource, dagId: 'extract_orders' }, target: dagTarget }, 400, 'invalid_input', 'source.assetUri'],
      [{ source: assetSource, target: { environment: 'prod' } }, 400, 'invalid_input', 'target'],
      [{ source: { environment: 'upstream', assetUri: ' s3://data-eng/orders/ready' }, target: dagTarget }, 400, 'invalid_input', 'source.assetUri'],
      [{ source: assetSource, target: dagTarget, confTemplate: { day: '{{source.end_date}}' } }, 400, 'invalid_input', 'confTemplate'],
      [{ source: dagSource, target: assetTarget, confTemplate: { uri: '{{source.asset_uri}}' } }, 400, 'invalid_input', 'confTemplate'],
      [{ source: { environment: 'legacy', assetUri: ORDERS_READY }, target: dagTarget }, 400, 'assets_not_supported', 'source.environment'],
      [{ source: { environment: 'legacy', dagId: 'extract_orders' }, target: { environment: 'legacy', assetUri: REPORTS } }, 400, 'assets_not_supported', 'target.environment'],
      [{ source: { environment: 'upstream', assetUri: 's3://data-eng/orders' }, target: dagTarget }, 404, 'asset_not_found', 'source.assetUri'],
      [{ source: dagSource, target: { environment: 'prod', assetUri: 's3://data-eng/reports/weekly' } }, 404, 'asset_not_found', 'target.assetUri'],
      [{ source: dagSource, target: { environment: 'prod', assetUri: ML_FEATURES } }, 403, 'link_owner_not_allowed', 'owner'],
    ]
    for (const [body, status, code, field] of cases) {
      const res = await call('POST', '/api/v1/links', 'alice', body)
      assert.deepEqual([res.statusCode, res.json().error?.code, res.json().error?.details?.field], [status, code, field], `${JSON.stringify(body)}: ${res.body}`)
    }
    const bob = await call('POST', '/api/v1/links', 'bob', { source: assetSource, target: assetTarget })
    assert.deepEqual([bob.statusCode, bob.json().error.code], [403, 'link_owner_not_allowed'], 'bob reads assets but may not post events for data-eng\'s')
    assert.equal(await count(), 0)
    assert.deepEqual([...prod.assetEvents.values()].flat(), [], 'no asset event was posted')
  })

  test('an asset event at the source fires the target DAG once as the owner, with two replicas racing and after a restart', async () => {
    const link = await create('alice', {
      source: assetSource, target: dagTarget, description: 'orders are ready',
      confTemplate: { asset: '{{source.asset_uri}}', event: '{{source.event_id}}', at: '{{source.timestamp}}', from: '{{source.environment}}', by: '{{source.dag_id}}' },
    })
    assert.deepEqual([link.source, link.target, link.state], [assetSource, dagTarget, 'active'])
    assert.deepEqual(await pollBoth(), { fired: 0, suspended: 0, failed: 0 }, 'no asset event yet')

    const event = upstream.addAssetEvent(ORDERS_READY, { source_dag_id: 'extract_orders', source_run_id: 'scheduled__x' })
    assert.deepEqual(await pollBoth(), { fired: 1, suspended: 0, failed: 0 }, 'one firing between two replicas')
    const runs = () => prod.runs.get('etl_daily') ?? []
    assert.equal(runs().length, 1)
    assert.deepEqual(runs()[0]!.conf, { asset: ORDERS_READY, event: String(event.id), at: event.timestamp, from: 'upstream', by: 'extract_orders' })
    assert.match(runs()[0]!.note ?? '', new RegExp(`Link ${link.id}: asset ${ORDERS_READY} in upstream was updated`))
    const shown = await show(link.id)
    assert.deepEqual(shown.lastFirings.map((f) => [f.sourceRunId, f.sourceAssetEventId, f.outcome]), [[null, String(event.id), 'fired']])
    const trigger = await request(shown.lastFirings[0]!.requestId!)
    assert.deepEqual([trigger.principal_id, trigger.action, trigger.environment, trigger.dag_id, JSON.parse(trigger.input).via], ['alice', 'dag:trigger', 'prod', 'etl_daily', 'link'])

    // A restarted replica on the same database does not fire the same event again; a new event fires once.
    const c = await startTestApp(options('replica-c', 2))
    try {
      assert.deepEqual(await c.links.poll(), { fired: 0, suspended: 0, failed: 0 })
      upstream.addAssetEvent(ORDERS_READY)
      assert.equal((await Promise.all([c.links.poll(), a.links.poll(), b.links.poll()])).reduce((n, r) => n + r.fired, 0), 1, 'a new asset event fires once')
    } finally {
      await c.close()
    }
    assert.equal(runs().length, 2)
    assert.equal((await call('DELETE', `/api/v1/links/${link.id}`, 'alice')).statusCode, 200)
  })

  test('a source run succeeding posts an asset event at the target through the governance pipeline as the owner', async () => {
    const link = await create('alice', { source: dagSource, target: assetTarget, confTemplate: { upstream_run: '{{source.run_id}}', day: '{{source.logical_date}}' } })
    assert.deepEqual(link.target, assetTarget)
    assert.deepEqual((await call('GET', '/api/v1/links', 'alice')).json().links.map((l: Link) => l.id), [link.id], 'link:read on the target environment')
    assert.deepEqual((await call('GET', '/api/v1/links', 'bob')).json().links, [])

    const runId = succeed()
    assert.deepEqual(await pollBoth(), { fired: 1, suspended: 0, failed: 0 })
    const events = prod.assetEvents.get(REPORTS)!
    assert.equal(events.length, 1, 'one asset event in the target Airflow')
    assert.deepEqual(events[0]!.extra, { upstream_run: runId, day: new Date(start).toISOString(), from_rest_api: true })
    const shown = await show(link.id)
    assert.deepEqual(shown.lastFirings.map((f) => [f.sourceRunId, f.outcome]), [[runId, 'fired']])
    const posted = await request(shown.lastFirings[0]!.requestId!)
    assert.deepEqual([posted.principal_type, posted.principal_id, posted.action, posted.environment, posted.dag_id, posted.state, posted.decision],
      ['User', 'alice', 'asset:post_event', 'prod', null, 'succeeded', 'allow'])
    assert.deepEqual(JSON.parse(posted.input), { assetUri: REPORTS, extra: { upstream_run: runId, day: new Date(start).toISOString() }, via: 'link', tool: link.id })
    const decision = (await a.audit.query({ type: 'authz.decision' })).find((e) => e.requestId === posted.id)!
    assert.deepEqual([decision.principal, decision.action, decision.decision, decision.policyIds], ['alice', 'asset:post_event', 'allow', ['data-eng-post-asset-events']])
    const fired = (await a.audit.query({ type: 'link.fired' })).filter((e) => (e.data as { linkId: string }).linkId === link.id)
    assert.deepEqual(fired.map((e) => [e.principal, e.action, (e.data as { assetEventId: string }).assetEventId]), [['alice', 'asset:post_event', String(events[0]!.id)]])
  })

  test('when policy no longer lets the owner post the asset\'s event, the firing is refused, audited and the link suspended', async () => {
    const link = (await call('GET', '/api/v1/links', 'alice')).json().links[0] as Link
    assert.deepEqual(link.target, assetTarget)
    const file = join(policyFolder, 'links.cedar')
    const original = await readFile(file, 'utf8')
    const reload = async () => { for (const app of [a, b]) assert.equal((await app.policy.reload()).ok, true) }
    await writeFile(file, original.replace(/@id\("data-eng-post-asset-events"\)[\s\S]*$/, ''))
    await reload()
    try {
      const before = prod.assetEvents.get(REPORTS)!.length
      const runId = succeed()
      assert.deepEqual(await pollBoth(), { fired: 0, suspended: 1, failed: 0 })
      assert.equal(prod.assetEvents.get(REPORTS)!.length, before, 'no asset event was posted')
      const suspended = await show(link.id)
      assert.deepEqual([suspended.state, suspended.suspendedReason], ['suspended', 'owner_not_allowed'])
      assert.deepEqual([suspended.lastFirings[0]!.sourceRunId, suspended.lastFirings[0]!.outcome], [runId, 'refused'])
      const denied = await request(suspended.lastFirings[0]!.requestId!)
      assert.deepEqual([denied.principal_id, denied.action, denied.decision, denied.state], ['alice', 'asset:post_event', 'deny', 'denied'], 'the refusal is on record as alice\'s request')
      const audited = (await a.audit.query({ type: 'authz.decision' })).find((e) => e.requestId === denied.id)!
      assert.equal(audited.decision, 'deny')
      const event = (await a.audit.query({ type: 'link.suspended' })).at(-1)!
      assert.deepEqual([(event.data as { linkId: string }).linkId, (event.data as { reason: string }).reason], [link.id, 'owner_not_allowed'])
      const refused = await call('POST', `/api/v1/links/${link.id}/resume`, 'alice')
      assert.deepEqual([refused.statusCode, refused.json().error.code], [403, 'link_owner_not_allowed'])
    } finally {
      await writeFile(file, original)
      await reload()
    }
    assert.equal((await call('POST', `/api/v1/links/${link.id}/resume`, 'alice')).json().link.state, 'active')
  })

  test('an asset event policy asks approval for waits as a pending request, and is posted once a data lead approves', async () => {
    const link = await create('alice', { source: dagSource, target: { environment: 'prod', assetUri: SHARED }, confTemplate: { run: '{{source.run_id}}' } })
    const runId = succeed()
    assert.ok((await pollBoth()).fired >= 1)
    const [firing] = (await show(link.id)).lastFirings
    assert.deepEqual([firing!.sourceRunId, firing!.outcome], [runId, 'fired'])
    const pending = await request(firing!.requestId!)
    assert.deepEqual([pending.action, pending.state, pending.principal_id], ['asset:post_event', 'pending', 'alice'])
    assert.deepEqual(prod.assetEvents.get(SHARED), [], 'nothing posted before the approval')
    const fired = (await a.audit.query({ type: 'link.fired' })).find((e) => e.requestId === pending.id)!
    assert.deepEqual([(fired.data as { pending: boolean }).pending, (fired.data as { assetEventId: string | null }).assetEventId], [true, null])

    const approved = await call('POST', `/api/v1/requests/${pending.id}/approve`, 'dave', { comment: 'shared data is fine' })
    assert.equal(approved.statusCode, 200, approved.body)
    assert.equal(approved.json().state, 'succeeded')
    assert.deepEqual(prod.assetEvents.get(SHARED)!.map((e) => e.extra), [{ run: runId, from_rest_api: true }], 'posted once approved, with the filled template')
  })
})

import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, test } from 'node:test'
import { startTestApp, TEST_USERS } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { eventually } from '../../harness/poll.ts'
import { startStubAirflow, type StubAirflow, type StubDag } from '../../harness/stub-airflow.ts'
import { fixedClock } from '../../src/core/index.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts'

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const SECRET = 'links-webhook-signing-secret-0123456789abc'

interface Link {
  id: string; owner: { type: string; id: string }; source: { environment: string; dagId: string }; target: { environment: string; dagId: string }
  state: string; suspendedReason: string | null; cursor: string | null
  lastFirings: { sourceRunId: string; requestId: string | null; outcome: string }[]
}

// Cross-deployment links through the real API: two stub Airflows (the source `upstream`, the target `prod`), two
// Conductor replicas on one database (SQLite and PostgreSQL) and a third started later on it (a restart), and a
// loopback webhook receiver. The loops are off: each test polls the links itself, on both replicas at once.
forEachEngine((engine) => {
  let database: TestDatabase
  let upstream: StubAirflow
  let prod: StubAirflow
  let receiver: WebhookReceiver
  let a: Awaited<ReturnType<typeof startTestApp>>
  let b: Awaited<ReturnType<typeof startTestApp>>
  let scimToken: string
  const start = Date.now()
  const clocks = [fixedClock(start), fixedClock(start), fixedClock(start)]
  const now = () => clocks[0]!.now()
  const users = [...TEST_USERS, { username: 'pat', name: 'Pat Admin', email: 'pat@example.com', groups: ['platform-admins'] }]
  const tokens: Record<string, string> = {}
  const sourceDags: StubDag[] = [{ dagId: 'extract_orders', tags: ['team:data-eng'], owners: ['data-eng'] }]
  const targetDags: StubDag[] = [
    { dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] },
    { dagId: 'ml_train', tags: ['team:ml'], owners: ['ml'] },
  ]
  let seq = 0
  /** A run of the source DAG that succeeded `afterMs` after the pinned now. */
  const succeed = (afterMs = 1000) => {
    const runId = `scheduled__run_${++seq}`
    const list = upstream.runs.get('extract_orders') ?? []
    list.push({ dag_run_id: runId, conf: {}, note: null, state: 'success', end_date: new Date(now() + afterMs + seq).toISOString(), logical_date: new Date(now()).toISOString() })
    upstream.runs.set('extract_orders', list)
    return runId
  }
  const options = (replica: string, i: number) => ({
    databaseUrl: database.url, environments: [{ name: 'prod', url: prod.url, retries: 0 }, { name: 'upstream', url: upstream.url, retries: 0 }],
    secrets: { 'webhook-signing': SECRET }, app: { clock: clocks[i]! },
    extraConfig: {
      identity: { audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users }, scim: { enabled: true } },
      replicas: { id: replica },
      governance: { scheduleTickSeconds: 0, linkPollSeconds: 0 },
      notifications: { webhooks: [{ name: 'team', url: `${receiver.url}/team`, secret: { provider: 'files', secret: 'webhook-signing' }, events: ['link.*'] }], deliveryIntervalSeconds: 1 },
    },
  })

  before(async () => {
    database = await engine.open()
    upstream = await startStubAirflow(sourceDags)
    prod = await startStubAirflow(targetDags)
    receiver = await startWebhookReceiver()
    a = await startTestApp(options('replica-a', 0))
    b = await startTestApp(options('replica-b', 1))
    await a.governance.catalog.syncAll()
    for (const user of ['alice', 'bob', 'carol', 'pat']) {
      tokens[user] = await a.tokenFor(user)
      assert.equal((await call('GET', '/api/v1/me', user)).statusCode, 200, `${user} is seen`)
    }
    scimToken = (await a.scim!.tokens.create('okta')).token
  })
  after(async () => {
    await b?.close()
    await a?.close()
    await receiver?.close()
    await prod?.close()
    await upstream?.close()
    await database?.close()
  })

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, user: string, payload?: object) => a.server.inject({
    method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload ? { payload } : {}),
  })
  const create = async (user: string, body: object) => {
    const res = await call('POST', '/api/v1/links', user, body)
    assert.equal(res.statusCode, 201, res.body)
    return res.json().link as Link
  }
  const show = async (id: string, user = 'pat') => {
    const res = await call('GET', `/api/v1/links/${id}`, user)
    assert.equal(res.statusCode, 200, res.body)
    return res.json().link as Link
  }
  const orders = { source: { environment: 'upstream', dagId: 'extract_orders' }, target: { environment: 'prod', dagId: 'etl_daily' } }
  const targetRuns = () => prod.runs.get('etl_daily') ?? []
  /** Two polling rounds at each replica, all at once (as two replicas' loops would overlap). */
  const pollBoth = async () => {
    const rounds = await Promise.all([a.links.poll(), b.links.poll(), a.links.poll(), b.links.poll()])
    const sum = (key: 'fired' | 'suspended' | 'failed') => rounds.reduce((n, r) => n + r[key], 0)
    return { fired: sum('fired'), suspended: sum('suspended'), failed: sum('failed') }
  }
  const webhookEvents = () => receiver.deliveries.map((d) => JSON.parse(d.body) as { type: string; data: Record<string, unknown> })
  const count = async () => Number((await a.database.db.selectFrom('links').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

  test('bad input is a 400 naming the field; an owner who may not trigger the target is refused; nothing is made', async () => {
    const cases: [object, string][] = [
      [{ ...orders, confTemplate: { order: '{{source.password}}' } }, 'confTemplate'],
      [{ ...orders, confTemplate: [] }, 'conf'],
      [{ target: orders.target }, 'body.source'],
      [{ ...orders, target: orders.source }, 'target'],
      [{ ...orders, owner: { type: 'Robot', id: 'x' } }, 'body.owner.type'],
      [{ ...orders, source: { environment: 'upstream', dagId: '../etc' } }, 'body.source.dagId'],
    ]
    for (const [body, field] of cases) {
      const res = await call('POST', '/api/v1/links', 'alice', body)
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`)
      const code = res.json().error.code
      assert.deepEqual([code === 'conf_invalid' ? 'invalid_input' : code, res.json().error.details.field], ['invalid_input', field], JSON.stringify(body))
    }
    const unknownEnv = await call('POST', '/api/v1/links', 'alice', { ...orders, target: { environment: 'nowhere', dagId: 'etl_daily' } })
    assert.deepEqual([unknownEnv.statusCode, unknownEnv.json().error.code, unknownEnv.json().error.details.field], [404, 'environment_not_found', 'target.environment'])
    const bob = await call('POST', '/api/v1/links', 'bob', orders)
    assert.deepEqual([bob.statusCode, bob.json().error.code, bob.json().error.details.field], [403, 'link_owner_not_allowed', 'owner'], 'bob may not trigger etl_daily')
    const forAlice = await call('POST', '/api/v1/links', 'bob', { ...orders, owner: { type: 'User', id: 'alice' } })
    assert.deepEqual([forAlice.statusCode, forAlice.json().error.code], [403, 'policy_denied'], 'nobody makes a link that runs as someone else without link:create for them')
    const mlTarget = await call('POST', '/api/v1/links', 'alice', { ...orders, target: { environment: 'prod', dagId: 'ml_train' } })
    assert.deepEqual([mlTarget.statusCode, mlTarget.json().error.code], [403, 'link_owner_not_allowed'])
    assert.equal(await count(), 0)
  })

  test('a source run succeeding fires the target once as the owner, with two replicas racing and after a restart', async () => {
    const link = await create('alice', { ...orders, confTemplate: { upstream_run: '{{source.run_id}}', from: '{{source.environment}}/{{source.dag_id}}', day: '{{source.logical_date}}', n: 3 }, description: 'orders feed' })
    assert.deepEqual([link.owner, link.state], [{ type: 'User', id: 'alice' }, 'active'])
    assert.deepEqual(await pollBoth(), { fired: 0, suspended: 0, failed: 0 }, 'no source run yet')

    const runId = succeed()
    assert.deepEqual(await pollBoth(), { fired: 1, suspended: 0, failed: 0 }, 'one firing between two replicas')
    assert.equal(targetRuns().length, 1)
    const run = targetRuns()[0]!
    assert.deepEqual(run.conf, { upstream_run: runId, from: 'upstream/extract_orders', day: new Date(now()).toISOString(), n: 3 })
    assert.match(run.note ?? '', /Triggered through Airflow Conductor by User alice/)
    assert.match(run.note ?? '', new RegExp(`Link ${link.id}: upstream/extract_orders run ${runId} succeeded`))

    const shown = await show(link.id, 'alice')
    assert.deepEqual(shown.lastFirings.map((f) => [f.sourceRunId, f.outcome]), [[runId, 'fired']])
    const request = await a.database.db.selectFrom('requests').selectAll().where('id', '=', shown.lastFirings[0]!.requestId!).executeTakeFirstOrThrow()
    assert.deepEqual([request.principal_type, request.principal_id, request.action, request.environment, request.dag_id], ['User', 'alice', 'dag:trigger', 'prod', 'etl_daily'])
    assert.deepEqual([JSON.parse(request.input).via, JSON.parse(request.input).tool], ['link', link.id])
    assert.equal(run.dag_run_id, `conductor__${request.id}`)
    const fired = (await a.audit.query({ type: 'link.fired' })).filter((e) => (e.data as { linkId: string }).linkId === link.id)
    assert.deepEqual(fired.map((e) => e.principal), ['alice'])

    // A restarted replica on the same database does not fire the same source run again.
    const c = await startTestApp(options('replica-c', 2))
    try {
      assert.deepEqual(await c.links.poll(), { fired: 0, suspended: 0, failed: 0 })
      assert.equal(targetRuns().length, 1)
      succeed()
      assert.equal((await Promise.all([c.links.poll(), a.links.poll(), b.links.poll()])).reduce((n, r) => n + r.fired, 0), 1, 'a new source run fires once')
    } finally {
      await c.close()
    }
    assert.equal(targetRuns().length, 2)
    const firings = await call('GET', `/api/v1/links/${link.id}/firings`, 'alice')
    assert.equal(firings.statusCode, 200, firings.body)
    assert.deepEqual(firings.json().firings.map((f: { outcome: string }) => f.outcome), ['fired', 'fired'])

    const badPatch = await call('PATCH', `/api/v1/links/${link.id}`, 'alice', { confTemplate: { x: '{{source.token}}' } })
    assert.deepEqual([badPatch.statusCode, badPatch.json().error.details.field], [400, 'confTemplate'])
    const patched = await call('PATCH', `/api/v1/links/${link.id}`, 'alice', { confTemplate: { upstream_run: '{{source.run_id}}' }, description: null })
    assert.equal(patched.statusCode, 200, patched.body)
    assert.deepEqual([patched.json().link.confTemplate, patched.json().link.description], [{ upstream_run: '{{source.run_id}}' }, null])
    assert.equal((await call('PATCH', `/api/v1/links/${link.id}`, 'bob', { description: 'mine now' })).statusCode, 404, 'bob may not change what he may not see')
    assert.deepEqual((await call('GET', '/api/v1/links', 'bob')).json().links, [], 'bob sees no link he may not read')
    assert.equal((await call('GET', `/api/v1/links/${link.id}`, 'bob')).statusCode, 404)
    assert.equal((await call('POST', `/api/v1/links/${link.id}/suspend`, 'alice')).json().link.state, 'suspended')
    succeed()
    assert.equal((await pollBoth()).fired, 0, 'a suspended link does not fire')
    for (const c of clocks) c.advance(10_000) // the source run ended before the link is resumed
    const resumed = await call('POST', `/api/v1/links/${link.id}/resume`, 'alice')
    assert.equal(resumed.json().link.state, 'active')
    assert.equal((await pollBoth()).fired, 0, 'source runs that ended while it was suspended are not made up')
    assert.equal(targetRuns().length, 2)
  })

  test('a claim left unsettled by a replica that stopped is fired again as the same request, and never twice', async () => {
    const link = (await call('GET', '/api/v1/links', 'alice')).json().links[0] as Link
    assert.equal(link.state, 'active')
    const runsBefore = targetRuns().length
    const firings = () => a.database.db.selectFrom('link_firings').selectAll().where('link_id', '=', link.id)
    // A replica claimed this source run, with the request id and conf it would use, and stopped before asking the target.
    const runId = succeed(30_000)
    const requestId = `crashed-${randomUUID()}`
    await a.database.db.insertInto('link_firings').values({
      link_id: link.id, event_key: runId, event_at: new Date(now() + 30_000).toISOString(), request_id: requestId,
      input: JSON.stringify({ requestId, filled: { upstream_run: runId }, note: `Link ${link.id}: left behind`, ref: { sourceRunId: runId }, audit: { runId } }),
      outcome: 'claimed', at: new Date(now() - 10 * 60_000).toISOString(),
    }).execute()

    assert.deepEqual(await pollBoth(), { fired: 1, suspended: 0, failed: 0 }, 'fired once between two replicas recovering at once')
    assert.equal(targetRuns().length, runsBefore + 1)
    const run = targetRuns().at(-1)!
    assert.deepEqual([run.dag_run_id, run.conf], [`conductor__${requestId}`, { upstream_run: runId }], 'the same request, asking what was claimed')
    assert.match(run.note ?? '', /Triggered through Airflow Conductor by User alice/)
    const settled = await firings().where('event_key', '=', runId).executeTakeFirstOrThrow()
    assert.deepEqual([settled.outcome, settled.request_id], ['fired', requestId])
    const recovered = (await a.audit.query({ type: 'link.fired' })).filter((e) => e.requestId === requestId)
    assert.deepEqual(recovered.map((e) => [e.principal, (e.data as { recovered?: boolean }).recovered]), [['alice', true]])

    // The replica stopped after the target had the run but before settling: made again, it asks nothing.
    await a.database.db.updateTable('link_firings').set({ outcome: 'claimed' }).where('link_id', '=', link.id).where('event_key', '=', runId).execute()
    assert.deepEqual(await pollBoth(), { fired: 1, suspended: 0, failed: 0 })
    assert.equal(targetRuns().length, runsBefore + 1, 'no second run')
    const requests = await a.database.db.selectFrom('requests').select('id').where('id', '=', requestId).execute()
    assert.equal(requests.length, 1, 'one request')
    assert.equal((await firings().where('event_key', '=', runId).executeTakeFirstOrThrow()).outcome, 'fired')

    // A fresh claim (a replica still at work on it) is left alone.
    const busy = succeed(40_000)
    await a.database.db.insertInto('link_firings').values({
      link_id: link.id, event_key: busy, event_at: new Date(now() + 40_000).toISOString(), request_id: `busy-${randomUUID()}`,
      input: JSON.stringify({ conf: {} }), outcome: 'claimed', at: new Date(now()).toISOString(),
    }).execute()
    assert.deepEqual(await pollBoth(), { fired: 0, suspended: 0, failed: 0 })
    assert.equal((await firings().where('event_key', '=', busy).executeTakeFirstOrThrow()).outcome, 'claimed')
    await a.database.db.deleteFrom('link_firings').where('event_key', '=', busy).execute()
    await a.database.db.insertInto('link_firings').values({
      link_id: link.id, event_key: busy, event_at: new Date(now() + 40_000).toISOString(), request_id: null, input: null, outcome: 'fired', at: new Date(now()).toISOString(),
    }).execute()
  })

  test('when policy no longer lets the owner trigger the target, the firing is refused, audited, the link suspended and the team told', async () => {
    const link = (await call('GET', '/api/v1/links', 'alice')).json().links[0] as Link
    const before = targetRuns().length
    targetDags[0]!.tags = ['team:ml'] // The target DAG moved to another team in Airflow: alice may no longer run it.
    await a.governance.catalog.syncAll()
    try {
      const runId = succeed(60_000)
      assert.deepEqual(await pollBoth(), { fired: 0, suspended: 1, failed: 0 })
      assert.equal(targetRuns().length, before, 'nothing ran')
      const suspended = await show(link.id)
      assert.deepEqual([suspended.state, suspended.suspendedReason], ['suspended', 'owner_not_allowed'])
      assert.deepEqual([suspended.lastFirings[0]!.sourceRunId, suspended.lastFirings[0]!.outcome], [runId, 'refused'])
      const denied = await a.database.db.selectFrom('requests').selectAll().where('id', '=', suspended.lastFirings[0]!.requestId!).executeTakeFirstOrThrow()
      assert.deepEqual([denied.principal_id, denied.decision], ['alice', 'deny'], 'the refusal is on record as alice\'s request')
      const event = (await a.audit.query({ type: 'link.suspended' })).at(-1)!
      assert.equal((event.data as { reason: string }).reason, 'owner_not_allowed')
      const told = await eventually(() => webhookEvents().find((e) => e.type === 'link.suspended' && e.data.linkId === link.id), { what: 'link.suspended at the webhook', timeoutMs: 10_000 })
      assert.deepEqual([told.data.reason, told.data.dag, told.data.owner], ['owner_not_allowed', 'etl_daily', { type: 'User', id: 'alice' }])
      const refused = await call('POST', `/api/v1/links/${link.id}/resume`, 'alice')
      assert.deepEqual([refused.statusCode, refused.json().error.code], [403, 'link_owner_not_allowed'])
    } finally {
      targetDags[0]!.tags = ['team:data-eng']
      await a.governance.catalog.syncAll()
    }
    assert.equal((await call('POST', `/api/v1/links/${link.id}/resume`, 'alice')).statusCode, 200)
  })

  test('a link owned by a service account fires as the account, and is suspended when the account is disabled', async () => {
    const made = await call('POST', '/api/v1/service-accounts', 'alice', { name: 'orders-bot', owner: { type: 'User', id: 'alice' }, groups: ['data-eng'] })
    assert.equal(made.statusCode, 201, made.body)
    const byAlice = await call('POST', '/api/v1/links', 'alice', { ...orders, owner: { type: 'ServiceAccount', id: 'orders-bot' } })
    assert.deepEqual([byAlice.statusCode, byAlice.json().error.code], [403, 'policy_denied'], 'only platform admins make links that run as someone else')
    const link = await create('pat', { ...orders, owner: { type: 'ServiceAccount', id: 'orders-bot' } })
    succeed(90_000)
    assert.ok((await pollBoth()).fired >= 1)
    assert.ok(targetRuns().some((r) => (r.note ?? '').includes('by ServiceAccount orders-bot') && (r.note ?? '').includes(`Link ${link.id}`)), 'a run as orders-bot, naming the link')
    const disabled = await call('POST', '/api/v1/service-accounts/orders-bot/disable', 'alice', { reason: 'rotating the team\'s automation' })
    assert.equal(disabled.statusCode, 200, disabled.body)
    const suspended = await show(link.id)
    assert.deepEqual([suspended.state, suspended.suspendedReason], ['suspended', 'owner_deprovisioned'])
    const resumed = await call('POST', `/api/v1/links/${link.id}/resume`, 'pat')
    assert.deepEqual([resumed.statusCode, resumed.json().error.code], [403, 'link_owner_not_allowed'], 'a disabled account cannot hold an active link')
  })

  test('SCIM deprovisioning the owner suspends their links at once, and they never fire', async () => {
    const link = (await call('GET', '/api/v1/links', 'alice')).json().links[0] as Link
    assert.equal(link.state, 'active')
    const scim = (method: string, path: string, body: unknown) => a.server.inject({
      method: method as 'POST', url: `/scim/v2${path}`, headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' }, payload: JSON.stringify(body),
    })
    const user = await scim('POST', '/Users', { schemas: [SCIM_USER], userName: 'alice', active: true })
    assert.equal(user.statusCode, 201, user.body)
    const off = await scim('PATCH', `/Users/${(user.json() as { id: string }).id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] })
    assert.equal(off.statusCode, 200, off.body)
    const suspended = await show(link.id)
    assert.deepEqual([suspended.state, suspended.suspendedReason], ['suspended', 'owner_deprovisioned'])
    await eventually(() => webhookEvents().find((e) => e.type === 'link.suspended' && e.data.linkId === link.id && e.data.reason === 'owner_deprovisioned'), { what: 'owner_deprovisioned at the webhook', timeoutMs: 10_000 })
    const runs = targetRuns().length
    succeed(120_000)
    await pollBoth()
    assert.equal(targetRuns().length, runs, 'the suspended link never fires')
  })
})

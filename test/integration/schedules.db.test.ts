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
const SECRET = 'schedules-webhook-signing-secret-0123456789'
const MINUTE = 60_000

interface Schedule {
  id: string; environment: string; dagId: string; owner: { type: string; id: string }; state: string; suspendedReason: string | null
  nextFireAt: string | null; lastFiredAt: string | null; lastRequestId: string | null; cron: string | null; timezone: string | null; intervalSeconds: number | null
}

// Owned schedules through the real API, two Conductor replicas on one database (SQLite and PostgreSQL), a stub Airflow
// and a loopback webhook receiver. Time is pinned: each test moves both replicas' clocks and fires due schedules itself
// (by minutes: the development issuer's tokens last an hour on that clock).
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let receiver: WebhookReceiver
  let a: Awaited<ReturnType<typeof startTestApp>>
  let b: Awaited<ReturnType<typeof startTestApp>>
  let scimToken: string
  const start = Date.now()
  const clocks = [fixedClock(start), fixedClock(start)]
  const advance = (ms: number) => { for (const c of clocks) c.advance(ms) }
  const now = () => clocks[0]!.now()
  const users = [
    ...TEST_USERS, { username: 'erin', name: 'Erin Engineer', email: 'erin@example.com', groups: ['data-eng'] },
    { username: 'pat', name: 'Pat Admin', email: 'pat@example.com', groups: ['platform-admins'] },
  ]
  const tokens: Record<string, string> = {}
  const dags: StubDag[] = [
    { dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'], schedule: '0 2 * * *' },
    { dagId: 'ml_train', tags: ['team:ml'], owners: ['ml'], schedule: '@daily' },
    { dagId: 'finance_close', tags: ['team:data-eng'], owners: ['finance'], schedule: '0 6 * * 1' },
    { dagId: 'adhoc_report', tags: ['team:data-eng'], owners: ['data-eng'] },
    { dagId: 'carols_digest', tags: ['owner:carol'], owners: ['airflow'], schedule: '@hourly' },
  ]

  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow(dags)
    receiver = await startWebhookReceiver()
    const options = (replica: string, i: number) => ({
      databaseUrl: database.url, environments: [{ name: 'prod', url: stub.url, retries: 0 }], secrets: { 'webhook-signing': SECRET }, app: { clock: clocks[i]! },
      extraConfig: {
        identity: { audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users }, scim: { enabled: true } },
        replicas: { id: replica },
        governance: { scheduleTickSeconds: 0 },
        notifications: { webhooks: [{ name: 'team', url: `${receiver.url}/team`, secret: { provider: 'files', secret: 'webhook-signing' }, events: ['schedule.*'] }], deliveryIntervalSeconds: 1 },
      },
    })
    a = await startTestApp(options('replica-a', 0))
    b = await startTestApp(options('replica-b', 1))
    await a.governance.catalog.syncAll()
    for (const user of ['alice', 'bob', 'carol', 'dave', 'erin', 'pat']) {
      tokens[user] = await a.tokenFor(user)
      assert.equal((await call('GET', '/api/v1/me', user)).statusCode, 200, `${user} is seen`)
    }
    scimToken = (await a.scim!.tokens.create('okta')).token
  })
  after(async () => {
    await b?.close()
    await a?.close()
    await receiver?.close()
    await stub?.close()
    await database?.close()
  })

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, user: string, payload?: object) => a.server.inject({
    method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload ? { payload } : {}),
  })
  const create = async (user: string, body: object) => {
    const res = await call('POST', '/api/v1/schedules', user, body)
    assert.equal(res.statusCode, 201, res.body)
    return res.json().schedule as Schedule
  }
  const show = async (id: string, user = 'carol') => {
    const res = await call('GET', `/api/v1/schedules/${id}`, user)
    assert.equal(res.statusCode, 200, res.body)
    return res.json().schedule as Schedule
  }
  const count = async () => Number((await a.database.db.selectFrom('schedules').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  const runsOf = (dagId: string) => stub.runs.get(dagId) ?? []
  /** Two firing rounds at each replica, all at once (as two replicas' loops and a restarted one's would overlap). */
  const fireBoth = async () => {
    const rounds = await Promise.all([a.schedules.fireDue(), b.schedules.fireDue(), a.schedules.fireDue(), b.schedules.fireDue()])
    const sum = (key: 'fired' | 'suspended' | 'failed') => rounds.reduce((n, r) => n + r[key], 0)
    return { fired: sum('fired'), suspended: sum('suspended'), failed: sum('failed') }
  }
  const webhookEvents = () => receiver.deliveries.map((d) => JSON.parse(d.body) as { type: string; data: Record<string, unknown> })

  test('bad input is a 400 naming the field, and changes nothing', async () => {
    const cases: [object, string][] = [
      [{ environment: 'prod', dagId: 'etl_daily', cron: '61 * * * *' }, 'cron'],
      [{ environment: 'prod', dagId: 'etl_daily', cron: 'every day' }, 'cron'],
      [{ environment: 'prod', dagId: 'etl_daily', cron: '0 2 * * *', timezone: 'Mars/Olympus_Mons' }, 'timezone'],
      [{ environment: 'prod', dagId: 'etl_daily', cron: '0 2 * * *', intervalSeconds: 600 }, 'cron'],
      [{ environment: 'prod', dagId: 'etl_daily', intervalSeconds: 5 }, 'intervalSeconds'],
      [{ environment: 'prod', dagId: 'etl_daily' }, 'cron'],
      [{ environment: 'prod', dagId: 'etl_daily', intervalSeconds: 600, conf: [] }, 'conf'],
      [{ environment: 'prod', dagId: 'etl_daily', intervalSeconds: 600, extra: true }, 'body'],
      [{ environment: 'prod', dagId: 'etl_daily', intervalSeconds: 600, owner: { type: 'Robot', id: 'x' } }, 'body.owner.type'],
      [{ environment: 'prod', dagId: '../etc', intervalSeconds: 600 }, 'body.dagId'],
    ]
    for (const [body, field] of cases) {
      const res = await call('POST', '/api/v1/schedules', 'alice', body)
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`)
      const code = res.json().error.code
      assert.deepEqual([code === 'conf_invalid' ? 'invalid_input' : code, res.json().error.details.field], ['invalid_input', field], JSON.stringify(body))
    }
    const unknownEnv = await call('POST', '/api/v1/schedules', 'alice', { environment: 'nowhere', dagId: 'etl_daily', intervalSeconds: 600 })
    assert.deepEqual([unknownEnv.statusCode, unknownEnv.json().error.code], [404, 'environment_not_found'])
    assert.equal(await count(), 0)
    assert.equal((await a.audit.query({ type: 'schedule.created' })).length, 0)
  })

  test('policy decides who may create a schedule, and its owner must be allowed to trigger the DAG now', async () => {
    const bobForHimself = await call('POST', '/api/v1/schedules', 'bob', { environment: 'prod', dagId: 'etl_daily', intervalSeconds: 600 })
    assert.deepEqual([bobForHimself.statusCode, bobForHimself.json().error.code, bobForHimself.json().error.details.field], [403, 'schedule_owner_not_allowed', 'owner'], 'bob may not trigger etl_daily')
    const bobForAlice = await call('POST', '/api/v1/schedules', 'bob', { environment: 'prod', dagId: 'etl_daily', intervalSeconds: 600, owner: { type: 'User', id: 'alice' } })
    assert.deepEqual([bobForAlice.statusCode, bobForAlice.json().error.code], [403, 'policy_denied'], 'nobody makes a schedule that runs as someone else without schedule:create for them')
    const aliceOnMl = await call('POST', '/api/v1/schedules', 'alice', { environment: 'prod', dagId: 'ml_train', cron: '@daily' })
    assert.deepEqual([aliceOnMl.statusCode, aliceOnMl.json().error.code], [403, 'schedule_owner_not_allowed'])
    assert.equal(await count(), 0)
  })

  test('a schedule fires as its owner through the governance pipeline, exactly once per due time with two replicas racing', async () => {
    const schedule = await create('alice', { environment: 'prod', dagId: 'etl_daily', intervalSeconds: 60, conf: { full: true }, description: 'nightly load' })
    assert.deepEqual([schedule.owner, schedule.state, schedule.nextFireAt], [{ type: 'User', id: 'alice' }, 'active', new Date(now() + 60_000).toISOString()])
    assert.equal((await fireBoth()).fired, 0, 'nothing is due yet')

    for (let round = 1; round <= 4; round++) {
      advance(MINUTE)
      const fired = await fireBoth()
      assert.equal(fired.fired, 1, `round ${round}: one firing between two replicas`)
      assert.equal(runsOf('etl_daily').length, round)
      assert.equal((await fireBoth()).fired, 0, `round ${round}: firing again at the same time does nothing`)
    }
    const run = runsOf('etl_daily').at(-1)!
    assert.match(run.note ?? '', /Triggered through Airflow Conductor by User alice/)
    assert.match(run.note ?? '', new RegExp(`Owned schedule ${schedule.id}`))
    assert.deepEqual(run.conf, { full: true })

    const after = await show(schedule.id, 'alice')
    assert.equal(after.lastFiredAt, new Date(now()).toISOString())
    assert.equal(after.nextFireAt, new Date(now() + 60_000).toISOString())
    assert.equal(run.dag_run_id, `conductor__${after.lastRequestId}`)
    const request = await a.database.db.selectFrom('requests').selectAll().where('id', '=', after.lastRequestId!).executeTakeFirstOrThrow()
    assert.deepEqual([request.principal_type, request.principal_id, request.action, request.state], ['User', 'alice', 'dag:trigger', 'succeeded'])
    assert.deepEqual([JSON.parse(request.input).via, JSON.parse(request.input).tool], ['schedule', schedule.id])
    const page = await call('GET', `/api/v1/requests/${after.lastRequestId}`, 'alice')
    assert.equal(page.statusCode, 200, page.body)
    assert.deepEqual([page.json().principal.id, page.json().state], ['alice', 'succeeded'], 'alice finds the scheduled run among her requests')
    const fired = (await a.audit.query({ type: 'schedule.fired' })).filter((e) => (e.data as { scheduleId: string }).scheduleId === schedule.id)
    assert.equal(fired.length, 4)
    assert.equal(fired[0]!.principal, 'alice')

    // A replica that was down for three periods fires once, then goes on from now.
    advance(3 * MINUTE)
    assert.equal((await fireBoth()).fired, 1)
    assert.equal((await show(schedule.id, 'alice')).nextFireAt, new Date(now() + 60_000).toISOString())
    const listed = await call('GET', '/api/v1/schedules', 'alice')
    assert.deepEqual(listed.json().schedules.map((s: Schedule) => s.id), [schedule.id])
    assert.deepEqual((await call('GET', '/api/v1/schedules', 'bob')).json().schedules, [], 'bob sees no schedule he may not read')
    assert.equal((await call('GET', `/api/v1/schedules/${schedule.id}`, 'bob')).statusCode, 404)
    assert.equal((await call('POST', `/api/v1/schedules/${schedule.id}/suspend`, 'alice')).json().schedule.state, 'suspended')
    advance(MINUTE)
    assert.equal((await fireBoth()).fired, 0, 'a suspended schedule does not fire')
    assert.equal((await call('DELETE', `/api/v1/schedules/${schedule.id}`, 'alice')).statusCode, 200)
    assert.equal((await call('GET', `/api/v1/schedules/${schedule.id}`, 'alice')).statusCode, 404)
  })

  test('a firing claimed by a replica that stopped is made again as the same request, and never twice', async () => {
    const schedule = await create('alice', { environment: 'prod', dagId: 'adhoc_report', intervalSeconds: 3600, conf: { mode: 'full' } })
    const before = runsOf('adhoc_report').length
    // A replica claimed the firing due an hour ago, with its request id and input, and stopped before triggering.
    const requestId = `crashed-${randomUUID()}`
    const dueAt = new Date(now() - 3600_000).toISOString()
    await a.database.db.insertInto('schedule_firings').values({
      schedule_id: schedule.id, due_at: dueAt, request_id: requestId, input: JSON.stringify({ conf: { mode: 'full' }, note: `Owned schedule ${schedule.id}, due ${dueAt}.` }),
      outcome: 'claimed', at: new Date(now() - 10 * MINUTE).toISOString(),
    }).execute()
    assert.deepEqual(await fireBoth(), { fired: 1, suspended: 0, failed: 0 }, 'made again once between two replicas')
    const run = runsOf('adhoc_report').at(-1)!
    assert.equal(runsOf('adhoc_report').length, before + 1)
    assert.deepEqual([run.dag_run_id, run.conf], [`conductor__${requestId}`, { mode: 'full' }])
    assert.match(run.note ?? '', /by User alice/)
    assert.equal((await show(schedule.id, 'alice')).lastRequestId, requestId)
    const fired = (await a.audit.query({ type: 'schedule.fired' })).filter((e) => e.requestId === requestId)
    assert.deepEqual(fired.map((e) => [e.principal, (e.data as { recovered?: boolean; dueAt: string }).recovered, (e.data as { dueAt: string }).dueAt]), [['alice', true, dueAt]])

    // Stopped after Airflow had the run but before settling: made again, it asks nothing.
    await a.database.db.updateTable('schedule_firings').set({ outcome: 'claimed' }).where('request_id', '=', requestId).execute()
    assert.deepEqual(await fireBoth(), { fired: 1, suspended: 0, failed: 0 })
    assert.equal(runsOf('adhoc_report').length, before + 1, 'no second run')
    assert.equal((await a.database.db.selectFrom('requests').select('id').where('id', '=', requestId).execute()).length, 1)

    // A claim whose schedule was suspended meanwhile is abandoned, not fired.
    await a.database.db.updateTable('schedule_firings').set({ outcome: 'claimed' }).where('request_id', '=', requestId).execute()
    await a.database.db.deleteFrom('requests').where('id', '=', requestId).execute()
    assert.equal((await call('POST', `/api/v1/schedules/${schedule.id}/suspend`, 'alice')).statusCode, 200)
    assert.deepEqual(await fireBoth(), { fired: 0, suspended: 0, failed: 0 })
    const left = await a.database.db.selectFrom('schedule_firings').selectAll().where('request_id', '=', requestId).executeTakeFirstOrThrow()
    assert.equal(left.outcome, 'abandoned')
    assert.equal(runsOf('adhoc_report').length, before + 1)
    assert.equal((await call('DELETE', `/api/v1/schedules/${schedule.id}`, 'alice')).statusCode, 200)
    assert.equal((await a.database.db.selectFrom('schedule_firings').select('request_id').where('schedule_id', '=', schedule.id).execute()).length, 0, 'its firings go with it')
  })

  test('a cron schedule fires at the wall-clock time of its time zone', async () => {
    const schedule = await create('alice', { environment: 'prod', dagId: 'etl_daily', cron: '30 2 * * *', timezone: 'Asia/Kolkata' })
    const next = new Date(schedule.nextFireAt!)
    assert.ok(next.getTime() > now() && next.getTime() <= now() + 24 * 3600_000)
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(next)
    assert.equal(local, '02:30')
    assert.equal(next.getUTCHours() * 60 + next.getUTCMinutes(), 21 * 60, '02:30 in Kolkata is 21:00 UTC')
    const patched = await call('PATCH', `/api/v1/schedules/${schedule.id}`, 'alice', { timezone: 'Nowhere/City' })
    assert.deepEqual([patched.statusCode, patched.json().error.details.field], [400, 'timezone'])
    assert.equal((await show(schedule.id, 'alice')).timezone, 'Asia/Kolkata', 'a refused change changes nothing')
    assert.equal((await call('DELETE', `/api/v1/schedules/${schedule.id}`, 'alice')).statusCode, 200)
  })

  test('transfer: only whom policy allows, and only to an owner allowed to trigger; then it fires as the new owner', async () => {
    const schedule = await create('alice', { environment: 'prod', dagId: 'etl_daily', intervalSeconds: 60 })
    const byAlice = await call('POST', `/api/v1/schedules/${schedule.id}/transfer`, 'alice', { to: { type: 'User', id: 'erin' } })
    assert.deepEqual([byAlice.statusCode, byAlice.json().error.code], [403, 'policy_denied'], 'alice may not hand over schedules')
    const toBob = await call('POST', `/api/v1/schedules/${schedule.id}/transfer`, 'dave', { to: { type: 'User', id: 'bob' } })
    assert.deepEqual([toBob.statusCode, toBob.json().error.code], [403, 'schedule_owner_not_allowed'], 'bob may not trigger etl_daily')
    const toNobody = await call('POST', `/api/v1/schedules/${schedule.id}/transfer`, 'dave', { to: { type: 'User', id: 'mallory' } })
    assert.deepEqual([toNobody.statusCode, toNobody.json().error.code], [403, 'schedule_owner_not_allowed'], 'an owner Conductor never saw')
    assert.deepEqual((await show(schedule.id)).owner, { type: 'User', id: 'alice' })

    const moved = await call('POST', `/api/v1/schedules/${schedule.id}/transfer`, 'dave', { to: { type: 'User', id: 'erin' } })
    assert.equal(moved.statusCode, 200, moved.body)
    assert.deepEqual(moved.json().schedule.owner, { type: 'User', id: 'erin' })
    const audited = (await a.audit.query({ type: 'schedule.transferred' })).at(-1)!
    assert.deepEqual([audited.principal, (audited.data as { from: unknown }).from, (audited.data as { to: unknown }).to], ['dave', { type: 'User', id: 'alice' }, { type: 'User', id: 'erin' }])

    advance(MINUTE)
    assert.equal((await fireBoth()).fired, 1)
    assert.match(runsOf('etl_daily').at(-1)!.note ?? '', /by User erin/)
  })

  test('when policy no longer lets the owner trigger, the firing suspends the schedule and the owning team hears of it', async () => {
    const schedule = (await call('GET', '/api/v1/schedules', 'erin')).json().schedules[0] as Schedule
    const before = runsOf('etl_daily').length
    dags[0]!.tags = ['team:ml'] // The DAG moved to another team in Airflow: erin may no longer run it.
    await a.governance.catalog.syncAll()
    try {
      advance(MINUTE)
      assert.deepEqual(await fireBoth(), { fired: 0, suspended: 1, failed: 0 })
      assert.equal(runsOf('etl_daily').length, before, 'nothing ran')
      const suspended = await show(schedule.id)
      assert.deepEqual([suspended.state, suspended.suspendedReason, suspended.nextFireAt], ['suspended', 'owner_not_allowed', null])
      const denied = await a.database.db.selectFrom('requests').selectAll().where('id', '=', suspended.lastRequestId!).executeTakeFirstOrThrow()
      assert.deepEqual([denied.principal_id, denied.decision], ['erin', 'deny'], 'the denial is on record as erin\'s request')
      const event = (await a.audit.query({ type: 'schedule.suspended' })).at(-1)!
      assert.equal((event.data as { reason: string }).reason, 'owner_not_allowed')
      const told = await eventually(() => webhookEvents().find((e) => e.type === 'schedule.suspended' && e.data.scheduleId === schedule.id), { what: 'schedule.suspended at the webhook', timeoutMs: 10_000 })
      assert.deepEqual([told.data.reason, told.data.team, told.data.dag, told.data.owner], ['owner_not_allowed', 'platform', 'etl_daily', { type: 'User', id: 'erin' }])

      const refused = await call('POST', `/api/v1/schedules/${schedule.id}/resume`, 'erin')
      assert.deepEqual([refused.statusCode, refused.json().error.code], [403, 'schedule_owner_not_allowed'])
    } finally {
      dags[0]!.tags = ['team:data-eng']
      await a.governance.catalog.syncAll()
    }
    const resumed = await call('POST', `/api/v1/schedules/${schedule.id}/resume`, 'erin')
    assert.equal(resumed.statusCode, 200, resumed.body)
    assert.deepEqual([resumed.json().schedule.state, resumed.json().schedule.nextFireAt], ['active', new Date(Date.parse(resumed.json().schedule.nextFireAt)).toISOString()])
  })

  test('findings: scheduled DAGs that no Conductor schedule owns', async () => {
    const res = await call('GET', '/api/v1/schedules/findings', 'bob')
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json() as { scheduled: { dagId: string; schedule: string; ownedBy: { owner: { id: string } }[]; ownerPrincipals: string[] }[]; findings: { dagId: string; kind: string }[] }
    assert.deepEqual(body.scheduled.map((d) => d.dagId).sort(), ['carols_digest', 'etl_daily', 'finance_close', 'ml_train'], 'adhoc_report has no schedule in Airflow')
    assert.deepEqual(body.scheduled.find((d) => d.dagId === 'etl_daily')!.ownedBy.map((o) => o.owner.id), ['erin'])
    assert.deepEqual(body.scheduled.find((d) => d.dagId === 'carols_digest')!.ownerPrincipals, ['carol'], 'an owner:<id> tag naming a known principal owns it, as for shadow activity')
    assert.equal(body.scheduled.find((d) => d.dagId === 'ml_train')!.schedule, '@daily')
    assert.deepEqual(body.findings.map((f) => [f.dagId, f.kind]).sort(), [['finance_close', 'unowned_schedule'], ['ml_train', 'unowned_schedule']])
    const carols = await call('GET', '/api/v1/schedules/findings', 'carol')
    assert.deepEqual(carols.json().scheduled, [], 'carol may read no DAG, so she sees none of them')
  })

  test('a schedule owned by a service account triggers as the account, and stops when the account is disabled', async () => {
    const made = await call('POST', '/api/v1/service-accounts', 'alice', { name: 'etl-bot', owner: { type: 'User', id: 'alice' }, groups: ['data-eng'] })
    assert.equal(made.statusCode, 201, made.body)
    const byAlice = await call('POST', '/api/v1/schedules', 'alice', { environment: 'prod', dagId: 'etl_daily', intervalSeconds: 60, owner: { type: 'ServiceAccount', id: 'etl-bot' } })
    assert.deepEqual([byAlice.statusCode, byAlice.json().error.code], [403, 'policy_denied'], 'only platform admins make schedules that run as someone else')
    const schedule = await create('pat', { environment: 'prod', dagId: 'etl_daily', intervalSeconds: 60, owner: { type: 'ServiceAccount', id: 'etl-bot' } })
    assert.equal(schedule.owner.type, 'ServiceAccount')
    advance(MINUTE)
    assert.ok((await fireBoth()).fired >= 1)
    assert.ok(runsOf('etl_daily').some((r) => (r.note ?? '').includes('by ServiceAccount etl-bot') && (r.note ?? '').includes(schedule.id)), 'a run as etl-bot, naming the schedule')

    const disabled = await call('POST', '/api/v1/service-accounts/etl-bot/disable', 'alice', { reason: 'rotating the team\'s automation' })
    assert.equal(disabled.statusCode, 200, disabled.body)
    const suspended = await show(schedule.id)
    assert.deepEqual([suspended.state, suspended.suspendedReason], ['suspended', 'owner_deprovisioned'])
    const resumed = await call('POST', `/api/v1/schedules/${schedule.id}/resume`, 'pat')
    assert.deepEqual([resumed.statusCode, resumed.json().error.code], [403, 'schedule_owner_not_allowed'], 'a disabled account cannot hold an active schedule')
  })

  test('SCIM deprovisioning the owner suspends their schedules at once, and the team hears of it', async () => {
    const mine = await create('alice', { environment: 'prod', dagId: 'finance_close', cron: '0 6 * * 1', timezone: 'Europe/London' })
    const erins = (await call('GET', '/api/v1/schedules', 'erin')).json().schedules[0] as Schedule
    const scim = (method: string, path: string, body: unknown) => a.server.inject({
      method: method as 'POST', url: `/scim/v2${path}`, headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' }, payload: JSON.stringify(body),
    })
    const user = await scim('POST', '/Users', { schemas: [SCIM_USER], userName: 'alice', active: true })
    assert.equal(user.statusCode, 201, user.body)
    const off = await scim('PATCH', `/Users/${(user.json() as { id: string }).id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] })
    assert.equal(off.statusCode, 200, off.body)

    const suspended = await show(mine.id)
    assert.deepEqual([suspended.state, suspended.suspendedReason], ['suspended', 'owner_deprovisioned'])
    assert.equal((await show(erins.id)).state, 'active', 'other owners\' schedules are untouched')
    await eventually(() => webhookEvents().find((e) => e.type === 'schedule.suspended' && e.data.scheduleId === mine.id && e.data.reason === 'owner_deprovisioned'), { what: 'owner_deprovisioned at the webhook', timeoutMs: 10_000 })
    advance(7 * 24 * 60 * MINUTE)
    const runs = runsOf('finance_close').length
    await fireBoth()
    assert.equal(runsOf('finance_close').length, runs, 'the suspended schedule never fires')
  })
})

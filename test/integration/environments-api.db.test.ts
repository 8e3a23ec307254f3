import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Config } from '../../src/config/index.ts'
import { startTestApp, TEST_USERS } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { conductor } from '../support/cli.ts'

/** The CLI's exit codes (docs/cli.md). */
const EXIT = { ok: 0, invalid: 2, denied: 3, notFound: 4 } as const
const POLL_SECONDS = 1
/** A platform administrator: the project's policies let the group define environments. */
const USERS = [...TEST_USERS, { username: 'erin', name: 'Erin Example', email: 'erin@example.com', groups: ['platform-admins'] }]
const CREDENTIALS = JSON.stringify({ username: 'conductor', password: 'unused' })

// Environments defined through the API, on two Conductor replicas sharing one database (as replicas do), each in
// front of loopback stand-ins of Airflow: what an administrator defines at one replica answers at the other within
// the poll interval, and is gone there when deleted; config keeps its own.
forEachEngine((engine) => {
  let database: TestDatabase
  let local: StubAirflow
  let gamma: StubAirflow
  let a: Awaited<ReturnType<typeof startTestApp>>
  let b: Awaited<ReturnType<typeof startTestApp>>
  let aConfig: Config | null = null

  before(async () => {
    database = await engine.open()
    local = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    gamma = await startStubAirflow([{ dagId: 'etl_hourly', tags: ['team:data-eng'], owners: ['data-eng'] }])
    const options = {
      databaseUrl: database.url, environments: [{ name: 'local', url: local.url, retries: 0 }],
      identity: { devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users: USERS } },
      secrets: { 'airflow-gamma': CREDENTIALS, 'airflow-delta': CREDENTIALS },
    }
    const extra = { governance: { environmentsPollSeconds: POLL_SECONDS, scheduleTickSeconds: 0, linkPollSeconds: 0 } }
    a = await startTestApp({ ...options, extraConfig: { ...extra, replicas: { id: 'replica-a' } }, app: { loadConfig: () => aConfig! } })
    aConfig = a.config
    b = await startTestApp({ ...options, extraConfig: { ...extra, replicas: { id: 'replica-b' } } })
  })
  after(async () => {
    await b?.close()
    await a?.close()
    await gamma?.close()
    await local?.close()
    await database?.close()
  })

  type TestApp = typeof a
  const call = async (app: TestApp, user: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => app.server.inject({
    method, url, headers: { authorization: `Bearer ${await app.tokenFor(user)}` }, ...(payload ? { payload } : {}),
  })
  const stored = async () => (await a.database.db.selectFrom('stored_environments').select('name').execute()).map((r) => r.name)
  const listed = async (app: TestApp) => ((await call(app, 'alice', 'GET', '/api/v1/environments')).json().environments as { name: string; source: string; zone: string }[])
  const trigger = (app: TestApp, env: string) => call(app, 'alice', 'POST', `/api/v1/environments/${env}/dags/etl_hourly/runs`, { conf: {} })
  /** Waits for `check` to hold, at most a few poll intervals. */
  const eventually = async (what: string, check: () => Promise<boolean>) => {
    const until = Date.now() + POLL_SECONDS * 5000
    while (!await check()) {
      if (Date.now() > until) assert.fail(`${what}: not within ${POLL_SECONDS * 5} s`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  const gammaBody = () => ({
    name: 'gamma', kind: 'airflow3', url: gamma.url, zone: 'dev', tier: 'dev', team: 'platform', credentials: { provider: 'files', secret: 'airflow-gamma' }, retries: 0,
  })

  test('refusals store nothing: policy denies (403), a raw secret (400, its field, never echoed), bad input (400 with the field), a name config defines (409); config\'s own cannot be changed (409)', async () => {
    const denied = await call(a, 'alice', 'POST', '/api/v1/environments', gammaBody())
    assert.equal(denied.statusCode, 403, denied.body)
    assert.equal(denied.json().error.code, 'policy_denied')

    const raw = await call(a, 'erin', 'POST', '/api/v1/environments', { ...gammaBody(), credentials: { provider: 'files', secret: 'airflow-gamma', password: 'hunter2-very-secret' } })
    assert.equal(raw.statusCode, 400, raw.body)
    assert.equal(raw.json().error.code, 'secret_value_refused')
    assert.equal(raw.json().error.details.field, 'credentials.password')
    assert.doesNotMatch(raw.body, /hunter2/)
    const rawString = await call(a, 'erin', 'POST', '/api/v1/environments', { ...gammaBody(), credentials: 'hunter2-very-secret' })
    assert.equal(rawString.statusCode, 400, rawString.body)
    assert.deepEqual([rawString.json().error.code, rawString.json().error.details.field], ['secret_value_refused', 'credentials'])

    const badUrl = await call(a, 'erin', 'POST', '/api/v1/environments', { ...gammaBody(), url: 'not a url' })
    assert.equal(badUrl.statusCode, 400, badUrl.body)
    assert.equal(badUrl.json().error.code, 'invalid_input')
    assert.match(badUrl.json().error.details.field, /url$/)
    const badProvider = await call(a, 'erin', 'POST', '/api/v1/environments', { ...gammaBody(), credentials: { provider: 'vault', secret: 'airflow-gamma' } })
    assert.equal(badProvider.statusCode, 400, badProvider.body)
    assert.deepEqual([badProvider.json().error.code, badProvider.json().error.details.field], ['invalid_input', 'credentials.provider'])

    const taken = await call(a, 'erin', 'POST', '/api/v1/environments', { ...gammaBody(), name: 'local' })
    assert.equal(taken.statusCode, 409, taken.body)
    assert.equal(taken.json().error.code, 'environment_exists')
    for (const method of ['PATCH', 'DELETE'] as const) {
      const owned = await call(a, 'erin', method, '/api/v1/environments/local', method === 'PATCH' ? { zone: 'eu' } : undefined)
      assert.equal(owned.statusCode, 409, owned.body)
      assert.equal(owned.json().error.code, 'environment_config_owned')
    }
    const unknown = await call(a, 'erin', 'DELETE', '/api/v1/environments/nowhere')
    assert.equal(unknown.statusCode, 404, unknown.body)

    assert.deepEqual(await stored(), [], 'nothing was stored')
    assert.deepEqual((await listed(a)).map((e) => e.name), ['local'])
    assert.equal((await a.audit.query({ type: 'environment.created' })).length, 0)
    assert.ok((await a.audit.query({ type: 'environment.denied' })).length >= 1, 'the refusal by policy is audited')
  })

  test('created at replica A: triggers at once there and at replica B within the poll interval; changed and kept by a config reload; deleted: gone at both, its requests stay readable', async () => {
    const created = await call(a, 'erin', 'POST', '/api/v1/environments', gammaBody())
    assert.equal(created.statusCode, 201, created.body)
    const view = created.json().environment
    assert.deepEqual([view.name, view.source, view.generation, view.createdBy, view.credentials], ['gamma', 'api', 1, 'erin', { provider: 'files', secret: 'airflow-gamma' }])
    assert.deepEqual((await listed(a)).map((e) => [e.name, e.source]), [['local', 'config'], ['gamma', 'api']])

    const atA = await trigger(a, 'gamma')
    assert.equal(atA.statusCode, 201, atA.body)
    const requestId = atA.json().request.id as string
    await eventually('gamma answers at replica B', async () => (await listed(b)).some((e) => e.name === 'gamma' && e.source === 'api'))
    await b.governance.catalog.syncAll()
    const atB = await trigger(b, 'gamma')
    assert.equal(atB.statusCode, 201, atB.body)
    assert.equal(gamma.runs.get('etl_hourly')?.length, 2, 'both replicas reached the new environment\'s Airflow')

    const again = await call(b, 'erin', 'POST', '/api/v1/environments', gammaBody())
    assert.equal(again.statusCode, 409, again.body)
    assert.equal(again.json().error.code, 'environment_exists')

    const changed = await call(a, 'erin', 'PATCH', '/api/v1/environments/gamma', { zone: 'eu' })
    assert.equal(changed.statusCode, 200, changed.body)
    assert.deepEqual([changed.json().environment.zone, changed.json().environment.generation, changed.json().environment.url], ['eu', 2, gamma.url])
    const rawPatch = await call(a, 'erin', 'PATCH', '/api/v1/environments/gamma', { credentials: { provider: 'files', secret: 'x', token: 'abc' } })
    assert.deepEqual([rawPatch.statusCode, rawPatch.json().error.code, rawPatch.json().error.details.field], [400, 'secret_value_refused', 'credentials.token'])
    await eventually('the change reaches replica B', async () => (await listed(b)).find((e) => e.name === 'gamma')?.zone === 'eu')

    // A SIGHUP reload keeps what the API defined; what the API changes keeps config's own.
    const reloaded = await a.reloadConfig()
    assert.deepEqual(reloaded, { ok: true, added: [], changed: [], removed: [], restartNeeded: [] })
    assert.deepEqual((await listed(a)).map((e) => [e.name, e.source]), [['local', 'config'], ['gamma', 'api']])

    const audit = await a.audit.query({ environment: 'gamma' })
    const types = audit.map((e) => e.type)
    for (const type of ['environment.created', 'environment.updated']) assert.ok(types.includes(type), `${type} is audited`)
    assert.doesNotMatch(JSON.stringify(audit), /hunter2|"password"|unused/, 'no secret in the audit trail')

    const deleted = await call(b, 'erin', 'DELETE', '/api/v1/environments/gamma')
    assert.equal(deleted.statusCode, 200, deleted.body)
    assert.deepEqual([deleted.json().environment.name, deleted.json().environment.generation, deleted.json().environment.zone], ['gamma', 2, 'eu'], 'answers it as it was')
    const goneAtB = await trigger(b, 'gamma')
    assert.deepEqual([goneAtB.statusCode, goneAtB.json().error.code], [404, 'environment_not_found'])
    await eventually('gamma is gone at replica A', async () => !(await listed(a)).some((e) => e.name === 'gamma'))
    const goneAtA = await trigger(a, 'gamma')
    assert.deepEqual([goneAtA.statusCode, goneAtA.json().error.code], [404, 'environment_not_found'])
    assert.equal(gamma.runs.get('etl_hourly')?.length, 2, 'nothing more reached the deleted environment\'s Airflow')

    for (const app of [a, b]) {
      const old = await call(app, 'alice', 'GET', `/api/v1/requests/${requestId}`)
      assert.equal(old.statusCode, 200, old.body)
      assert.deepEqual([old.json().environment, old.json().dagId], ['gamma', 'etl_hourly'])
    }
    assert.ok((await b.audit.query({ requestId })).length > 0, 'the deleted environment\'s audit stays')
    assert.ok((await b.audit.query({ type: 'environment.deleted' })).some((e) => e.environment === 'gamma' && e.principal === 'erin'))
    assert.deepEqual(await stored(), [])
  })

  test('conductor environments create|list|update|delete', async () => {
    const url = await a.listen()
    const as = async (user: string, args: string[]) => conductor(['--server', url, '--token', await a.tokenFor(user), ...args], { CONDUCTOR_CONFIG_DIR: a.dir })
    const denied = await as('alice', ['environments', 'create', 'delta', '--url', gamma.url, '--secret', 'files/airflow-delta'])
    assert.equal(denied.code, EXIT.denied, denied.stderr)
    const raw = await as('erin', ['environments', 'create', 'delta', '--url', gamma.url, '--from', '{"credentials":{"provider":"files","secret":"airflow-delta","password":"hunter2"}}'])
    assert.equal(raw.code, EXIT.invalid, raw.stderr)
    assert.match(raw.stderr, /secret_value_refused|credentials\.password/)
    assert.doesNotMatch(raw.stderr, /hunter2/)

    const created = await as('erin', ['environments', 'create', 'delta', '--url', gamma.url, '--zone', 'eu', '--team', 'platform', '--secret', 'files/airflow-delta'])
    assert.equal(created.code, EXIT.ok, created.stderr)
    assert.match(created.stdout, /^created environment delta$/m)
    assert.match(created.stdout, /^credentials: +files\/airflow-delta$/m)
    const list = await as('alice', ['environments', 'list'])
    assert.equal(list.code, EXIT.ok, list.stderr)
    assert.match(list.stdout, /^delta +api\b/m)
    assert.match(list.stdout, /^local +config\b/m)

    const updated = await as('erin', ['environments', 'update', 'delta', '--tier', 'prod'])
    assert.equal(updated.code, EXIT.ok, updated.stderr)
    assert.match(updated.stdout, /^updated environment delta \(generation 2\)$/m)
    const owned = await as('erin', ['environments', 'update', 'local', '--tier', 'prod'])
    assert.notEqual(owned.code, EXIT.ok, owned.stderr)
    assert.match(owned.stderr, /environment_config_owned/)

    const deleted = await as('erin', ['environments', 'delete', 'delta'])
    assert.equal(deleted.code, EXIT.ok, deleted.stderr)
    assert.match(deleted.stdout, /^deleted environment delta$/m)
    const missing = await as('erin', ['environments', 'delete', 'delta'])
    assert.equal(missing.code, EXIT.notFound, missing.stderr)
  })
})

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { SignJWT, base64url, decodeJwt, generateKeyPair } from 'jose'
import { createHmac } from 'node:crypto'
import { ERROR_CODES, fixedClock } from '../../src/core/index.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startTestApp } from '../../harness/app.ts'

type TestApp = Awaited<ReturnType<typeof startTestApp>>

forEachEngine((engine) => {
  let database: TestDatabase
  let app: TestApp
  let alice: string, bob: string, carol: string
  const clock = fixedClock(Date.now())

  before(async () => {
    database = await engine.open()
    // Port 1 on loopback is closed: this Airflow is down.
    app = await startTestApp({ databaseUrl: database.url, environments: [{ name: 'local', url: 'http://127.0.0.1:1', timeoutMs: 2000, retries: 0 }], app: { clock } })
    alice = await app.tokenFor('alice')
    bob = await app.tokenFor('bob')
    carol = await app.tokenFor('carol')
    await app.governance.catalog.remember('local', { dagId: 'etl_daily', description: null, tags: ['team:data-eng'], owners: ['data-eng'], paused: false, schedule: '@daily' })
    await app.governance.catalog.remember('local', { dagId: 'ml_train', description: null, tags: ['team:ml'], owners: ['ml'], paused: false, schedule: null })
  })
  after(async () => {
    await app?.close()
    await database?.close()
  })

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, token?: string, payload?: unknown) =>
    app.server.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload !== undefined ? { payload: payload as object } : {}) })
  const requestCount = async () => (await app.database.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n

  test('alice is known with her IdP groups', async () => {
    const res = await call('GET', '/api/v1/me', alice)
    assert.equal(res.statusCode, 200)
    assert.deepEqual({ ...(res.json() as object), displayName: undefined }, { type: 'User', id: 'alice', username: 'alice', email: 'alice@example.com', issuer: 'dev', groups: ['data-eng'], idpGroups: ['data-eng'], displayName: undefined })
  })

  test('bad tokens get 401 with a reason code, are audited without the token, and reach nothing', async () => {
    const before = await requestCount()
    const header = decodeJwt(alice)
    const jwks = await (await fetch(`${app.devIssuer!.issuer}/jwks`)).json() as { keys: Record<string, unknown>[] }
    const rsaPublic = jwks.keys.find((k) => k.kty === 'RSA')!
    const unsigned = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify({ ...header }))}.`
    // HS256 "signed" with the issuer's public key as the HMAC secret: the classic algorithm-confusion attack.
    const hsInput = `${base64url.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: rsaPublic.kid }))}.${base64url.encode(JSON.stringify(header))}`
    const confused = `${hsInput}.${base64url.encode(createHmac('sha256', JSON.stringify(rsaPublic)).update(hsInput).digest())}`
    const { privateKey } = await generateKeyPair('RS256')
    const stranger = await new SignJWT({ ...header }).setProtectedHeader({ alg: 'RS256', kid: 'stranger' }).sign(privateKey)
    const cases: [string | undefined, string][] = [
      [undefined, 'token_missing'],
      ['not-a-jwt', 'token_malformed'],
      [`${alice}${'A'.repeat(9000)}`, 'token_too_large'],
      [unsigned, 'token_algorithm_not_allowed'],
      [confused, 'token_algorithm_not_allowed'],
      [stranger, 'token_invalid_signature'],
    ]
    for (const [token, code] of cases) {
      const res = await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', token, { conf: {} })
      assert.equal(res.statusCode, 401, code)
      assert.equal(res.json().error.code, code)
      assert.match(String(res.headers['www-authenticate']), /^Bearer/)
    }
    assert.equal(await requestCount(), before, 'no request was recorded, so nothing was dispatched')
    const failures = await app.audit.query({ type: 'auth.failed', limit: 1000 })
    assert.deepEqual(failures.slice(-cases.length).map((e) => e.data.reason), cases.map(([, code]) => code))
    const trail = JSON.stringify(await app.audit.query({ limit: 1000 }))
    for (const [token] of cases) if (token && token.length > 20) assert.ok(!trail.includes(token.split('.')[2] || token), 'no token in the audit trail')
  })

  test('an expired token is refused once the clock passes its expiry', async () => {
    const token = await app.tokenFor('alice')
    clock.advance(2 * 3600_000)
    try {
      const res = await call('GET', '/api/v1/me', token)
      assert.equal(res.statusCode, 401)
      assert.equal(res.json().error.code, 'token_expired')
    } finally {
      clock.advance(-2 * 3600_000)
    }
  })

  test('listings show only what the caller may dag:read', async () => {
    const ofAlice = (await call('GET', '/api/v1/environments/local/dags', alice)).json().dags.map((d: { dagId: string }) => d.dagId)
    const ofBob = (await call('GET', '/api/v1/environments/local/dags', bob)).json().dags.map((d: { dagId: string }) => d.dagId)
    const ofCarol = (await call('GET', '/api/v1/dags', carol)).json().dags
    assert.deepEqual(ofAlice, ['etl_daily'])
    assert.deepEqual(ofBob, ['etl_daily', 'ml_train'])
    assert.deepEqual(ofCarol, [])
    const tagged = (await call('GET', '/api/v1/dags?tag=team:ml', bob)).json().dags.map((d: { dagId: string }) => d.dagId)
    assert.deepEqual(tagged, ['ml_train'])
  })

  test('bob is denied with a decision id; the denial is recorded and audited and never dispatched', async () => {
    const res = await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', bob, { conf: { day: '2026-11-24' } })
    assert.equal(res.statusCode, 403)
    const body = res.json()
    assert.equal(body.error.code, 'policy_denied')
    const requestId = body.error.details.decisionId
    assert.ok(requestId)
    const request = (await call('GET', `/api/v1/requests/${requestId}`, bob)).json()
    assert.equal(request.state, 'denied')
    assert.equal(request.runId, null, 'a denied trigger names no run')
    assert.equal(request.decision.decision, 'deny')
    assert.deepEqual(request.principal.groups, ['analysts'])
    const events = await app.audit.query({ requestId, limit: 10 })
    assert.deepEqual(events.map((e) => [e.type, e.decision]), [['authz.decision', 'deny']])
  })

  test('unknown environment is 404; bad conf is 400 naming the field, recorded as a refused request; bad fields record nothing', async () => {
    assert.equal((await call('POST', '/api/v1/environments/nowhere/dags/etl_daily/runs', alice, {})).json().error.code, 'environment_not_found')
    let before = await requestCount()
    for (const [conf, code] of [[[1, 2], 'conf_invalid'], ['text', 'conf_invalid'], [{ blob: 'x'.repeat(70_000) }, 'conf_too_large']] as const) {
      const res = await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', alice, { conf })
      assert.equal(res.statusCode, 400)
      assert.equal(res.json().error.code, code)
      assert.equal(res.json().error.details.field, 'conf')
      const refused = await app.database.db.selectFrom('requests').selectAll().where('id', '=', res.json().error.details.requestId).executeTakeFirstOrThrow()
      assert.deepEqual([refused.state, refused.error_code], ['refused', code])
    }
    assert.equal(await requestCount(), before + 3)
    before = await requestCount()
    const unknownField = await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', alice, { conf: {}, dag_run_id: 'mine' })
    assert.equal(unknownField.statusCode, 400)
    assert.equal(unknownField.json().error.code, 'invalid_input')
    const badDate = await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', alice, { logicalDate: 'yesterday' })
    assert.equal(badDate.json().error.details.field, 'body.logicalDate')
    assert.equal(await requestCount(), before)
  })

  test('Airflow down: 503 naming the environment, the request recorded as failed to dispatch', async () => {
    const res = await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', alice, { conf: { day: '2026-11-24' }, reason: 'backfill' })
    assert.equal(res.statusCode, 503)
    assert.equal(res.json().error.code, 'orchestrator_unavailable')
    assert.match(res.json().error.message, /local/)
    const [request] = (await call('GET', '/api/v1/requests?action=dag:trigger&state=failed', alice)).json().requests
    assert.equal(request.state, 'failed')
    assert.equal(request.error.code, 'orchestrator_unavailable')
    assert.match(request.runId, /^conductor__/)
    const events = await app.audit.query({ requestId: request.id, limit: 10 })
    assert.deepEqual(events.map((e) => e.type), ['authz.decision', 'dispatch.sent', 'dispatch.result'])
    assert.equal(events[2]!.data.ok, false)
  })

  test('explain: can-i for yourself, and for others only with audit:read', async () => {
    const mine = (await call('POST', '/api/v1/authorize', alice, { action: 'dag:trigger', environment: 'local', dag: 'etl_daily' })).json()
    assert.equal(mine.decision, 'allow')
    assert.deepEqual(mine.policyIds, ['data-eng-operate'])
    const bobs = (await call('POST', '/api/v1/authorize', bob, { action: 'dag:trigger', environment: 'local', dag: 'etl_daily' })).json()
    assert.equal(bobs.decision, 'deny')
    assert.match(bobs.reasons.join(' '), /no policy permits/)
    assert.equal((await call('POST', '/api/v1/authorize', bob, { action: 'dag:trigger', environment: 'local', dag: 'etl_daily', as: { id: 'alice' } })).statusCode, 403)
    const asAlice = (await call('POST', '/api/v1/authorize', carol, { action: 'dag:trigger', environment: 'local', dag: 'etl_daily', as: { id: 'alice' } })).json()
    assert.equal(asAlice.decision, 'allow')
    assert.deepEqual(asAlice.principal.groups, ['data-eng'], 'groups default to those last seen')
    const badAction = await call('POST', '/api/v1/authorize', alice, { action: 'dag:explode', environment: 'local' })
    assert.equal(badAction.statusCode, 400)
    assert.equal(badAction.json().error.details.field, 'body.action')
  })

  test('the audit trail: readable with audit:read only, filterable, and verifying', async () => {
    assert.equal((await call('GET', '/api/v1/audit', alice)).statusCode, 403)
    const denials = (await call('GET', '/api/v1/audit?principal=bob&decision=deny', carol)).json().events
    assert.ok(denials.length >= 1)
    assert.ok(denials.every((e: { principal: string; decision: string }) => e.principal === 'bob' && e.decision === 'deny'))
    const verify = (await call('GET', '/api/v1/audit/verify', carol)).json()
    assert.equal(verify.ok, true)
    const types = new Set((await app.audit.query({ limit: 1000 })).map((e) => e.type))
    for (const t of ['config.loaded', 'policy.loaded', 'auth.failed', 'authz.decision', 'dispatch.sent', 'dispatch.result']) assert.ok(types.has(t), t)
    const trail = JSON.stringify(await app.audit.query({ limit: 1000 }))
    for (const token of [alice, bob, carol]) assert.ok(!trail.includes(token))
  })

  test('each DAG says what the caller may do, and why', async () => {
    const [etl] = (await call('GET', '/api/v1/environments/local/dags', alice)).json().dags
    assert.equal(etl.permissions['dag:trigger'].allowed, true)
    assert.deepEqual(etl.permissions['dag:trigger'].policyIds, ['data-eng-operate'])
    const ofBob = (await call('GET', '/api/v1/dags', bob)).json().dags.find((d: { dagId: string }) => d.dagId === 'etl_daily')
    assert.equal(ofBob.permissions['dag:read'].allowed, true)
    assert.equal(ofBob.permissions['dag:trigger'].allowed, false)
    assert.match(ofBob.permissions['dag:trigger'].reasons[0], /no policy permits/)
  })

  test('who can run this: groups and known principals per action, with the granting policies', async () => {
    const access = (await call('GET', '/api/v1/environments/local/dags/etl_daily/access', bob)).json()
    const trigger = access.actions['dag:trigger']
    assert.deepEqual(trigger.groups, [{ group: 'data-eng', policyIds: ['data-eng-operate'] }])
    assert.deepEqual(trigger.principals.map((p: { id: string }) => p.id), ['alice'])
    const read = access.actions['dag:read']
    assert.deepEqual(read.groups.map((g: { group: string }) => g.group).sort(), ['analysts', 'conductor-service', 'data-eng'], 'Conductor\'s own catalog sync reads it too, where it signs its own tokens')
    assert.equal((await call('GET', '/api/v1/environments/local/dags/etl_daily/access', carol)).statusCode, 404, 'hidden from those who may not read it')
  })

  test('the policy set is readable: version, files and each policy', async () => {
    const set = (await call('GET', '/api/v1/policies', bob)).json()
    assert.equal(set.version, 1)
    assert.equal(set.lastReloadError, null)
    assert.ok(set.files.includes('data-eng.cedar'))
    const operate = set.policies.find((p: { id: string }) => p.id === 'data-eng-operate')
    assert.equal(operate.effect, 'permit')
    assert.match(operate.text, /dag:trigger/)
  })

  test('audit export as CSV and JSON, filtered, for audit:read only', async () => {
    assert.equal((await call('GET', '/api/v1/audit/export?format=csv', alice)).statusCode, 403)
    const csv = await call('GET', '/api/v1/audit/export?format=csv&principal=bob', carol)
    assert.equal(csv.statusCode, 200)
    assert.match(String(csv.headers['content-type']), /^text\/csv/)
    assert.match(String(csv.headers['content-disposition']), /attachment; filename="conductor-audit-.*\.csv"/)
    const lines = csv.body.trim().split('\n')
    assert.match(lines[0]!, /seq/)
    assert.ok(lines.length > 1)
    assert.ok(lines.slice(1).every((line) => line.includes('bob')))
    const json = JSON.parse((await call('GET', '/api/v1/audit/export?format=json&type=auth.failed', carol)).body)
    assert.ok(json.length >= 6)
    assert.ok(json.every((e: { type: string }) => e.type === 'auth.failed'))
    assert.equal((await app.audit.query({ type: 'audit.exported' })).length, 2, 'exports are audited')
  })

  test('health, readiness, request ids and the OpenAPI document', async () => {
    assert.equal((await call('GET', '/healthz')).statusCode, 200)
    assert.equal((await call('GET', '/readyz')).json().status, 'ready')
    const res = await app.server.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${alice}`, 'x-request-id': 'trace-123' } })
    assert.equal(res.headers['x-request-id'], 'trace-123')
    const doc = (await call('GET', '/openapi.json')).json()
    assert.equal(doc.openapi, '3.1.0')
    for (const path of ['/api/v1/me', '/api/v1/environments', '/api/v1/environments/{env}/dags', '/api/v1/environments/{env}/dags/{dag}/runs',
      '/api/v1/environments/{env}/dags/{dag}/runs/{runId}', '/api/v1/environments/{env}/dags/{dag}/runs/{runId}/rerun',
      '/api/v1/environments/{env}/dags/{dag}/runs/{runId}/tasks/{taskId}/logs', '/api/v1/environments/{env}/dags/{dag}', '/api/v1/authorize',
      '/api/v1/requests', '/api/v1/requests/{id}', '/api/v1/audit']) {
      assert.ok(doc.paths[path], path)
    }
    // Every /api/v1 operation describes its success and its error answers, errors through the one shared schema.
    const errorRef = '#/components/schemas/ErrorBody'
    assert.deepEqual(doc.components.schemas.ErrorBody.properties.error.properties.code.enum, [...ERROR_CODES])
    let operations = 0
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> }>>)) {
      if (!path.startsWith('/api/v1/')) continue
      for (const [method, operation] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`
        const responses = Object.entries(operation.responses ?? {})
        const success = responses.filter(([status]) => /^2\d\d$/.test(status))
        assert.ok(success.length > 0 && success.every(([, r]) => Object.values(r.content ?? {}).some((c) => c.schema && Object.keys(c.schema).length > 0)), `${where} declares a 2xx answer with a schema`)
        const failures = responses.filter(([status]) => /^[45]\d\d$/.test(status))
        for (const status of ['401', '403', '500']) assert.ok(failures.some(([s]) => s === status), `${where} declares ${status}`)
        for (const [status, r] of failures) assert.equal(r.content?.['application/json']?.schema?.$ref, errorRef, `${where} ${status} is an ErrorBody`)
        operations++
      }
    }
    assert.ok(operations >= 19, `${operations} operations under /api/v1`)
  })
})

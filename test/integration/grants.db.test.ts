import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestApp, TEST_USERS } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow, type StubRun } from '../../harness/stub-airflow.ts'
import { fixedClock } from '../../src/core/index.ts'

// Just-in-time grants through the real API, on both engines, with the project's policies (policies/grants.cedar) and a
// stub Airflow as the prod environment: bob (analysts) asks for a one-hour grant of jit-prod-rerun, dave (data-leads)
// approves, bob's rerun in prod is allowed while it lasts and denied once it expired.
forEachEngine((engine) => {
  // The development issuer's tokens live an hour of real time; the clock starts 4 minutes behind (within the 5
  // minutes of clock skew allowed here) so a one-hour grant can start, end and be tried after its end with one token.
  const clock = fixedClock(Date.now())
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  const tokens: Record<string, string> = {}
  const users = [...TEST_USERS, { username: 'erin', name: 'Erin Admin', email: 'erin@example.com', groups: ['platform-admins'] }]

  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'prod', url: stub.url, retries: 0, settings: { tier: 'prod' } }],
      extraConfig: { identity: { audience: 'conductor', clockSkewSeconds: 300, devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users } } },
      app: { clock },
    })
    for (const user of ['alice', 'bob', 'carol', 'dave', 'erin']) tokens[user] = await app.tokenFor(user)
    clock.set(Date.now() - 4 * 60_000)
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
  })

  const call = (method: 'GET' | 'POST', url: string, user: string, payload?: unknown) => app.server.inject({
    method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload !== undefined ? { payload: payload as object } : {}),
  })
  let runs = 0
  /** A failed run of etl_daily in the prod Airflow. */
  const failedRun = (): StubRun => {
    const run: StubRun = { dag_run_id: `manual__${++runs}`, conf: {}, note: null, tasks: [{ task_id: 'extract', state: 'success' }, { task_id: 'load', state: 'failed' }] }
    stub.runs.set('etl_daily', [...(stub.runs.get('etl_daily') ?? []), run])
    return run
  }
  const rerun = (user: string, run: StubRun) => call('POST', `/api/v1/environments/prod/dags/etl_daily/runs/${run.dag_run_id}/rerun`, user, { reason: 'incident 4411' })
  /** bob asks for a grant of jit-prod-rerun and dave approves it: the active grant. */
  const approvedGrant = async (hours = 1) => {
    const asked = await call('POST', '/api/v1/grants', 'bob', { group: 'jit-prod-rerun', hours, reason: 'incident 4411' })
    assert.equal(asked.statusCode, 202, asked.body)
    const approved = await call('POST', `/api/v1/requests/${asked.json().request.id}/approve`, 'dave', {})
    assert.equal(approved.statusCode, 200, approved.body)
    const grant = await call('GET', `/api/v1/grants/${approved.json().grantId}`, 'bob')
    assert.equal(grant.statusCode, 200, grant.body)
    return grant.json().grant as { id: string; state: string }
  }
  const auditOf = async (type: string) => app.audit.query({ type })

  test('bob asks for a one-hour rerun grant: 202 pending; bob cannot approve it; dave approves; bob reruns in prod; 61 minutes later the same rerun is denied', async () => {
    const run = failedRun()
    const before = await rerun('bob', run)
    assert.deepEqual([before.statusCode, before.json().error.code], [403, 'policy_denied'], 'no grant, no rerun')
    assert.equal(run.tasks![1]!.state, 'failed')

    const asked = await call('POST', '/api/v1/grants', 'bob', { group: 'jit-prod-rerun', hours: 1, reason: 'incident 4411' })
    assert.equal(asked.statusCode, 202, asked.body)
    const request = asked.json().request
    assert.equal(request.state, 'pending')
    assert.equal(request.action, 'grant:request')
    assert.deepEqual(request.input, { group: 'jit-prod-rerun', hours: 1, reason: 'incident 4411' })
    assert.deepEqual(request.approval.groups, [{ group: 'data-leads', count: 1 }])
    assert.equal(request.grantId, null)
    assert.equal((await call('GET', '/api/v1/grants', 'bob')).json().grants.length, 0, 'nothing granted while pending')

    const self = await call('POST', `/api/v1/requests/${request.id}/approve`, 'bob', {})
    assert.deepEqual([self.statusCode, self.json().error.code], [403, 'approval_self'])
    const alice = await call('POST', `/api/v1/requests/${request.id}/approve`, 'alice', {})
    assert.deepEqual([alice.statusCode, alice.json().error.code], [403, 'approval_not_allowed'])
    const inbox = await call('GET', '/api/v1/requests?toApprove=true', 'dave')
    assert.ok(inbox.json().requests.some((r: { id: string }) => r.id === request.id), 'dave sees it to approve')

    clock.advance(2 * 60_000) // the grant starts at approval, not at the request
    const approved = await call('POST', `/api/v1/requests/${request.id}/approve`, 'dave', { comment: 'go' })
    assert.equal(approved.statusCode, 200, approved.body)
    assert.equal(approved.json().state, 'succeeded')
    const grantId = approved.json().grantId as string
    assert.ok(grantId)

    const listed = (await call('GET', '/api/v1/grants', 'bob')).json().grants
    assert.equal(listed.length, 1)
    assert.equal(listed[0].id, grantId)
    assert.equal(listed[0].state, 'active')
    assert.equal(listed[0].group, 'jit-prod-rerun')
    assert.equal(listed[0].remainingSeconds, 3600)
    assert.equal(listed[0].startsAt, new Date(clock.now()).toISOString())
    assert.deepEqual(listed[0].approvedBy, ['User dave'])
    assert.equal(listed[0].reason, 'incident 4411')
    const me = (await call('GET', '/api/v1/me', 'bob')).json()
    assert.ok(me.groups.includes('jit-prod-rerun'), 'bob is in the group while the grant lasts')

    const allowed = await rerun('bob', run)
    assert.equal(allowed.statusCode, 200, allowed.body)
    assert.deepEqual(allowed.json().clearedTaskIds, ['load'])
    assert.equal(run.tasks![1]!.state, null, 'Airflow cleared the failed task')
    assert.deepEqual(allowed.json().request.decision.policyIds, ['jit-prod-rerun'])

    clock.advance(30 * 60_000)
    assert.equal((await call('GET', '/api/v1/grants', 'bob')).json().grants[0].remainingSeconds, 1800)

    clock.advance(31 * 60_000)
    run.tasks![1]!.state = 'failed'
    const after = await rerun('bob', run)
    assert.deepEqual([after.statusCode, after.json().error.code], [403, 'policy_denied'], 'expired at once by time, before any sweep')
    assert.equal(run.tasks![1]!.state, 'failed')
    assert.equal((await call('GET', '/api/v1/grants', 'bob')).json().grants.length, 0, 'no active grant left')
    const all = (await call('GET', '/api/v1/grants?state=all', 'bob')).json().grants
    assert.deepEqual(all.map((g: { id: string; state: string; remainingSeconds: number }) => [g.id, g.state, g.remainingSeconds]), [[grantId, 'expired', 0]])

    await app.governance.resolver.resolveAll()
    const expired = (await auditOf('grant.expired')).filter((e) => (e.data as { grantId: string }).grantId === grantId)
    assert.equal(expired.length, 1, 'the resolver round audits the expiry once')
    await app.governance.resolver.resolveAll()
    assert.equal((await auditOf('grant.expired')).filter((e) => (e.data as { grantId: string }).grantId === grantId).length, 1)
    const started = (await auditOf('grant.started')).find((e) => (e.data as { grantId: string }).grantId === grantId)!
    assert.deepEqual((started.data as { approvedBy: string[] }).approvedBy, ['User dave'])
    assert.equal(started.principal, 'bob')
  })

  test('bad asks: 400 with the field and nothing recorded; no permit: 403; no reason: 400 reason_required', async () => {
    const count = async () => (await app.database.db.selectFrom('requests').select('id').where('action', '=', 'grant:request').execute()).length
    const before = await count()
    for (const [body, field] of [
      [{ group: 'jit-prod-rerun', hours: 0, reason: 'x' }, 'hours'],
      [{ group: 'jit-prod-rerun', hours: 9, reason: 'x' }, 'hours'],
      [{ group: 'jit-prod-rerun', hours: 1.5, reason: 'x' }, 'hours'],
      [{ group: 'jit-prod-rerun', hours: '1', reason: 'x' }, 'hours'],
      [{ group: '', hours: 1, reason: 'x' }, 'group'],
      [{ group: ' jit ', hours: 1, reason: 'x' }, 'group'],
      [{ hours: 1 }, 'group'],
    ] as const) {
      const res = await call('POST', '/api/v1/grants', 'bob', body)
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`)
      assert.equal(res.json().error.code, 'invalid_input')
      assert.match(res.json().error.details.field, new RegExp(`^(body\\.)?${field}$`), 'the field at fault (schema errors name it under body.)')
    }
    assert.equal(await count(), before, 'nothing recorded')

    const other = await call('POST', '/api/v1/grants', 'bob', { group: 'platform-admins', hours: 1, reason: 'please' })
    assert.deepEqual([other.statusCode, other.json().error.code], [403, 'policy_denied'])
    const tooLong = await call('POST', '/api/v1/grants', 'bob', { group: 'jit-prod-rerun', hours: 5, reason: 'long incident' })
    assert.deepEqual([tooLong.statusCode, tooLong.json().error.code], [403, 'policy_denied'], 'the policy caps this group at 4 hours')
    const carol = await call('POST', '/api/v1/grants', 'carol', { group: 'jit-prod-rerun', hours: 1, reason: 'audit' })
    assert.deepEqual([carol.statusCode, carol.json().error.code], [403, 'policy_denied'], 'auditors may not ask')
    const noReason = await call('POST', '/api/v1/grants', 'bob', { group: 'jit-prod-rerun', hours: 1 })
    assert.deepEqual([noReason.statusCode, noReason.json().error.code, noReason.json().error.details.field], [400, 'reason_required', 'reason'])
    assert.equal((await call('GET', '/api/v1/grants', 'bob')).json().grants.length, 0)
  })

  test('revoking: strangers 403, the grantee, the approver and an admin may; a revoked grant stops counting at once and 409s after', async () => {
    const run = failedRun()
    const byBob = await approvedGrant()
    const stranger = await call('POST', `/api/v1/grants/${byBob.id}/revoke`, 'alice', {})
    assert.deepEqual([stranger.statusCode, stranger.json().error.code], [403, 'grant_revoke_not_allowed'])
    assert.deepEqual([(await call('GET', `/api/v1/grants/${byBob.id}`, 'alice')).statusCode], [404], 'strangers do not see it')
    assert.equal((await call('GET', `/api/v1/grants/${byBob.id}`, 'carol')).statusCode, 200, 'auditors see it')
    assert.equal((await rerun('bob', run)).statusCode, 200)

    const own = await call('POST', `/api/v1/grants/${byBob.id}/revoke`, 'bob', { reason: 'done' })
    assert.equal(own.statusCode, 200, own.body)
    assert.deepEqual([own.json().grant.state, own.json().grant.revokedBy, own.json().grant.remainingSeconds], ['revoked', 'User bob', 0])
    run.tasks![1]!.state = 'failed'
    assert.equal((await rerun('bob', run)).statusCode, 403, 'revoked: the next rerun is denied')
    const again = await call('POST', `/api/v1/grants/${byBob.id}/revoke`, 'bob', {})
    assert.deepEqual([again.statusCode, again.json().error.code, again.json().error.details.state], [409, 'grant_not_active', 'revoked'])

    const byDave = await approvedGrant()
    const approver = await call('POST', `/api/v1/grants/${byDave.id}/revoke`, 'dave', { reason: 'incident closed' })
    assert.deepEqual([approver.statusCode, approver.json().grant.revokedBy], [200, 'User dave'])

    const byAdmin = await approvedGrant()
    const admin = await call('POST', `/api/v1/grants/${byAdmin.id}/revoke`, 'erin', {})
    assert.deepEqual([admin.statusCode, admin.json().grant.revokedBy], [200, 'User erin'])
    const revoked = (await auditOf('grant.revoked')).find((e) => (e.data as { grantId: string }).grantId === byAdmin.id)!
    assert.equal((revoked.data as { revokedBy: string }).revokedBy, 'User erin')

    assert.equal((await call('POST', '/api/v1/grants/nope/revoke', 'erin', {})).json().error.code, 'grant_not_found')
    const others = await call('GET', '/api/v1/grants?principal=User:bob&state=all', 'alice')
    assert.deepEqual([others.statusCode, others.json().error.code], [403, 'policy_denied'])
    const audited = await call('GET', '/api/v1/grants?principal=User:bob&state=all', 'carol')
    assert.equal(audited.statusCode, 200)
    assert.ok(audited.json().grants.length >= 3)
  })
})

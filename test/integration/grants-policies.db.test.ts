import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { fixedClock } from '../../src/core/index.ts'

// Grant policies beyond @approval: a permit without @approval grants at once, an auto-approval rule judged on the
// group grants at once too (naming the rule), and approvers are judged on the group they would grant.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  const tokens: Record<string, string> = {}
  const policies = mkdtempSync(join(tmpdir(), 'conductor-grant-policies-'))
  cpSync(new URL('../../policies', import.meta.url).pathname, policies, { recursive: true })
  writeFileSync(join(policies, 'more-grants.cedar'), `@id("pausers-at-once")
permit (principal in Group::"analysts", action == Action::"grant:request", resource == Group::"jit-prod-pause");

@id("incident-auto-grant")
permit (principal in Group::"analysts", action == Action::"request:auto_approve", resource == Group::"jit-prod-rerun")
when { context has grant && context.grant.hours <= 2 && context has reason && context.reason like "incident *" };

@id("break-glass-request")
@approval("data-leads:1")
permit (principal in Group::"analysts", action == Action::"grant:request", resource == Group::"jit-break-glass");

@id("no-lead-approves-break-glass-alone")
forbid (principal in Group::"data-leads", action == Action::"request:approve", resource == Group::"jit-break-glass")
unless { principal in Group::"platform-admins" };

@id("pause-prod")
permit (principal in Group::"jit-prod-pause", action == Action::"dag:pause", resource)
when { resource.environment.tier == "prod" };
`)

  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: [], owners: ['data-eng'] }])
    app = await startTestApp({ databaseUrl: database.url, policyFolder: policies, environments: [{ name: 'prod', url: stub.url, retries: 0, settings: { tier: 'prod' } }], app: { clock: fixedClock(Date.now()) } })
    for (const user of ['bob', 'dave']) tokens[user] = await app.tokenFor(user)
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
    rmSync(policies, { recursive: true, force: true })
  })

  const call = (method: 'GET' | 'POST', url: string, user: string, payload?: object) => app.server.inject({
    method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload ? { payload } : {}),
  })
  const auditOf = async (type: string, requestId: string) => (await app.audit.query({ type, requestId }))

  test('a permit without @approval grants at once: 201 with the grant, approved by that policy, and bob may pause prod DAGs', async () => {
    const pause = () => app.server.inject({ method: 'PATCH', url: '/api/v1/environments/prod/dags/etl_daily', headers: { authorization: `Bearer ${tokens.bob}` }, payload: { paused: true } })
    assert.equal((await pause()).statusCode, 403)
    const res = await call('POST', '/api/v1/grants', 'bob', { group: 'jit-prod-pause', hours: 3 })
    assert.equal(res.statusCode, 201, res.body)
    const grant = res.json().grant
    assert.deepEqual([grant.group, grant.state, grant.remainingSeconds, grant.approvedBy, grant.reason], ['jit-prod-pause', 'active', 3 * 3600, ['Policy pausers-at-once'], null])
    assert.equal(res.headers.location, `/api/v1/grants/${grant.id}`)
    const paused = await pause()
    assert.equal(paused.statusCode, 200, paused.body)
    assert.equal(paused.json().dag.paused, true)
    const request = (await call('GET', `/api/v1/requests/${grant.requestId}`, 'bob')).json()
    assert.deepEqual([request.action, request.state, request.grantId], ['grant:request', 'succeeded', grant.id])
  })

  test('an auto-approval rule on the group grants at once for an incident, naming the rule; otherwise the ask waits', async () => {
    const auto = await call('POST', '/api/v1/grants', 'bob', { group: 'jit-prod-rerun', hours: 2, reason: 'incident 4412' })
    assert.equal(auto.statusCode, 201, auto.body)
    assert.deepEqual(auto.json().grant.approvedBy, ['Policy incident-auto-grant'])
    const requestId = auto.json().grant.requestId as string
    assert.deepEqual((await auditOf('request.auto_approved', requestId)).map((e) => e.policyIds), [['incident-auto-grant']])
    assert.equal((await auditOf('grant.started', requestId)).length, 1)

    const longer = await call('POST', '/api/v1/grants', 'bob', { group: 'jit-prod-rerun', hours: 3, reason: 'incident 4412' })
    assert.equal(longer.statusCode, 202, 'three hours is more than the rule grants by itself')
    const other = await call('POST', '/api/v1/grants', 'bob', { group: 'jit-prod-rerun', hours: 1, reason: 'curious' })
    assert.equal(other.statusCode, 202)
  })

  test('approvers are judged on the group: a forbid on request:approve of jit-break-glass stops a data lead', async () => {
    const asked = await call('POST', '/api/v1/grants', 'bob', { group: 'jit-break-glass', hours: 1 })
    assert.equal(asked.statusCode, 202, asked.body)
    const id = asked.json().request.id
    const refused = await call('POST', `/api/v1/requests/${id}/approve`, 'dave', {})
    assert.deepEqual([refused.statusCode, refused.json().error.code], [403, 'approval_not_allowed'])
    assert.match(refused.json().error.message, /no-lead-approves-break-glass-alone/)
    assert.ok(!(await call('GET', '/api/v1/requests?toApprove=true', 'dave')).json().requests.some((r: { id: string }) => r.id === id), 'not in dave\'s inbox')
    assert.equal((await call('GET', `/api/v1/requests/${id}`, 'bob')).json().state, 'pending')
  })
})

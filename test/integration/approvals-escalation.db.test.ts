import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach, test } from 'node:test'
import { startTestApp, TEST_USERS } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { eventually } from '../../harness/poll.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { fixedClock } from '../../src/core/index.ts'
import { policiesWithQa } from '../support/policies.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts'

const SECRET = 'escalation-webhook-signing-secret-0123456789'
const HOUR = 3_600_000
const WAIT = 30 * 60_000

// policies/approvals.cedar: a `sensitive` DAG waits for a data lead; after a wait without a decision a platform admin
// (erin) may approve it too. The project's policies, with the wait cut from 4 hours to 30 minutes so the callers' real
// tokens (valid an hour) still verify on the moved clock. Through the real API, on both engines, with the stub Airflow
// and a real webhook receiver.
forEachEngine((engine) => {
  const clock = fixedClock(Date.now())
  const dir = mkdtempSync(join(tmpdir(), 'conductor-escalation-'))
  let database: TestDatabase
  let stub: StubAirflow
  let receiver: WebhookReceiver
  let app: Awaited<ReturnType<typeof startTestApp>>
  const tokens: Record<string, string> = {}
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'payroll', tags: ['sensitive'], owners: ['finance'] }])
    receiver = await startWebhookReceiver()
    const policies = policiesWithQa(join(dir, 'policies'))
    const approvals = join(policies, 'approvals.cedar')
    writeFileSync(approvals, readFileSync(approvals, 'utf8').replace('@escalate("platform-admins:1 after 4h")', '@escalate("platform-admins:1 after 30m")'))
    app = await startTestApp({
      databaseUrl: database.url, policyFolder: policies, environments: [{ name: 'local', url: stub.url, retries: 0 }], secrets: { 'webhook-signing': SECRET }, app: { clock },
      extraConfig: {
        identity: {
          audience: 'conductor',
          devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users: [...TEST_USERS, { username: 'erin', name: 'Erin Example', email: 'erin@example.com', groups: ['platform-admins'] }] },
        },
        notifications: {
          webhooks: [{ name: 'ops', url: `${receiver.url}/ops`, secret: { provider: 'files', secret: 'webhook-signing' }, events: ['request.*'] }],
          deliveryIntervalSeconds: 1,
        },
      },
    })
    await app.governance.catalog.syncAll()
    for (const user of ['alice', 'dave', 'erin']) tokens[user] = await app.tokenFor(user)
  })
  after(async () => {
    await app?.close()
    await receiver?.close()
    await stub?.close()
    await database?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  // Every test starts on the real time, which the callers' tokens were issued at.
  beforeEach(() => clock.set(Date.now()))

  const call = (method: 'GET' | 'POST', url: string, user: string, payload?: unknown) => app.server.inject({
    method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload !== undefined ? { payload: payload as object } : {}),
  })
  const runsOf = (requestId: string) => (stub.runs.get('payroll') ?? []).filter((r) => r.dag_run_id === `conductor__${requestId}`)
  const escalatedEvents = async (requestId: string) => (await app.audit.query({ requestId })).filter((e) => e.type === 'request.escalated')
  const inbox = async (user: string) => ((await call('GET', '/api/v1/requests?state=pending&toApprove=true', user)).json().requests as { id: string }[]).map((r) => r.id)
  const pending = async () => {
    const res = await call('POST', '/api/v1/environments/local/dags/payroll/runs', 'alice', { conf: { month: '2026-11' }, reason: 'month-end close' })
    assert.equal(res.statusCode, 202, res.body)
    return res.json().request as { id: string; createdAt: string; approval: { escalations: unknown[] } }
  }

  test('before the wait a platform admin may not approve; the request view says from when they may', async () => {
    const request = await pending()
    assert.deepEqual(request.approval.escalations, [
      { group: 'platform-admins', count: 1, afterMinutes: 30, from: new Date(Date.parse(request.createdAt) + WAIT).toISOString(), escalatedAt: null },
    ])
    clock.advance(WAIT - 1)
    const early = await call('POST', `/api/v1/requests/${request.id}/approve`, 'erin', {})
    assert.deepEqual([early.statusCode, early.json().error.code, early.json().error.details.groups], [403, 'approval_not_allowed', ['data-leads']])
    assert.ok(!(await inbox('erin')).includes(request.id))
    await app.governance.resolver.resolveAll()
    assert.equal((await escalatedEvents(request.id)).length, 0, 'nothing escalates before the wait')
    assert.equal(runsOf(request.id).length, 0)
    const denied = await call('POST', `/api/v1/requests/${request.id}/deny`, 'dave', { comment: 'clean up' })
    assert.equal(denied.json().state, 'denied')
  })

  test('after the wait: audited request.escalated once (reaching the webhook), a platform admin sees it, approves it, and it runs naming them', async () => {
    const request = await pending()
    clock.advance(WAIT)
    assert.ok((await inbox('erin')).includes(request.id), 'erin may decide on it now')
    assert.ok((await inbox('dave')).includes(request.id), 'the data leads still may')

    await app.governance.resolver.resolveAll()
    await app.governance.resolver.resolveAll()
    const events = await escalatedEvents(request.id)
    assert.equal(events.length, 1, 'escalated once, however many rounds')
    assert.deepEqual(events[0]!.data, { group: 'platform-admins', count: 1, afterMinutes: 30, since: new Date(Date.parse(request.createdAt) + WAIT).toISOString() })
    const view = (await call('GET', `/api/v1/requests/${request.id}`, 'alice')).json()
    assert.equal(view.approval.escalations[0].escalatedAt, new Date(clock.now()).toISOString())

    const delivered = await eventually(() => receiver.deliveries.map((d) => JSON.parse(d.body) as { type: string; data: Record<string, unknown> })
      .find((b) => b.type === 'request.escalated' && b.data.requestId === request.id), { what: 'request.escalated at the webhook', timeoutMs: 10_000 })
    assert.equal(delivered.data.group, 'platform-admins')

    const ok = await call('POST', `/api/v1/requests/${request.id}/approve`, 'erin', { comment: 'no lead around' })
    assert.equal(ok.statusCode, 200, ok.body)
    assert.equal(ok.json().state, 'succeeded')
    assert.equal(runsOf(request.id).length, 1)
    assert.match(runsOf(request.id)[0]!.note!, /Approved by User erin/)
    assert.equal((await call('POST', `/api/v1/requests/${request.id}/approve`, 'dave', {})).statusCode, 409)
  })

  test('a request that expired first is never escalated', async () => {
    const request = await pending()
    clock.advance(24 * HOUR)
    await app.governance.resolver.resolveAll()
    clock.set(Date.now())
    assert.equal((await call('GET', `/api/v1/requests/${request.id}`, 'alice')).json().state, 'expired')
    assert.equal((await escalatedEvents(request.id)).length, 0)
    const late = await call('POST', `/api/v1/requests/${request.id}/approve`, 'dave', {})
    assert.deepEqual([late.statusCode, late.json().error.code], [409, 'request_not_pending'])
    assert.equal(runsOf(request.id).length, 0)
  })
})

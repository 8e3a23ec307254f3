import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach, describe, test } from 'node:test'
import { adminToken, useAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { startTestApp, TEST_USERS } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'
import { fixedClock } from '../../src/core/index.ts'

const DAG = 'conductor_sensitive'
const APPROVAL_HOURS = 2

// A DAG tagged `sensitive` (test/dags/conductor_sensitive.py) waits for one data lead (the project's
// policies/approvals.cedar), against a real Airflow 3, Conductor's real OIDC development issuer and a SQLite database
// a restarted Conductor reopens. The clock is Conductor's own (moved for expiry, then set back to the real time the
// callers' tokens were issued at).
describe('approvals against a real Airflow 3', () => {
  let airflow: AirflowHandle
  let app: Awaited<ReturnType<typeof startTestApp>>
  let airflowToken: string
  const clock = fixedClock(Date.now())
  const dir = mkdtempSync(join(tmpdir(), 'conductor-e2e-approvals-'))
  const tokens: Record<string, string> = {}
  // A second data lead, for two approvers at the same moment.
  const users = [...TEST_USERS, { username: 'frank', name: 'Frank Example', email: 'frank@example.com', groups: ['data-leads'] }]

  const start = async () => {
    const started = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
      environments: [{ name: 'local', url: airflow.url, username: airflow.username, password: airflow.password }],
      app: { clock },
      extraConfig: {
        identity: { audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users } },
        governance: { approvalHours: APPROVAL_HOURS, resolveIntervalSeconds: 0 },
      },
    })
    await started.governance.catalog.syncAll()
    return started
  }
  // Each Conductor runs its own development issuer: tokens are per Conductor.
  const signIn = async (on: typeof app, into = tokens) => {
    for (const user of ['alice', 'bob', 'dave', 'frank']) into[user] = await on.tokenFor(user)
  }

  before(async () => {
    airflow = await useAirflow()
    airflowToken = await adminToken(airflow)
    app = await start()
    await signIn(app)
  })
  after(async () => {
    await app?.close()
    await airflow?.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  beforeEach(() => clock.set(Date.now()))

  const replicaTokens: Record<string, string> = {}
  const call = (method: 'GET' | 'POST', url: string, user: string, payload?: unknown, on = app) => on.server.inject({
    method, url, headers: { authorization: `Bearer ${(on === app ? tokens : replicaTokens)[user]}` }, ...(payload !== undefined ? { payload: payload as object } : {}),
  })
  const airflowRun = async (runId: string) => {
    const res = await fetch(`${airflow.url}/api/v2/dags/${DAG}/dagRuns/${encodeURIComponent(runId)}`, { headers: { authorization: `Bearer ${airflowToken}` } })
    return { status: res.status, body: await res.json() as { conf?: unknown; note?: string | null; state?: string } }
  }
  const airflowRunIds = async () => {
    const res = await fetch(`${airflow.url}/api/v2/dags/${DAG}/dagRuns?limit=1000`, { headers: { authorization: `Bearer ${airflowToken}` } })
    return ((await res.json()) as { dag_runs: { dag_run_id: string }[] }).dag_runs.map((r) => r.dag_run_id)
  }
  const runsOf = async (requestId: string) => (await airflowRunIds()).filter((id) => id === `conductor__${requestId}`)
  const pending = async (conf: Record<string, unknown>, reason = 'quarterly export for finance') => {
    const res = await call('POST', `/api/v1/environments/local/dags/${DAG}/runs`, 'alice', { conf, reason })
    assert.equal(res.statusCode, 202, res.body)
    const request = res.json().request as { id: string; state: string; approval: { groups: unknown; reasonRequired: boolean } }
    assert.equal(request.state, 'pending')
    return request
  }
  const view = async (id: string, on = app) => (await call('GET', `/api/v1/requests/${id}`, 'alice', undefined, on)).json()

  test('the catalog has the sensitive DAG; without a reason the trigger is refused and nothing reaches Airflow', async () => {
    const dag = (await call('GET', `/api/v1/environments/local/dags/${DAG}`, 'alice')).json()
    assert.deepEqual(dag.tags, ['sensitive', 'test'])
    const before = await airflowRunIds()
    const res = await call('POST', `/api/v1/environments/local/dags/${DAG}/runs`, 'alice', { conf: {} })
    assert.deepEqual([res.statusCode, res.json().error.code], [400, 'reason_required'])
    assert.deepEqual(await airflowRunIds(), before)
  })

  test('alice requests with a reason, cannot approve her own request, dave approves: the run starts and succeeds in Airflow naming both', async () => {
    const request = await pending({ table: 'payments' })
    assert.deepEqual(request.approval.groups, [{ group: 'data-leads', count: 1 }])
    assert.equal(request.approval.reasonRequired, true)
    assert.deepEqual(await runsOf(request.id), [], 'nothing runs while it waits')

    const self = await call('POST', `/api/v1/requests/${request.id}/approve`, 'alice', {})
    assert.deepEqual([self.statusCode, self.json().error.code], [403, 'approval_self'])
    const bob = await call('POST', `/api/v1/requests/${request.id}/approve`, 'bob', {})
    assert.deepEqual([bob.statusCode, bob.json().error.code], [403, 'approval_not_allowed'])
    assert.deepEqual(await runsOf(request.id), [])

    const ok = await call('POST', `/api/v1/requests/${request.id}/approve`, 'dave', { comment: 'export checked' })
    assert.equal(ok.statusCode, 200, ok.body)
    const approved = ok.json()
    assert.equal(approved.state, 'succeeded')
    assert.equal(approved.runId, `conductor__${request.id}`)
    assert.deepEqual([approved.principal.id, approved.input.reason], ['alice', 'quarterly export for finance'])
    assert.deepEqual(approved.approval.verdicts.map((v: { approverId: string; verdict: string; comment: string }) => [v.approverId, v.verdict, v.comment]), [['dave', 'approve', 'export checked']])

    const inAirflow = await airflowRun(approved.runId)
    assert.equal(inAirflow.status, 200)
    assert.deepEqual(inAirflow.body.conf, { table: 'payments' })
    assert.match(String(inAirflow.body.note), /by User alice/)
    assert.match(String(inAirflow.body.note), /Approved by User dave/)
    assert.match(String(inAirflow.body.note), /Reason: quarterly export for finance/)
    assert.match(String(inAirflow.body.note), new RegExp(request.id))

    const events = await app.audit.query({ requestId: request.id })
    assert.deepEqual(events.map((e) => e.type), ['authz.decision', 'request.pending', 'request.approved', 'dispatch.sent', 'dispatch.result'])
    assert.equal(events[1]!.principal, 'alice')
    assert.deepEqual([events[2]!.principal, events[2]!.data.approver, events[2]!.data.comment], ['alice', 'dave', 'export checked'])
    assert.equal(events[4]!.data.runId, approved.runId)

    const done = await eventually(async () => {
      const run = (await call('GET', `/api/v1/environments/local/dags/${DAG}/runs/${approved.runId}`, 'alice')).json()
      if (!['success', 'failed'].includes(run.state)) throw new Error(`state is "${run.state}"`)
      return run
    }, { what: 'the approved run to finish in Airflow', timeoutMs: 120_000, intervalMs: 1000 })
    assert.equal(done.state, 'success')
    assert.deepEqual(done.startedBy, { via: 'conductor', principalType: 'User', principalId: 'alice', requestId: request.id })
  })

  test(`a request past governance.approvalHours (${APPROVAL_HOURS}) expires at the resolver's round; dave's approval then is 409 and nothing runs`, async () => {
    const request = await pending({ table: 'late' })
    clock.advance(APPROVAL_HOURS * 3_600_000 + 1)
    await app.governance.resolver.resolveAll()
    clock.set(Date.now())
    assert.equal((await view(request.id)).state, 'expired')
    const late = await call('POST', `/api/v1/requests/${request.id}/approve`, 'dave', {})
    assert.deepEqual([late.statusCode, late.json().error.code, late.json().error.details.state], [409, 'request_not_pending', 'expired'])
    assert.deepEqual(await runsOf(request.id), [])
  })

  test('a denied request never runs, and cannot be approved afterwards', async () => {
    const request = await pending({ table: 'denied' })
    const denied = await call('POST', `/api/v1/requests/${request.id}/deny`, 'dave', { comment: 'not this quarter' })
    assert.equal(denied.json().state, 'denied')
    const after = await call('POST', `/api/v1/requests/${request.id}/approve`, 'frank', {})
    assert.deepEqual([after.statusCode, after.json().error.code], [409, 'request_not_pending'])
    assert.deepEqual(await runsOf(request.id), [])
  })

  test('an approval binds the conf: a different conf is a new pending request that does not run, and a stored input altered after approval fails with conflict', async () => {
    const first = await pending({ table: 'payments', region: 'eu' })
    assert.equal((await call('POST', `/api/v1/requests/${first.id}/approve`, 'dave', {})).json().state, 'succeeded')
    const other = await pending({ table: 'payments', region: 'us' })
    assert.notEqual(other.id, first.id)
    assert.equal((await view(other.id)).state, 'pending', 'the old approval does not carry over')
    assert.deepEqual(await runsOf(other.id), [])
    assert.deepEqual(await runsOf(first.id), [`conductor__${first.id}`])

    // Someone with the database alters what was asked after the request was made: the dispatch refuses it.
    await app.database.db.updateTable('requests')
      .set({ input: JSON.stringify({ conf: { table: 'salaries', region: 'us' }, logicalDate: null, note: null, reason: 'quarterly export for finance' }) })
      .where('id', '=', other.id).execute()
    const ok = await call('POST', `/api/v1/requests/${other.id}/approve`, 'dave', {})
    assert.equal(ok.statusCode, 200, ok.body)
    assert.deepEqual([ok.json().state, ok.json().error.code], ['failed', 'conflict'])
    assert.deepEqual(await runsOf(other.id), [])
  })

  test('a pending request survives a restart; two data leads approving at once on two Conductors start exactly one run', async () => {
    const request = await pending({ table: 'restart' })
    await app.close()
    app = await start()
    await signIn(app)
    assert.equal((await view(request.id)).state, 'pending')
    const replica = await start()
    await signIn(replica, replicaTokens)
    try {
      const [dave, frank] = await Promise.all([
        call('POST', `/api/v1/requests/${request.id}/approve`, 'dave', {}),
        call('POST', `/api/v1/requests/${request.id}/approve`, 'frank', {}, replica),
      ])
      // Whoever comes second either approves too (the run is already under way) or finds it no longer pending.
      const answers = [dave, frank].map((r) => (r.statusCode === 200 ? r.json().state : r.json().error.code))
      assert.ok(answers.includes('succeeded'), `${dave.body} ${frank.body}`)
      assert.ok(answers.every((a) => ['succeeded', 'allowed', 'dispatching', 'request_not_pending'].includes(a)), answers.join(', '))
      assert.deepEqual(await runsOf(request.id), [`conductor__${request.id}`], 'Airflow has exactly one run')
      const types = (await app.audit.query({ requestId: request.id })).map((e) => e.type)
      assert.equal(types.filter((t) => t === 'dispatch.sent').length, 1)
      assert.equal(types.filter((t) => t === 'request.approved').length, answers.filter((a) => a !== 'request_not_pending').length)
      assert.equal((await view(request.id)).state, 'succeeded')
    } finally {
      await replica.close()
    }
  })
})

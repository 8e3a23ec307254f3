import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { forEachEngine } from '../../harness/databases.ts'
import { fixedClock } from '../../src/core/index.ts'
import type { Principal } from '../../src/identity/index.ts'
import { useApprovalsApp, type ApprovalsFixture } from './approvals-support.ts'

type TestApp = ApprovalsFixture['app']

// A DAG tagged `sensitive` runs only once a data lead approves (policies/approvals.cedar), through the real API, on
// both engines, with the stub Airflow.
forEachEngine((engine) => {
  const clock = fixedClock(Date.now())
  const f = useApprovalsApp(engine, { app: { clock } })
  let app: TestApp
  const tokens: Record<string, string> = {}
  const start = () => f.start()
  before(async () => {
    app = f.app
    for (const user of ['alice', 'bob', 'carol', 'dave']) tokens[user] = await app.tokenFor(user)
  })

  const call = (method: 'GET' | 'POST', url: string, user: string, payload?: unknown, on: TestApp = app) => on.server.inject({
    method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload !== undefined ? { payload: payload as object } : {}),
  })
  const runsOf = (requestId: string) => (f.stub.runs.get('payroll') ?? []).filter((r) => r.dag_run_id === `conductor__${requestId}`)
  const auditTypes = async (requestId: string) => (await app.database.db.selectFrom('audit_events' as never).select('type' as never).where('request_id' as never, '=', requestId as never).orderBy('seq' as never).execute() as { type: string }[]).map((e) => e.type)
  const pending = async (conf: Record<string, unknown> = { month: '2026-11' }) => {
    const res = await call('POST', '/api/v1/environments/local/dags/payroll/runs', 'alice', { conf, reason: 'month-end close' })
    assert.equal(res.statusCode, 202, res.body)
    return res.json().request as { id: string; state: string; approval: { groups: unknown; reasonRequired: boolean; expiresAt: string } }
  }

  test('alice triggers a sensitive DAG: 202 with the pending request and what it waits for; nothing runs yet', async () => {
    const request = await pending()
    assert.equal(request.state, 'pending')
    assert.deepEqual(request.approval.groups, [{ group: 'data-leads', count: 1 }])
    assert.equal(request.approval.reasonRequired, true)
    assert.equal(Date.parse(request.approval.expiresAt) - clock.now(), 24 * 3_600_000)
    assert.equal(runsOf(request.id).length, 0)
    assert.deepEqual(await auditTypes(request.id), ['authz.decision', 'request.pending'])
  })

  test('without a reason: 400 reason_required, and nothing waits for approval', async () => {
    const res = await call('POST', '/api/v1/environments/local/dags/payroll/runs', 'alice', { conf: {} })
    assert.equal(res.statusCode, 400, res.body)
    assert.equal(res.json().error.code, 'reason_required')
    assert.equal(res.json().error.details.field, 'reason')
    const row = await app.database.db.selectFrom('requests').selectAll().where('id', '=', res.json().error.details.requestId).executeTakeFirstOrThrow()
    assert.equal(row.state, 'refused')
    const inbox = await call('GET', '/api/v1/requests?state=pending&toApprove=true', 'dave')
    assert.ok(!inbox.json().requests.some((r: { id: string }) => r.id === row.id))
  })

  test('alice cannot approve her own request (approval_self), bob is no data lead; dave approves and the run starts once, naming both', async () => {
    const request = await pending()
    const self = await call('POST', `/api/v1/requests/${request.id}/approve`, 'alice', {})
    assert.deepEqual([self.statusCode, self.json().error.code], [403, 'approval_self'])
    const bob = await call('POST', `/api/v1/requests/${request.id}/approve`, 'bob', {})
    assert.deepEqual([bob.statusCode, bob.json().error.code], [403, 'approval_not_allowed'])
    assert.equal(runsOf(request.id).length, 0)

    const inbox = await call('GET', '/api/v1/requests?state=pending&toApprove=true', 'dave')
    assert.ok(inbox.json().requests.some((r: { id: string }) => r.id === request.id), 'dave sees it to approve')
    assert.equal((await call('GET', '/api/v1/requests?state=pending&toApprove=true', 'alice')).json().requests.length, 0, 'alice has nothing to approve')

    const ok = await call('POST', `/api/v1/requests/${request.id}/approve`, 'dave', { comment: 'checked the month' })
    assert.equal(ok.statusCode, 200, ok.body)
    assert.equal(ok.json().state, 'succeeded')
    assert.deepEqual(ok.json().approval.verdicts.map((v: { approverId: string; verdict: string; comment: string }) => [v.approverId, v.verdict, v.comment]), [['dave', 'approve', 'checked the month']])
    const [run] = runsOf(request.id)
    assert.equal(runsOf(request.id).length, 1)
    assert.deepEqual(run!.conf, { month: '2026-11' })
    assert.match(run!.note!, /by User alice/)
    assert.match(run!.note!, /Approved by User dave/)

    const again = await call('POST', `/api/v1/requests/${request.id}/approve`, 'dave', {})
    assert.deepEqual([again.statusCode, again.json().error.code, again.json().error.details.state], [409, 'request_not_pending', 'succeeded'])
    assert.equal(runsOf(request.id).length, 1)
    assert.deepEqual(await auditTypes(request.id), ['authz.decision', 'request.pending', 'request.approved', 'dispatch.sent', 'dispatch.result'])
  })

  test('a denied request never runs; a cancelled one neither, and only the requester may cancel', async () => {
    const denied = await pending()
    const no = await call('POST', `/api/v1/requests/${denied.id}/deny`, 'dave', { comment: 'not this month' })
    assert.equal(no.statusCode, 200, no.body)
    assert.equal(no.json().state, 'denied')
    const late = await call('POST', `/api/v1/requests/${denied.id}/approve`, 'dave', {})
    assert.equal(late.statusCode, 409)

    const cancelled = await pending()
    const notYours = await call('POST', `/api/v1/requests/${cancelled.id}/cancel`, 'dave')
    assert.deepEqual([notYours.statusCode, notYours.json().error.code], [403, 'request_not_yours'])
    const cancel = await call('POST', `/api/v1/requests/${cancelled.id}/cancel`, 'alice')
    assert.equal(cancel.json().state, 'cancelled')
    const after = await call('POST', `/api/v1/requests/${cancelled.id}/approve`, 'dave', {})
    assert.deepEqual([after.statusCode, after.json().error.code, after.json().error.details.state], [409, 'request_not_pending', 'cancelled'])
    assert.equal(runsOf(denied.id).length + runsOf(cancelled.id).length, 0)
    assert.deepEqual(await auditTypes(denied.id), ['authz.decision', 'request.pending', 'request.denied'])
    assert.deepEqual(await auditTypes(cancelled.id), ['authz.decision', 'request.pending', 'request.cancelled'])
  })

  test('a pending request expires after governance.approvalHours at the resolver\'s round and then never runs', async () => {
    const request = await pending()
    const now = clock.now()
    clock.advance(24 * 3_600_000)
    await app.governance.resolver.resolveAll()
    clock.set(now)
    const row = await app.database.db.selectFrom('requests').selectAll().where('id', '=', request.id).executeTakeFirstOrThrow()
    assert.equal(row.state, 'expired')
    const late = await call('POST', `/api/v1/requests/${request.id}/approve`, 'dave', {})
    assert.deepEqual([late.statusCode, late.json().error.details.state], [409, 'expired'])
    assert.equal(runsOf(request.id).length, 0)
    assert.deepEqual(await auditTypes(request.id), ['authz.decision', 'request.pending', 'request.expired'])
  })

  test('after a restart (a new Conductor on the same database) the pending request is approved and runs from its stored input', async () => {
    const request = await pending({ month: '2026-10', rows: [1, 2] })
    const second = await start()
    try {
      tokens.dave = await second.tokenFor('dave')
      const ok = await call('POST', `/api/v1/requests/${request.id}/approve`, 'dave', {}, second)
      assert.equal(ok.statusCode, 200, ok.body)
      assert.equal(ok.json().state, 'succeeded')
      assert.deepEqual(runsOf(request.id).map((r) => r.conf), [{ month: '2026-10', rows: [1, 2] }])
    } finally {
      await second.close()
      tokens.dave = await app.tokenFor('dave')
    }
  })

  test('two approvers at the same moment, on two replicas of Conductor, dispatch exactly one run', async () => {
    const replica = await start()
    try {
      for (let round = 0; round < 3; round++) {
        const request = await pending({ round })
        const lead = (id: string): Principal => ({ type: 'User', id, subject: id, issuer: 'dev', username: id, displayName: null, email: null, groups: ['data-leads'], idpGroups: ['data-leads'] })
        const answers = await Promise.all([app.governance.approvals.approve(lead('dave'), request.id), replica.governance.approvals.approve(lead('erin'), request.id)])
        assert.ok(answers.some((a) => a.state === 'succeeded'), JSON.stringify(answers.map((a) => a.state)))
        assert.equal(runsOf(request.id).length, 1)
        assert.equal((await auditTypes(request.id)).filter((t) => t === 'dispatch.sent').length, 1)
      }
    } finally {
      await replica.close()
    }
  })

  test('where no 202 fits, a trigger that waits answers approval_pending naming the request; through the Airflow API it needs a reason first', async () => {
    const res = await app.server.inject({
      method: 'POST', url: '/airflow/local/api/v2/dags/payroll/dagRuns', headers: { authorization: `Bearer ${tokens.alice}` }, payload: { logical_date: null, conf: { via: 'proxy' } },
    })
    assert.equal(res.statusCode, 400, res.body)
    assert.equal(res.json().code, 'reason_required')

    const alice: Principal = { type: 'User', id: 'alice', subject: 'alice', issuer: 'dev', username: 'alice', displayName: null, email: null, groups: ['data-eng'], idpGroups: ['data-eng'] }
    const error = await app.governance.trigger(alice, 'local', 'payroll', { conf: {}, reason: 'audit' }).then(() => null, (e: unknown) => e as { code: string; details: { requestId: string; groups: unknown } })
    assert.equal(error?.code, 'approval_pending')
    assert.deepEqual(error.details.groups, [{ group: 'data-leads', count: 1 }])
    const row = await app.database.db.selectFrom('requests').selectAll().where('id', '=', error.details.requestId).executeTakeFirstOrThrow()
    assert.equal(row.state, 'pending')
    assert.equal(runsOf(row.id).length, 0)
  })

  test('an approval is bound to exactly what was asked: a conf changed in storage after the request is refused at dispatch and never runs', async () => {
    const request = await pending({ month: '2026-11' })
    await app.database.db.updateTable('requests').set({ input: JSON.stringify({ conf: { month: '1999-01' }, logicalDate: null, note: null, reason: 'month-end close' }) }).where('id', '=', request.id).execute()
    const ok = await call('POST', `/api/v1/requests/${request.id}/approve`, 'dave', {})
    assert.equal(ok.statusCode, 200, ok.body)
    assert.deepEqual([ok.json().state, ok.json().error.code], ['failed', 'conflict'])
    assert.equal(runsOf(request.id).length, 0)
  })

  test('a plain allow still runs at once: alice\'s own DAG answers 201', async () => {
    const res = await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', 'alice', { conf: {} })
    assert.equal(res.statusCode, 201, res.body)
    assert.equal(res.json().request.approval, null)
  })
})

import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { forEachEngine } from '../../harness/databases.ts'
import { useApprovalsApp, type ApprovalsFixture } from './approvals-support.ts'

type TestApp = ApprovalsFixture['app']

// What the console's request page reads: the request for everyone with a part in it (requester, approvers, auditors)
// and its lifecycle from the audit trail, on both engines, with the stub Airflow.
forEachEngine((engine) => {
  const f = useApprovalsApp(engine)
  let app: TestApp
  const tokens: Record<string, string> = {}
  before(async () => {
    app = f.app
    for (const user of ['alice', 'bob', 'carol', 'dave']) tokens[user] = await app.tokenFor(user)
  })

  const call = (method: 'GET' | 'POST', url: string, user: string, payload?: unknown) => app.server.inject({
    method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload !== undefined ? { payload: payload as object } : {}),
  })
  const pending = async () => {
    const res = await call('POST', '/api/v1/environments/local/dags/payroll/runs', 'alice', { conf: { month: '2026-11' }, reason: 'month-end close' })
    assert.equal(res.statusCode, 202, res.body)
    return res.json().request as { id: string }
  }
  type Step = { type: string; actor: { type: string; id: string } | null; comment: string | null; outcome: string | null }
  const steps = async (id: string, user: string): Promise<Step[]> => {
    const res = await call('GET', `/api/v1/requests/${id}/events`, user)
    assert.equal(res.statusCode, 200, res.body)
    return res.json().events as Step[]
  }

  test('a pending request is readable by its requester, a data lead it waits for and an auditor; not by bob', async () => {
    const { id } = await pending()
    for (const user of ['alice', 'dave', 'carol']) {
      const res = await call('GET', `/api/v1/requests/${id}`, user)
      assert.equal(res.statusCode, 200, `${user}: ${res.body}`)
      assert.equal(res.json().state, 'pending')
      assert.deepEqual(res.json().approval.policyIds, ['data-eng-trigger-sensitive'])
    }
    for (const url of [`/api/v1/requests/${id}`, `/api/v1/requests/${id}/events`]) {
      const bob = await call('GET', url, 'bob')
      assert.deepEqual([bob.statusCode, bob.json().error.code], [404, 'request_not_found'], url)
    }
    const missing = await call('GET', '/api/v1/requests/no-such-request/events', 'dave')
    assert.deepEqual([missing.statusCode, missing.json().error.code], [404, 'request_not_found'])
  })

  test('the lifecycle names who asked, who approved with their comment, and the run it dispatched', async () => {
    const { id } = await pending()
    assert.deepEqual((await steps(id, 'dave')).map((s) => [s.type, s.actor?.id ?? null]), [['authz.decision', 'alice'], ['request.pending', 'alice']])
    const ok = await call('POST', `/api/v1/requests/${id}/approve`, 'dave', { comment: 'checked the month' })
    assert.equal(ok.statusCode, 200, ok.body)
    const lifecycle = await steps(id, 'alice')
    assert.deepEqual(lifecycle.map((s) => [s.type, s.actor?.id ?? null]), [
      ['authz.decision', 'alice'], ['request.pending', 'alice'], ['request.approved', 'dave'], ['dispatch.sent', null], ['dispatch.result', null],
    ])
    assert.equal(lifecycle[2]!.comment, 'checked the month')
    assert.equal(lifecycle.at(-1)!.outcome, `run conductor__${id}`)
    assert.equal((await call('GET', `/api/v1/requests/${id}`, 'dave')).statusCode, 200, 'dave still reads the request he decided on')
  })

  test('a denied request shows the denial and its comment, and nothing dispatched', async () => {
    const { id } = await pending()
    const no = await call('POST', `/api/v1/requests/${id}/deny`, 'dave', { comment: 'not this month' })
    assert.equal(no.json().state, 'denied')
    const lifecycle = await steps(id, 'alice')
    assert.deepEqual(lifecycle.map((s) => s.type), ['authz.decision', 'request.pending', 'request.denied'])
    assert.deepEqual([lifecycle[2]!.actor, lifecycle[2]!.comment], [{ type: 'User', id: 'dave' }, 'not this month'])
  })

  test('a grant request\'s lifecycle: asked, approved by dave, started by Conductor, revoked by bob', async () => {
    const asked = await call('POST', '/api/v1/grants', 'bob', { group: 'jit-prod-rerun', hours: 2, reason: 'prod rerun' })
    assert.equal(asked.statusCode, 202, asked.body)
    const id = asked.json().request.id as string
    assert.equal((await call('GET', `/api/v1/requests/${id}`, 'dave')).statusCode, 200, 'the data lead it waits for reads it')
    assert.equal((await call('POST', `/api/v1/requests/${id}/approve`, 'dave', { comment: 'go' })).statusCode, 200)
    const [grant] = (await call('GET', '/api/v1/grants', 'bob')).json().grants as { id: string }[]
    assert.equal((await call('POST', `/api/v1/grants/${grant!.id}/revoke`, 'bob', {})).statusCode, 200)
    const lifecycle = await steps(id, 'bob')
    assert.deepEqual(lifecycle.map((s) => [s.type, s.actor?.id ?? null]), [
      ['authz.decision', 'bob'], ['request.pending', 'bob'], ['request.approved', 'dave'], ['grant.started', null], ['grant.revoked', 'bob'],
    ])
    assert.match(lifecycle[3]!.outcome ?? '', /^jit-prod-rerun until /)
  })
})

import assert from 'node:assert/strict'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { forEachEngine } from '../../harness/databases.ts'
import { useApprovalsApp } from './approvals-support.ts'

const PROJECT_POLICIES = new URL('../../policies', import.meta.url).pathname

// Auto-approval rules are policies too: an incident trigger of a sensitive DAG is approved at once by the rule, which the
// audit trail and the Airflow note name; any other reason still waits for a data lead.
forEachEngine((engine) => {
  let folder = ''
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'conductor-auto-approve-'))
    await cp(PROJECT_POLICIES, folder, { recursive: true })
    await writeFile(join(folder, 'incidents.cedar'), `@id("incident-auto-approve")
permit (principal in Group::"data-eng", action == Action::"request:auto_approve", resource)
when { context has request && context.request.reason like "incident *" };\n`)
  })
  const f = useApprovalsApp(engine, { policyFolder: () => folder })
  after(async () => { if (folder) await rm(folder, { recursive: true, force: true }) })
  let alice = ''
  before(async () => { alice = await f.app.tokenFor('alice') })

  const trigger = (reason: string) => f.app.server.inject({
    method: 'POST', url: '/api/v1/environments/local/dags/payroll/runs', headers: { authorization: `Bearer ${alice}` }, payload: { conf: {}, reason },
  })

  test('an incident trigger is auto-approved by the rule: 201, the run starts, the audit and the note name the rule', async () => {
    const res = await trigger('incident 4411')
    assert.equal(res.statusCode, 201, res.body)
    const request = res.json().request
    assert.deepEqual(request.approval.verdicts.map((v: { approverType: string; approverId: string }) => [v.approverType, v.approverId]), [['Policy', 'incident-auto-approve']])
    const run = f.stub.runs.get('payroll')!.find((r) => r.dag_run_id === `conductor__${request.id}`)!
    assert.match(run.note!, /Approved by policy incident-auto-approve/)
    const events = await f.app.audit.query({ requestId: request.id })
    const auto = events.find((e) => e.type === 'request.auto_approved')
    assert.deepEqual(auto?.policyIds, ['incident-auto-approve'])
    assert.ok(!events.some((e) => e.type === 'request.pending'))
  })

  test('another reason still waits for a data lead', async () => {
    const res = await trigger('month-end')
    assert.equal(res.statusCode, 202, res.body)
    assert.equal(res.json().request.state, 'pending')
  })
})

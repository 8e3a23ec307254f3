import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { pino } from 'pino'
import type { AuditLog, AuditTables } from '../../audit/index.ts'
import { ConductorError, fixedClock, isConductorError, sequentialIds } from '../../core/index.ts'
import { createInMemoryOrchestrator, type InMemoryOrchestrator } from '../../orchestrators/index.ts'
import type { Database } from '../../store/index.ts'
import { createGovernance, type Governance, type GovernanceTables } from '../index.ts'
import { openTestStore, testEnvironment, testUser, usePolicies } from '../governance.test-support.ts'
import { paramsHash } from './index.ts'

const POLICIES = `
@id("leads-respond-hitl")
permit (principal in Group::"data-leads", action == Action::"hitl:respond", resource)
when { resource.tags.contains("hitl") };

@id("leads-respond-with-approval")
@approval("ops:1")
permit (principal in Group::"data-leads", action == Action::"hitl:respond", resource)
when { resource.tags.contains("needs-approval") };

@id("ops-read")
permit (principal in Group::"ops", action == Action::"dag:read", resource);
`

const dave = testUser('dave', ['data-leads'])
const erin = testUser('erin', ['data-leads'])
const bob = testUser('bob', ['analysts'])
const DAGS = [{ dagId: 'review', tags: ['hitl'] }, { dagId: 'plain', tags: [] }, { dagId: 'gated', tags: ['needs-approval'] }]
const waiting = (dagId: string, runId: string, extra: Record<string, unknown> = {}) => ({
  dagId, runId, taskId: 'decide', subject: `Ship ${runId}?`, options: ['Ship', 'Hold'], createdAt: `2026-01-01T00:00:0${runId.slice(-1)}Z`, ...extra,
})

describe('human-in-the-loop tasks in Conductor\'s inbox (in-memory orchestrators, SQLite audit)', () => {
  const policies = usePolicies(POLICIES)
  let database: Database<GovernanceTables & AuditTables>
  let audit: AuditLog
  let shared: InMemoryOrchestrator, people: InMemoryOrchestrator, down: InMemoryOrchestrator, legacy: InMemoryOrchestrator
  let governance: Governance

  beforeEach(async () => {
    ;({ database, audit } = await openTestStore())
    shared = createInMemoryOrchestrator({ environment: 'shared', dags: DAGS })
    people = createInMemoryOrchestrator({ environment: 'people', dags: DAGS, actsAsPerson: true })
    down = createInMemoryOrchestrator({ environment: 'down', dags: DAGS })
    legacy = createInMemoryOrchestrator({ environment: 'legacy', dags: DAGS, hitl: false })
    const orchestrators = new Map([['shared', shared], ['people', people], ['down', down], ['legacy', legacy]])
    governance = createGovernance({
      db: database.db, policy: policies.engine, audit, clock: fixedClock(Date.UTC(2026, 0, 1)), ids: sequentialIds('req'), logger: pino({ level: 'silent' }), maxConfBytes: 256,
      environments: [
        testEnvironment('shared'), testEnvironment('people', { credentials: { provider: 'files', secret: 'svc', kind: 'conductor-identity' } }),
        testEnvironment('down'), testEnvironment('legacy', { kind: 'airflow2' }),
      ],
      orchestrators, policyGroups: () => ['data-leads'],
    })
    await governance.catalog.syncAll()
    down.setUnavailable(true)
  })
  afterEach(async () => { await database.close() })

  const events = async (type: string) => (await audit.query({ type })).map((e) => ({ principal: e.principal, environment: e.environment, dag: e.dag, data: e.data }))
  const ref = (environment: string, dagId: string, runId: string) => ({ environment, dagId, runId, taskId: 'decide', mapIndex: -1 })

  it('lists, oldest first, the tasks policy lets the caller answer; names environments that did not answer; skips Airflow 2', async () => {
    shared.addHitlTask(waiting('review', 'r2', { params: { comment: { value: '', schema: { type: 'string' }, description: 'Why' } }, body: 'Staged.' }))
    people.addHitlTask(waiting('review', 'r1'))
    shared.addHitlTask(waiting('plain', 'r3'))
    shared.addHitlTask(waiting('review', 'r4', { assignedUsers: [{ id: 'erin', name: 'Erin' }] }))
    shared.addHitlTask(waiting('gated', 'r5'))
    const inbox = await governance.hitl.list(dave)
    assert.deepEqual(inbox.tasks.map((t) => `${t.environment}/${t.dagId}/${t.runId}`), ['people/review/r1', 'shared/review/r2'],
      'not the DAG policy says nothing of, nor the task assigned to erin, nor one whose permit asks for approval')
    assert.deepEqual(inbox.tasks[1], {
      environment: 'shared', dagId: 'review', runId: 'r2', taskId: 'decide', mapIndex: -1, subject: 'Ship r2?', body: 'Staged.', options: ['Ship', 'Hold'], multiple: false,
      params: { comment: { value: '', schema: { type: 'string' }, description: 'Why' } }, defaults: null, createdAt: '2026-01-01T00:00:02Z', assignedUsers: [],
    })
    assert.deepEqual(inbox.unavailable, [{ environment: 'down', code: 'orchestrator_unavailable' }])
    assert.deepEqual((await governance.hitl.list(erin)).tasks.map((t) => t.runId), ['r1', 'r2', 'r4'])
    assert.deepEqual((await governance.hitl.list(bob)).tasks, [])
  })

  it('sends the answer as the service account where the environment cannot speak for a person, and audits who answered with a hash of the params', async () => {
    shared.addHitlTask(waiting('review', 'r1', { params: { comment: { value: '', schema: {}, description: null } } }))
    const answered = await governance.hitl.respond(dave, ref('shared', 'review', 'r1'), { chosenOptions: ['Ship'], params: { comment: 'token=abc123-secret' } }, { httpRequestId: 'h1' })
    assert.deepEqual([answered.respondedBy, answered.chosenOptions, answered.subject], ['dave', ['Ship'], 'Ship r1?'])
    const [stored] = shared.storedHitlTasks()
    assert.deepEqual([stored!.answered, stored!.respondedBy, stored!.chosenOptions], [true, { id: 'conductor', name: 'conductor' }, ['Ship']])
    const [event] = await events('hitl.responded')
    assert.deepEqual(event, {
      principal: 'dave', environment: 'shared', dag: 'review',
      data: {
        dagId: 'review', runId: 'r1', taskId: 'decide', mapIndex: -1, subject: 'Ship r1?', chosenOptions: ['Ship'],
        params: { names: ['comment'], sha256: paramsHash({ comment: 'token=abc123-secret' }) }, airflowUser: 'conductor', asPerson: false, respondedAt: stored!.respondedAt, httpRequestId: 'h1',
      },
    })
    assert.doesNotMatch(JSON.stringify(await audit.query({})), /abc123-secret/)
    assert.deepEqual((await governance.hitl.list(dave)).tasks, [], 'an answered task leaves the inbox')
  })

  it('sends the answer as the person where the environment can speak for one', async () => {
    people.addHitlTask(waiting('review', 'r1', { assignedUsers: [{ id: 'dave', name: 'Dave' }] }))
    await governance.hitl.respond(dave, ref('people', 'review', 'r1'), { chosenOptions: ['Hold'] })
    assert.deepEqual(people.storedHitlTasks()[0]!.respondedBy, { id: 'dave', name: 'dave' })
    const [event] = await events('hitl.responded')
    assert.deepEqual([event!.data.airflowUser, event!.data.asPerson, event!.data.params], ['dave', true, null])
  })

  it('refuses, sending nothing: policy denies (audited), not an assignee (audited), options or params that are not the task\'s, a second answer', async () => {
    shared.addHitlTask(waiting('review', 'r1', { params: { comment: { value: '', schema: {}, description: null } } }))
    shared.addHitlTask(waiting('review', 'r2', { assignedUsers: [{ id: 'erin', name: 'Erin' }] }))
    shared.addHitlTask(waiting('gated', 'r3'))
    const refused = (promise: Promise<unknown>, code: string, field?: string) => assert.rejects(promise, (e) => {
      assert.ok(isConductorError(e), String(e))
      assert.equal(e.code, code, e.message)
      if (field) assert.equal(e.details?.field, field)
      return true
    })
    await refused(governance.hitl.respond(bob, ref('shared', 'review', 'r1'), { chosenOptions: ['Ship'] }), 'policy_denied')
    await refused(governance.hitl.respond(dave, ref('shared', 'gated', 'r3'), { chosenOptions: ['Ship'] }), 'policy_denied')
    await refused(governance.hitl.respond(dave, ref('shared', 'review', 'r2'), { chosenOptions: ['Ship'] }), 'hitl_not_assigned')
    await refused(governance.hitl.respond(dave, ref('shared', 'review', 'r1'), { chosenOptions: ['Maybe'] }), 'invalid_input', 'chosenOptions')
    await refused(governance.hitl.respond(dave, ref('shared', 'review', 'r1'), { chosenOptions: ['Ship', 'Hold'] }), 'invalid_input', 'chosenOptions')
    await refused(governance.hitl.respond(dave, ref('shared', 'review', 'r1'), { chosenOptions: ['Ship'], params: { other: 1 } }), 'invalid_input', 'params.other')
    await refused(governance.hitl.respond(dave, ref('shared', 'review', 'r9'), { chosenOptions: ['Ship'] }), 'hitl_not_found')
    await refused(governance.hitl.respond(dave, ref('shared', 'nope', 'r1'), { chosenOptions: ['Ship'] }), 'dag_not_found')
    await refused(governance.hitl.respond(dave, ref('legacy', 'review', 'r1'), { chosenOptions: ['Ship'] }), 'hitl_not_supported')
    assert.equal(shared.callCount('respondHitl'), 0)
    assert.deepEqual((await events('hitl.refused')).map((e) => [e.principal, e.dag, e.data.runId, e.data.code]), [
      ['bob', 'review', 'r1', 'policy_denied'], ['dave', 'gated', 'r3', 'policy_denied'], ['dave', 'review', 'r2', 'hitl_not_assigned'],
    ])
    await governance.hitl.respond(dave, ref('shared', 'review', 'r1'), { chosenOptions: ['Ship'] })
    await refused(governance.hitl.respond(erin, ref('shared', 'review', 'r1'), { chosenOptions: ['Hold'] }), 'hitl_already_answered')
    assert.deepEqual(shared.storedHitlTasks().find((t) => t.runId === 'r1')!.chosenOptions, ['Ship'], 'the first answer stands')
  })

  it('an answer Airflow refuses (somebody answered in Airflow between Conductor\'s look and the answer) is hitl_already_answered, audited as hitl.failed', async () => {
    shared.addHitlTask(waiting('review', 'r1'))
    shared.failNext('respondHitl', new ConductorError('hitl_already_answered', 'answered in Airflow meanwhile', { details: { environment: 'shared' } }))
    await assert.rejects(governance.hitl.respond(dave, ref('shared', 'review', 'r1'), { chosenOptions: ['Ship'] }), (e) => isConductorError(e, 'hitl_already_answered'))
    assert.deepEqual(await events('hitl.responded'), [])
    assert.deepEqual((await events('hitl.failed')).map((e) => [e.principal, e.data.runId, e.data.code, e.data.asPerson]), [['dave', 'r1', 'hitl_already_answered', false]])
  })

})

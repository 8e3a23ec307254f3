import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { Kysely } from 'kysely'
import { pino } from 'pino'
import type { AuditLog, AuditTables } from '../audit/index.ts'
import { ConductorError, fixedClock, isConductorError, sequentialIds } from '../core/index.ts'
import { createInMemoryOrchestrator, type InMemoryOrchestrator, type Orchestrator } from '../orchestrators/index.ts'
import type { PolicyEngine } from '../policy/index.ts'
import type { Database } from '../store/index.ts'
import { createGovernance, type Governance, type GovernanceTables } from './index.ts'
import { openTestStore, testEnvironment, testUser, usePolicies } from './governance.test-support.ts'

// The governance pipeline over its real, cheap parts: SQLite in memory, the Cedar engine, the audit log;
// only Airflow is the in-memory stand-in, so the whole file runs in well under a second.

const POLICIES = `
@id("data-eng-operate")
permit (
  principal in Group::"data-eng",
  action in [Action::"dag:read", Action::"dag:trigger", Action::"dag:rerun", Action::"dag:pause", Action::"run:read", Action::"run:logs"],
  resource
)
when { resource.tags.contains("team:data-eng") };

@id("viewers-read-runs")
permit (
  principal in Group::"viewers",
  action in [Action::"dag:read", Action::"run:read"],
  resource
);
`

const ENVIRONMENT = testEnvironment('dev')

const alice = testUser('alice', ['data-eng'])
const victor = testUser('victor', ['viewers'])

/** The one place governance is built, so a change in its dependencies is one edit here. */
function buildGovernance(deps: { db: Kysely<GovernanceTables>; policy: PolicyEngine; audit: AuditLog; orchestrator: Orchestrator; maxConfBytes?: number }): Governance {
  return createGovernance({
    db: deps.db, policy: deps.policy, audit: deps.audit, environments: [ENVIRONMENT], orchestrators: new Map([[ENVIRONMENT.name, deps.orchestrator]]),
    clock: fixedClock(Date.UTC(2026, 0, 1)), ids: sequentialIds('req'), logger: pino({ level: 'silent' }), maxConfBytes: deps.maxConfBytes ?? 256,
    policyGroups: () => ['data-eng', 'viewers'],
  })
}

describe('governance pipeline (SQLite in memory, Cedar, audit log, in-memory Airflow)', () => {
  const policies = usePolicies(POLICIES)
  let policy: PolicyEngine
  let database: Database<GovernanceTables & AuditTables>
  let audit: AuditLog
  let airflow: InMemoryOrchestrator
  let governance: Governance
  /** Orchestrator calls made by the catalog sync, before the test's own. */
  let baseline: number

  beforeEach(async () => {
    policy = policies.engine
    ;({ database, audit } = await openTestStore())
    airflow = createInMemoryOrchestrator({
      environment: 'dev',
      dags: [
        { dagId: 'etl', tags: ['team:data-eng'], owners: ['data-eng'], tasks: ['extract', 'load'] },
        { dagId: 'ml', tags: ['team:ml'], owners: ['ml'] },
      ],
    })
    governance = buildGovernance({ db: database.db, policy, audit, orchestrator: airflow })
    await governance.catalog.syncAll()
    baseline = airflow.callCount()
  })
  afterEach(async () => { await database.close() })

  const callsSinceSync = () => airflow.calls.slice(baseline).map((c) => c.method)

  it('an allowed trigger is dispatched and tracked: the run carries the request id, conf and a note naming who, which policy and why', async () => {
    const { request, run } = await governance.trigger(alice, 'dev', 'etl', { conf: { rows: 7 }, reason: 'backfill' }, { httpRequestId: 'http-1' })
    assert.equal(request.decision.decision, 'allow')
    assert.deepEqual(request.decision.policyIds, ['data-eng-operate'])
    assert.equal(request.state, 'succeeded')
    assert.equal(request.action, 'dag:trigger')
    assert.equal(request.runId, `conductor__${request.id}`)
    assert.deepEqual(request.input, { conf: { rows: 7 }, logicalDate: null, note: null, reason: 'backfill' })
    assert.equal(run.runId, `conductor__${request.id}`)
    assert.deepEqual(run.conf, { rows: 7 })
    assert.deepEqual(run.startedBy, { via: 'conductor', principalType: 'User', principalId: 'alice', requestId: request.id })
    assert.match(run.note ?? '', /User alice \(Alice\)/)
    assert.match(run.note ?? '', new RegExp(`Request ${request.id}; allowed by policy data-eng-operate`))
    assert.match(run.note ?? '', /Reason: backfill/)

    const held = airflow.storedRuns('etl')
    assert.deepEqual(held.map((r) => [r.runId, r.conf, r.note]), [[run.runId, { rows: 7 }, run.note]])
    assert.deepEqual(callsSinceSync(), ['triggerRun'])
    const events = await audit.query({ requestId: request.id })
    assert.deepEqual(events.map((e) => e.type), ['authz.decision', 'dispatch.sent', 'dispatch.result'])
    assert.equal(events[2]?.data.ok, true)
  })

  it('a denied trigger never reaches Airflow, and is recorded and audited as denied', async () => {
    await assert.rejects(governance.trigger(victor, 'dev', 'etl', { conf: {} }), (error) => {
      assert.ok(isConductorError(error, 'policy_denied'), String(error))
      assert.match(error.message, /victor may not dag:trigger dev\/etl/)
      return true
    })
    assert.deepEqual(callsSinceSync(), [])
    assert.deepEqual(airflow.storedRuns('etl'), [])
    const [request, ...others] = await governance.requests(victor, {})
    assert.equal(others.length, 0)
    assert.equal(request?.decision.decision, 'deny')
    assert.equal(request?.state, 'denied')
    assert.equal(request?.runId, null, 'no run id is recorded for a denial')
    const events = await audit.query({ requestId: request!.id })
    assert.deepEqual(events.map((e) => [e.type, e.decision, e.principal]), [['authz.decision', 'deny', 'victor']])
  })

  for (const [what, fail, code] of [
    ['unavailable', (o: InMemoryOrchestrator) => o.setUnavailable(true), 'orchestrator_unavailable'],
    ['refusing the run', (o: InMemoryOrchestrator) => o.failNext('triggerRun', new ConductorError('orchestrator_rejected', 'conf breaks the DAG params')), 'orchestrator_rejected'],
  ] as const) {
    it(`Airflow ${what} marks the request failed with ${code}`, async () => {
      fail(airflow)
      await assert.rejects(governance.trigger(alice, 'dev', 'etl', { conf: {} }), (e) => isConductorError(e, code))
      assert.deepEqual(callsSinceSync(), ['triggerRun'])
      const [request] = await governance.requests(alice, {})
      assert.equal(request?.decision.decision, 'allow')
      assert.equal(request?.state, 'failed')
      assert.equal(request?.error?.code, code)
      const result = (await audit.query({ requestId: request!.id, type: 'dispatch.result' }))[0]
      assert.deepEqual([result?.data.ok, result?.data.errorCode], [false, code])
    })
  }

  for (const [what, conf, code] of [
    ['not an object', ['a', 'list'], 'conf_invalid'],
    ['a string', 'rows=7', 'conf_invalid'],
    ['too large', { blob: 'x'.repeat(300) }, 'conf_too_large'],
    ['nested 33 levels deep', JSON.parse(`${'{"a":'.repeat(32)}{}${'}'.repeat(32)}`) as object, 'conf_invalid'],
  ] as const) {
    it(`conf that is ${what} is refused with field "conf", recorded as a refused request and audited, and nothing is dispatched`, async () => {
      const eventsBefore = (await audit.query({})).length
      await assert.rejects(governance.trigger(alice, 'dev', 'etl', { conf }), (e) => isConductorError(e, code) && e.details?.field === 'conf' && e.details.requestId === 'req-1')
      assert.deepEqual((await governance.requests(alice, {})).map((r) => [r.id, r.state, r.error?.code]), [['req-1', 'refused', code]])
      assert.deepEqual((await audit.query({})).slice(eventsBefore).map((e) => [e.type, e.requestId, e.decision]), [['request.refused', 'req-1', 'deny']])
      assert.deepEqual(callsSinceSync(), [])
    })
  }

  it('a DAG whose allowed_run_types leave out manual is refused with run_type_not_allowed before policy or Airflow, recorded and audited; the catalog shows its run types', async () => {
    airflow.addDag({ dagId: 'nightly', tags: ['team:data-eng'], owners: ['data-eng'], allowedRunTypes: ['scheduled', 'backfill'] })
    await governance.catalog.syncAll()
    const before = airflow.callCount()
    const eventsBefore = (await audit.query({})).length
    const [listed] = (await governance.dags(alice, {})).filter((d) => d.dagId === 'nightly')
    assert.deepEqual(listed?.allowedRunTypes, ['backfill', 'scheduled'])
    assert.equal(listed?.team, null)
    await assert.rejects(governance.trigger(alice, 'dev', 'nightly', { conf: { rows: 1 } }), (e) => {
      assert.ok(isConductorError(e, 'run_type_not_allowed'), String(e))
      assert.deepEqual(e.details, { environment: 'dev', dagId: 'nightly', runType: 'manual', requestId: 'req-1' })
      return true
    })
    assert.deepEqual(airflow.calls.slice(before).map((c) => c.method), [])
    assert.deepEqual(airflow.storedRuns('nightly'), [])
    assert.deepEqual((await governance.requests(alice, {})).map((r) => [r.id, r.state, r.error?.code, r.dagId]), [['req-1', 'refused', 'run_type_not_allowed', 'nightly']])
    assert.deepEqual((await audit.query({})).slice(eventsBefore).map((e) => [e.type, e.requestId, e.dag, e.data.errorCode]), [['request.refused', 'req-1', 'nightly', 'run_type_not_allowed']])
    // A DAG that allows manual runs among others triggers as usual.
    airflow.addDag({ dagId: 'adhoc', tags: ['team:data-eng'], owners: ['data-eng'], allowedRunTypes: ['manual'] })
    await governance.catalog.syncAll()
    assert.equal((await governance.trigger(alice, 'dev', 'adhoc', {})).request.state, 'succeeded')
  })

  it('a rerun clears the failed tasks of a run; a viewer may not rerun', async () => {
    const { run } = await governance.trigger(alice, 'dev', 'etl', {})
    airflow.completeRun('etl', run.runId, { load: 'failed' })
    await assert.rejects(governance.rerun(victor, 'dev', 'etl', run.runId, {}), (e) => isConductorError(e, 'policy_denied'))
    assert.equal(airflow.callCount('clearFailedTasks'), 0)

    const { request, clearedTaskIds } = await governance.rerun(alice, 'dev', 'etl', run.runId, { reason: 'flaky load' })
    assert.deepEqual(clearedTaskIds, ['load'])
    assert.deepEqual([request.action, request.state, request.runId], ['dag:rerun', 'succeeded', run.runId])
    assert.equal(airflow.storedRuns('etl')[0]?.state, 'queued')
  })

  it('pausing goes through policy, reaches Airflow, and updates the catalog', async () => {
    await assert.rejects(governance.setPaused(victor, 'dev', 'etl', true), (e) => isConductorError(e, 'policy_denied'))
    assert.deepEqual(callsSinceSync(), [])
    const { request, dag } = await governance.setPaused(alice, 'dev', 'etl', true)
    assert.deepEqual([request.action, request.state, request.input], ['dag:pause', 'succeeded', { paused: true }])
    assert.equal(dag.paused, true)
    assert.equal((await airflow.getDag('etl')).paused, true)
    assert.equal((await governance.dag(alice, 'dev', 'etl')).paused, true)
  })

  it('reading runs needs run:read, and tells Conductor\'s runs from Airflow\'s own', async () => {
    const { run: ours } = await governance.trigger(alice, 'dev', 'etl', {})
    await airflow.triggerRun('etl', { runId: 'manual__behind-the-back', conf: {}, logicalDate: null })
    const runs = await governance.runs(victor, 'dev', 'etl')
    assert.deepEqual(runs.map((r) => [r.runId, r.startedBy.via]), [['manual__behind-the-back', 'airflow'], [ours.runId, 'conductor']])
    const one = await governance.run(victor, 'dev', 'etl', ours.runId)
    assert.deepEqual(one.tasks.map((t) => t.taskId), ['extract', 'load'])
    assert.equal(one.startedBy.via, 'conductor')
    const outsider = testUser('olga', ['ml'])
    const before = airflow.callCount('listRuns')
    await assert.rejects(governance.runs(outsider, 'dev', 'etl'), (e) => isConductorError(e, 'policy_denied'))
    await assert.rejects(governance.run(outsider, 'dev', 'etl', ours.runId), (e) => isConductorError(e, 'policy_denied'))
    assert.equal(airflow.callCount('listRuns'), before)
  })

  it('reading a task log needs run:logs: a viewer who may read runs still may not read logs', async () => {
    const { run } = await governance.trigger(alice, 'dev', 'etl', {})
    airflow.completeRun('etl', run.runId)
    airflow.appendLog('etl', run.runId, 'load', ['loaded 7 rows'])
    const log = await governance.taskLog(alice, 'dev', 'etl', run.runId, 'load')
    assert.deepEqual([log.tryNumber, log.lines], [1, ['loaded 7 rows']])
    const [request] = await governance.requests(alice, { action: 'run:logs' })
    assert.deepEqual([request?.id, request?.state], [log.requestId, 'succeeded'])

    await assert.rejects(governance.taskLog(victor, 'dev', 'etl', run.runId, 'load'), (e) => isConductorError(e, 'policy_denied'))
    assert.equal(airflow.callCount('getTaskLog'), 1)
    await assert.rejects(governance.taskLog(alice, 'dev', 'etl', run.runId, 'nope'), (e) => isConductorError(e, 'task_not_found'))
  })
})

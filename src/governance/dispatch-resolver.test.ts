import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { pino } from 'pino'
import { eventually } from '../../harness/poll.ts'
import type { AuditLog, AuditTables } from '../audit/index.ts'
import { ConductorError, fixedClock, isConductorError, sequentialIds } from '../core/index.ts'
import { createInMemoryOrchestrator, type InMemoryOrchestrator, type Orchestrator } from '../orchestrators/index.ts'
import type { PolicyEngine } from '../policy/index.ts'
import type { Database } from '../store/index.ts'
import { createGovernance, settleMs, type Governance, type GovernanceTables } from './index.ts'
import { openTestStore, testEnvironment, testUser, usePolicies } from './governance.test-support.ts'
import { findRequest, insertRequest } from './requests.repository.ts'

// A crash is a Conductor process that stops mid-dispatch: here, a governance instance whose orchestrator call never
// returns, and a second instance (the restarted process) over the same database. SQLite in memory, in-memory Airflow.

const POLICIES = `
@id("data-eng-operate")
permit (principal in Group::"data-eng", action, resource) when { resource has tags && resource.tags.contains("team:data-eng") };
`
const ENVIRONMENT = testEnvironment('dev')
const SETTLE_MS = settleMs(ENVIRONMENT)
const GRACE_SECONDS = 60
const alice = testUser('alice', ['data-eng'])

/** An orchestrator call that never returns: the process "dies" while it is on its way. */
const hangs = () => new Promise<never>(() => {})

describe('dispatch resolver: requests a stopped process left behind', () => {
  const policies = usePolicies(POLICIES)
  let policy: PolicyEngine
  let database: Database<GovernanceTables & AuditTables>
  let audit: AuditLog
  let airflow: InMemoryOrchestrator
  const clock = fixedClock(Date.UTC(2026, 0, 1))
  const ids = sequentialIds('req')

  beforeEach(async () => {
    clock.set(Date.UTC(2026, 0, 1))
    policy = policies.engine
    ;({ database, audit } = await openTestStore())
    airflow = createInMemoryOrchestrator({ environment: 'dev', dags: [{ dagId: 'etl', tags: ['team:data-eng'] }] })
  })
  afterEach(async () => { await database.close() })

  /** One Conductor process over the shared database, reaching Airflow through `orchestrator`. */
  async function conductorProcess(orchestrator: Orchestrator = airflow): Promise<Governance> {
    const governance = createGovernance({
      db: database.db, policy, audit, environments: [ENVIRONMENT], orchestrators: new Map([['dev', orchestrator]]), clock, ids,
      logger: pino({ level: 'silent' }), maxConfBytes: 1024, policyGroups: () => ['data-eng'], dispatchGraceSeconds: GRACE_SECONDS,
    })
    await governance.catalog.syncAll()
    return governance
  }

  /** Starts a trigger in a process whose call to Airflow never returns; resolves once the request is `dispatching`. */
  async function crashWhileTriggering(createRunFirst: boolean): Promise<{ crashed: Governance; requestId: string; runId: string }> {
    const crashed = await conductorProcess({
      ...airflow,
      triggerRun: async (dagId, input) => {
        if (createRunFirst) await airflow.triggerRun(dagId, input)
        return hangs()
      },
    })
    void crashed.trigger(alice, 'dev', 'etl', { conf: { rows: 7 } })
    const [request] = await eventually(async () => {
      const found = await crashed.requests(alice, { state: 'dispatching' })
      return found.length === 1 && (!createRunFirst || airflow.storedRuns('etl').length === 1) && found
    }, { what: 'the trigger to be on its way to Airflow' })
    return { crashed, requestId: request!.id, runId: request!.runId! }
  }

  const stateOf = async (id: string) => (await findRequest(database.db, id))?.state

  it('a trigger whose run exists in Airflow is settled as succeeded, credited to its person, and audited', async () => {
    const { requestId, runId } = await crashWhileTriggering(true)
    const restarted = await conductorProcess()

    clock.advance(SETTLE_MS - 1)
    assert.deepEqual(await restarted.resolver.resolveAll(), [], 'another replica may still be dispatching it')
    assert.equal(await stateOf(requestId), 'dispatching')
    const before = await restarted.runs(alice, 'dev', 'etl')
    assert.deepEqual(before.map((r) => r.startedBy.via), ['airflow'], 'while unsettled, the run is not credited to alice')

    clock.advance(1)
    const resolutions = await restarted.resolver.resolveAll()
    assert.deepEqual(resolutions.map((r) => [r.requestId, r.from, r.outcome, r.evidence, r.runId]), [[requestId, 'dispatching', 'succeeded', 'run_found', runId]])
    const request = await restarted.request(alice, requestId)
    assert.deepEqual([request.state, request.error], ['succeeded', null])
    const [run] = await restarted.runs(alice, 'dev', 'etl')
    assert.deepEqual(run?.startedBy, { via: 'conductor', principalType: 'User', principalId: 'alice', requestId })

    const events = await audit.query({ requestId })
    assert.deepEqual(events.map((e) => e.type), ['authz.decision', 'dispatch.sent', 'dispatch.resolved'])
    assert.deepEqual([events[2]!.principal, events[2]!.data.outcome, events[2]!.data.evidence, events[2]!.data.runId], ['alice', 'succeeded', 'run_found', runId])
    assert.deepEqual(await restarted.resolver.resolveAll(), [], 'settled once')
  })

  it('a trigger whose run never appeared is failed with dispatch_interrupted, only once the grace period is over', async () => {
    const { requestId, runId } = await crashWhileTriggering(false)
    const restarted = await conductorProcess()

    clock.advance(GRACE_SECONDS * 1000 - 1)
    assert.deepEqual(await restarted.resolver.resolveAll(), [])
    assert.equal(await stateOf(requestId), 'dispatching', 'Airflow may still create the run')
    assert.ok(airflow.callCount('getRun') >= 1, 'Airflow was asked for the run')

    clock.advance(1)
    const [resolution, ...others] = await restarted.resolver.resolveAll()
    assert.deepEqual(others, [])
    assert.deepEqual([resolution?.outcome, resolution?.evidence], ['failed', 'run_not_found'])
    const request = await restarted.request(alice, requestId)
    assert.equal(request.state, 'failed')
    assert.equal(request.error?.code, 'dispatch_interrupted')
    assert.match(request.error?.message ?? '', new RegExp(`run "${runId}" did not appear`))
    const [event] = await audit.query({ requestId, type: 'dispatch.resolved' })
    assert.deepEqual([event?.data.outcome, event?.data.errorCode], ['failed', 'dispatch_interrupted'])
  })

  it('while Airflow cannot be asked, an interrupted trigger is left for a later round, whatever its age', async () => {
    const { requestId } = await crashWhileTriggering(true)
    const restarted = await conductorProcess()
    airflow.setUnavailable(true)
    clock.advance(10 * GRACE_SECONDS * 1000)
    assert.deepEqual(await restarted.resolver.resolveAll(), [])
    assert.equal(await stateOf(requestId), 'dispatching')
    assert.deepEqual(await audit.query({ type: 'dispatch.resolved' }), [])

    airflow.setUnavailable(false)
    assert.deepEqual((await restarted.resolver.resolveAll()).map((r) => r.outcome), ['succeeded'])
  })

  it('a dispatch still in flight in this process is never touched by its own resolver, however old', async () => {
    const { crashed, requestId } = await crashWhileTriggering(false)
    clock.advance(10 * GRACE_SECONDS * 1000)
    assert.deepEqual(await crashed.resolver.resolveAll(), [])
    assert.equal(await stateOf(requestId), 'dispatching')
    assert.equal(airflow.callCount('getRun'), 0)
  })

  it('Airflow created the run but its answer was lost: 503 with outcome unknown, then settled as succeeded without waiting', async () => {
    const lost = (dagId: string) => new ConductorError('orchestrator_unavailable', `Airflow environment "dev" is unavailable: UND_ERR_SOCKET: other side closed (POST /api/v2/dags/${dagId}/dagRuns)`, {
      details: { environment: 'dev', reason: 'UND_ERR_SOCKET', sent: 'unknown' },
    })
    const governance = await conductorProcess({
      ...airflow,
      triggerRun: async (dagId, input) => { await airflow.triggerRun(dagId, input); throw lost(dagId) },
    })
    let requestId = ''
    await assert.rejects(governance.trigger(alice, 'dev', 'etl', {}), (error) => {
      assert.ok(isConductorError(error, 'orchestrator_unavailable'), String(error))
      assert.equal(error.details?.outcome, 'unknown')
      requestId = String(error.details?.requestId)
      return true
    })
    const request = await governance.request(alice, requestId)
    assert.deepEqual([request.state, request.error?.code], ['unknown', 'orchestrator_unavailable'])
    const [result] = await audit.query({ requestId, type: 'dispatch.result' })
    assert.deepEqual([result?.data.ok, result?.data.outcome], [false, 'unknown'])

    assert.deepEqual((await governance.resolver.resolveAll()).map((r) => [r.requestId, r.from, r.outcome]), [[requestId, 'unknown', 'succeeded']])
    assert.deepEqual([(await governance.request(alice, requestId)).state, (await governance.runs(alice, 'dev', 'etl'))[0]?.startedBy.via], ['succeeded', 'conductor'])
  })

  it('a call that never reached Airflow is failed at once, as before', async () => {
    const governance = await conductorProcess({
      ...airflow,
      triggerRun: async () => { throw new ConductorError('orchestrator_unavailable', 'connection refused', { details: { environment: 'dev', sent: false } }) },
    })
    await assert.rejects(governance.trigger(alice, 'dev', 'etl', {}), (e) => isConductorError(e, 'orchestrator_unavailable') && e.details?.outcome === undefined)
    const [request] = await governance.requests(alice, {})
    assert.deepEqual([request?.state, request?.error?.code], ['failed', 'orchestrator_unavailable'])
  })

  it('a rerun or pause leaves no evidence: failed with dispatch_interrupted after the grace period; a decided call never sent, once it has settled', async () => {
    const first = await conductorProcess()
    const { run } = await first.trigger(alice, 'dev', 'etl', {})
    airflow.completeRun('etl', run.runId, { task: 'failed' })
    const crashed = await conductorProcess({ ...airflow, clearFailedTasks: hangs, setPaused: hangs })
    void crashed.rerun(alice, 'dev', 'etl', run.runId, {})
    void crashed.setPaused(alice, 'dev', 'etl', true)
    await eventually(async () => (await crashed.requests(alice, { state: 'dispatching' })).length === 2, { what: 'the rerun and the pause to be on their way' })
    const now = new Date(clock.now()).toISOString()
    await insertRequest(database.db, {
      id: 'req-decided', created_at: now, updated_at: now, principal_type: 'User', principal_id: 'alice', issuer: 'test', principal_groups: '["data-eng"]',
      action: 'dag:trigger', environment: 'dev', dag_id: 'etl', run_id: null, input: '{}', decision: 'allow', policy_ids: '[]', reasons: '[]', policy_version: 1,
      state: 'allowed', error_code: null, error_message: null, http_request_id: null,
    })
    const restarted = await conductorProcess()

    clock.advance(SETTLE_MS)
    assert.deepEqual((await restarted.resolver.resolveAll()).map((r) => [r.requestId, r.evidence]), [['req-decided', 'never_sent']])
    clock.advance(GRACE_SECONDS * 1000)
    const settled = await restarted.resolver.resolveAll()
    assert.deepEqual(settled.map((r) => [r.action, r.outcome, r.evidence]).sort(), [['dag:pause', 'failed', 'no_evidence'], ['dag:rerun', 'failed', 'no_evidence']])
    for (const r of settled) {
      const request = await restarted.request(alice, r.requestId)
      assert.equal(request.error?.code, 'dispatch_interrupted')
      assert.match(request.error?.message ?? '', /whether it took effect is unknown/)
    }
  })
})

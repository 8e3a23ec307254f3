import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { pino } from 'pino'
import type { AuditLog, AuditTables } from '../../audit/index.ts'
import type { EnvironmentConfig } from '../../config/index.ts'
import { fixedClock, sequentialIds } from '../../core/index.ts'
import { createInMemoryOrchestrator, type InMemoryOrchestrator } from '../../orchestrators/index.ts'
import type { Database } from '../../store/index.ts'
import { eventually } from '../../../harness/poll.ts'
import { createGovernance, type Governance, type GovernanceTables } from '../index.ts'
import { openTestStore, testEnvironment, testUser, usePolicies } from '../governance.test-support.ts'

const POLICIES = `permit (principal in Group::"data-eng", action in [Action::"dag:read", Action::"dag:trigger"], resource);`

const environment = (name: string, fullyGoverned: boolean): EnvironmentConfig => testEnvironment(name, { fullyGoverned })
const alice = testUser('alice', ['data-eng'])

describe('shadow activity, found at each catalog sync (in-memory Airflow)', () => {
  const policies = usePolicies(POLICIES)
  let database: Database<GovernanceTables & AuditTables>
  let audit: AuditLog
  let dev: InMemoryOrchestrator
  let prod: InMemoryOrchestrator
  let governance: Governance
  const clock = fixedClock(Date.UTC(2026, 0, 1))

  const build = (webhookUrl?: string) => createGovernance({
    db: database.db, policy: policies.engine, audit, environments: [environment('dev', false), environment('prod', true)],
    orchestrators: new Map([['dev', dev], ['prod', prod]]), clock, ids: sequentialIds('req'), logger: pino({ level: 'silent' }), maxConfBytes: 1024,
    policyGroups: () => ['data-eng'], shadow: { conductorUsers: ['conductor'], ...(webhookUrl ? { webhookUrl } : {}) },
  })
  const shadowEvents = async () => (await audit.query({})).filter((e) => e.type.startsWith('shadow.'))
    .map((e) => ({ type: e.type, environment: e.environment, dag: e.dag, ...(e.data as { runId?: string; actor?: string; severity?: string }) }))
    .map(({ type, environment: env, dag, runId, actor, severity }) => ({ type, env, dag, runId, actor, severity }))

  beforeEach(async () => {
    ;({ database, audit } = await openTestStore())
    const dags = [{ dagId: 'etl', owners: ['alice'] }, { dagId: 'legacy', owners: ['airflow'] }]
    dev = createInMemoryOrchestrator({ environment: 'dev', clock, dags })
    prod = createInMemoryOrchestrator({ environment: 'prod', clock, dags })
    governance = build()
    await governance.recordPrincipal(alice)
    await governance.catalog.syncAll()
    clock.advance(1000)
  })
  afterEach(async () => { await database.close() })

  it('a run created behind Conductor\'s back becomes one shadow.run, exactly once across two syncs', async () => {
    dev.addAirflowRun('etl', { runId: 'manual__by_admin', triggeredBy: 'admin' })
    await governance.catalog.syncAll()
    clock.advance(60_000)
    await governance.catalog.syncAll()
    assert.deepEqual(await shadowEvents(), [{ type: 'shadow.run', env: 'dev', dag: 'etl', runId: 'manual__by_admin', actor: 'admin', severity: 'warning' }])
  })

  it('a run Conductor triggered is never shadow, but a forged conductor__ run id is', async () => {
    const { run } = await governance.trigger(alice, 'dev', 'etl', { conf: {} })
    dev.addAirflowRun('etl', { runId: 'conductor__not-a-request', triggeredBy: 'admin' })
    await governance.catalog.syncAll()
    assert.ok(run.runId.startsWith('conductor__'))
    assert.deepEqual((await shadowEvents()).map((e) => e.runId), ['conductor__not-a-request'])
  })

  it('a pause by admin in the event log is shadow.pause; Conductor\'s own and unrelated events are not', async () => {
    dev.addEventLog({ event: 'patch_dag', kind: 'pause', owner: 'admin', dagId: 'etl', extra: { is_paused: true } })
    dev.addEventLog({ event: 'patch_dag', kind: 'pause', owner: 'conductor', dagId: 'etl' })
    dev.addEventLog({ event: 'get_dag', kind: null, owner: 'admin', dagId: 'etl' })
    dev.addEventLog({ event: 'clear_dag_run', kind: 'clear', owner: 'bob', dagId: 'etl', runId: 'r1' })
    await governance.catalog.syncAll()
    assert.deepEqual((await shadowEvents()).map((e) => [e.type, e.actor]), [['shadow.pause', 'admin'], ['shadow.clear', 'bob']])
  })

  it('scheduled runs are shadow only when no principal owns the DAG, and anything in a fully governed environment is high', async () => {
    prod.addAirflowRun('etl', { runId: 'scheduled__1', runType: 'scheduled' })
    prod.addAirflowRun('legacy', { runId: 'scheduled__2', runType: 'scheduled' })
    dev.addAirflowRun('legacy', { runId: 'scheduled__3', runType: 'scheduled' })
    prod.addAirflowRun('etl', { runId: 'manual__x', triggeredBy: 'admin' })
    await governance.catalog.syncAll()
    assert.deepEqual((await shadowEvents()).map((e) => [e.type, e.env, e.runId, e.severity]).sort(), [
      ['shadow.run', 'prod', 'manual__x', 'high'],
      ['shadow.unowned_schedule', 'dev', 'scheduled__3', 'info'],
      ['shadow.unowned_schedule', 'prod', 'scheduled__2', 'high'],
    ])
    const listed = await governance.shadow.list({ environment: 'prod', limit: 10 })
    assert.deepEqual(listed.counts, { run: 1, pause: 0, clear: 0, mark: 0, unowned_schedule: 1 })
  })

  it('what happened before Conductor first looked is not reported', async () => {
    const fresh = createInMemoryOrchestrator({ environment: 'dev', clock, dags: [{ dagId: 'etl' }] })
    fresh.addAirflowRun('etl', { runId: 'old' })
    ;({ database, audit } = await openTestStore())
    dev = fresh
    governance = build()
    await governance.catalog.syncAll()
    assert.deepEqual(await shadowEvents(), [])
  })

  it('where Airflow runs the Conductor auth manager, a known person\'s run and pause there are theirs (ledger, airflow.run), not shadow', async () => {
    const managed = testEnvironment('dev', { conductorAuthManager: true })
    governance = createGovernance({
      db: database.db, policy: policies.engine, audit, environments: [managed], orchestrators: new Map([['dev', dev]]), clock, ids: sequentialIds('req'),
      logger: pino({ level: 'silent' }), maxConfBytes: 1024, policyGroups: () => ['data-eng'], shadow: { conductorUsers: ['conductor'] },
    })
    dev.addAirflowRun('etl', { runId: 'manual__in_airflow_ui', triggeredBy: 'alice' })
    dev.addAirflowRun('etl', { runId: 'manual__by_admin', triggeredBy: 'admin' })
    dev.addEventLog({ event: 'patch_dag', kind: 'pause', owner: 'alice', dagId: 'etl', extra: { is_paused: true } })
    await governance.catalog.syncAll()
    clock.advance(60_000)
    await governance.catalog.syncAll()

    assert.deepEqual((await shadowEvents()).map((e) => [e.type, e.actor]), [['shadow.run', 'admin']], 'only the stranger\'s run is shadow')
    const ledger = (await database.db.selectFrom('requests').selectAll().where('run_id', '=', 'manual__in_airflow_ui').execute())
    assert.deepEqual(ledger.map((r) => [r.principal_id, r.action, r.dag_id, r.decision, r.state, JSON.parse(r.input).via]), [['alice', 'dag:trigger', 'etl', 'allow', 'succeeded', 'airflow']], 'in the ledger once')
    const attributed = (await audit.query({ type: 'airflow.run' })).map((e) => [e.principal, e.dag, (e.data as { runId: string }).runId])
    assert.deepEqual(attributed, [['alice', 'etl', 'manual__in_airflow_ui']])
  })

  describe('the webhook', () => {
    let server: Server
    const received: unknown[] = []
    let failFirst = 0
    beforeEach(async () => {
      received.length = 0
      server = createServer((req, res) => {
        let body = ''
        req.on('data', (c: Buffer) => { body += c })
        req.on('end', () => {
          if (failFirst > 0) { failFirst--; res.writeHead(503).end(); return }
          received.push(JSON.parse(body))
          res.writeHead(204).end()
        })
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    })
    afterEach(async () => { await new Promise((resolve) => server.close(resolve)) })

    it('receives each new item as JSON, after a failed attempt is retried', async () => {
      failFirst = 1
      const now = new Date(clock.now()).toISOString()
      governance = build(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`)
      dev.addAirflowRun('etl', { runId: 'manual__hooked', triggeredBy: 'admin' })
      await governance.catalog.syncAll()
      await eventually(() => received.length === 1, { what: 'the webhook to receive the item' })
      assert.deepEqual(received[0], {
        type: 'shadow.run', environment: 'dev', key: 'run:etl/manual__hooked', kind: 'run', severity: 'warning', dagId: 'etl', runId: 'manual__hooked', actor: 'admin',
        detail: { runType: 'manual', state: 'queued' }, occurredAt: now, detectedAt: now,
      })
      await governance.catalog.stop()
    })
  })
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setImmediate as yieldToOthers } from 'node:timers/promises'
import { pino } from 'pino'
import { forEachEngine } from '../../harness/databases.ts'
import { createAuditLog, type AuditTables } from '../../src/audit/index.ts'
import type { EnvironmentConfig } from '../../src/config/index.ts'
import { fixedClock } from '../../src/core/index.ts'
import { createDispatchResolver, type GovernanceTables, type Resolution } from '../../src/governance/index.ts'
import { createInMemoryOrchestrator, type Orchestrator } from '../../src/orchestrators/index.ts'
import { openDatabase } from '../../src/store/index.ts'

// Two replicas of Conductor come back after a crash and resolve the same stuck requests at the same moment, each over
// its own connection: every request is settled exactly once, and audited once.

const ENVIRONMENT = { name: 'dev', kind: 'airflow3', url: 'http://airflow.invalid', timeoutMs: 1_000, retries: 0 } as EnvironmentConfig
const STUCK = 40
const DISPATCHED_AT = Date.UTC(2026, 0, 1)

forEachEngine((engine) => {
  test(`two resolvers over one database settle each of ${STUCK} interrupted triggers once`, { timeout: 60_000 }, async () => {
    const database = await engine.open()
    const replicas = await Promise.all([0, 1].map(() => openDatabase<GovernanceTables & AuditTables>({ url: database.url })))
    try {
      const airflow = createInMemoryOrchestrator({ environment: 'dev', dags: [{ dagId: 'etl' }] })
      const at = new Date(DISPATCHED_AT).toISOString()
      const rows = Array.from({ length: STUCK }, (_, i) => ({
        id: `req-${i}`, created_at: at, updated_at: at, principal_type: 'User', principal_id: i % 2 ? 'alice' : 'dana', issuer: 'test', principal_groups: '[]',
        action: 'dag:trigger', environment: 'dev', dag_id: 'etl', run_id: `conductor__req-${i}`, input: '{}', decision: 'allow', policy_ids: '[]', reasons: '[]',
        policy_version: 1, state: i % 5 === 0 ? 'unknown' : 'dispatching', error_code: null, error_message: null, http_request_id: null,
      }))
      await replicas[0]!.db.insertInto('requests').values(rows).execute()
      // Airflow got two thirds of them before the crash.
      for (const row of rows.filter((_, i) => i % 3 !== 0)) await airflow.triggerRun('etl', { runId: row.run_id, conf: {}, logicalDate: null })

      // Every lookup yields first, so both replicas have read the same rows before either settles one.
      const slowAirflow: Orchestrator = { ...airflow, getRun: async (dagId, runId) => { await yieldToOthers(); return airflow.getRun(dagId, runId) } }
      const clock = fixedClock(DISPATCHED_AT + 10 * 60_000)
      const resolvers = replicas.map((replica) => createDispatchResolver({
        db: replica.db, audit: createAuditLog({ database: replica, clock }), environments: [ENVIRONMENT], orchestrators: new Map([['dev', slowAirflow]]),
        clock, logger: pino({ level: 'silent' }), inFlight: new Set(), graceSeconds: 60,
      }))
      const rounds = await Promise.all([...resolvers, ...resolvers].map((r) => r.resolveAll()))
      const settled: Resolution[] = rounds.flat()

      assert.equal(settled.length, STUCK, 'each request settled by exactly one resolver round')
      assert.equal(new Set(settled.map((r) => r.requestId)).size, STUCK)
      for (const [i, row] of rows.entries()) {
        const stored = await replicas[0]!.db.selectFrom('requests').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow()
        const expected = i % 3 !== 0 ? ['succeeded', null] : ['failed', 'dispatch_interrupted']
        assert.deepEqual([stored.state, stored.error_code], expected, row.id)
      }
      const audit = createAuditLog({ database: replicas[1]! })
      const events = await audit.query({ type: 'dispatch.resolved', limit: 1000 })
      assert.equal(events.length, STUCK)
      assert.equal(new Set(events.map((e) => e.requestId)).size, STUCK, 'no request audited twice')
      for (const event of events) assert.equal(event.principal, rows.find((r) => r.id === event.requestId)!.principal_id)
      assert.equal((await audit.verify()).ok, true)
      assert.deepEqual((await Promise.all(resolvers.map((r) => r.resolveAll()))).flat(), [], 'nothing left to settle')
    } finally {
      for (const replica of replicas) await replica.close()
      await database.close()
    }
  })
})

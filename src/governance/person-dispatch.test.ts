import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { pino } from 'pino'
import type { AuditLog, AuditTables } from '../audit/index.ts'
import type { EnvironmentConfig } from '../config/index.ts'
import { fixedClock, sequentialIds } from '../core/index.ts'
import { createInMemoryOrchestrator, type InMemoryOrchestrator } from '../orchestrators/index.ts'
import type { Database } from '../store/index.ts'
import { createGovernance, type Governance, type GovernanceTables } from './index.ts'
import { openTestStore, testEnvironment, testUser, usePolicies } from './governance.test-support.ts'

const POLICIES = `
@id("data-eng-operate")
permit (principal in Group::"data-eng", action in [Action::"dag:read", Action::"dag:trigger", Action::"run:read"], resource);
`

const environment = (name: string, credentials: EnvironmentConfig['credentials']): EnvironmentConfig => testEnvironment(name, { url: `http://${name}.invalid`, credentials })
const alice = testUser('alice', ['data-eng'])

describe('governed actions in an environment that can be called as the person', () => {
  const policies = usePolicies(POLICIES)
  let database: Database<GovernanceTables & AuditTables>
  let audit: AuditLog
  let identityEnv: InMemoryOrchestrator
  let serviceEnv: InMemoryOrchestrator
  let governance: Governance

  beforeEach(async () => {
    ;({ database, audit } = await openTestStore())
    const dags = [{ dagId: 'etl' }]
    identityEnv = createInMemoryOrchestrator({ environment: 'people', dags, actsAsPerson: true, triggeredBy: 'conductor' })
    serviceEnv = createInMemoryOrchestrator({ environment: 'shared', dags, triggeredBy: 'conductor' })
    governance = createGovernance({
      db: database.db, policy: policies.engine, audit, clock: fixedClock(Date.UTC(2026, 0, 1)), ids: sequentialIds('req'), logger: pino({ level: 'silent' }), maxConfBytes: 256,
      environments: [environment('people', { provider: 'files', secret: 'svc', kind: 'conductor-identity' }), environment('shared', { provider: 'files', secret: 'svc' })],
      orchestrators: new Map([['people', identityEnv], ['shared', serviceEnv]]),
      policyGroups: () => ['data-eng'],
    })
    await governance.catalog.syncAll()
  })
  afterEach(async () => { await database.close() })

  it('a trigger is dispatched as alice where the environment allows it, and as the service account elsewhere', async () => {
    const asPerson = await governance.trigger(alice, 'people', 'etl', { conf: {} })
    const asService = await governance.trigger(alice, 'shared', 'etl', { conf: {} })
    assert.deepEqual(identityEnv.storedRuns('etl').map((r) => [r.runId, r.triggeredBy]), [[asPerson.run.runId, 'alice']])
    assert.deepEqual(serviceEnv.storedRuns('etl').map((r) => [r.runId, r.triggeredBy]), [[asService.run.runId, 'conductor']])
    // The ledger still ties both runs to alice, whoever Airflow saw.
    assert.deepEqual([asPerson.run.startedBy, asService.run.startedBy].map((s) => (s?.via === 'conductor' ? s.principalId : s)), ['alice', 'alice'])
  })
})

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { EnvironmentConfig } from '../../config/index.ts'
import { createPolicyEngine, type PolicyEngine } from '../../policy/index.ts'
import { computeAccess } from './access-matrix.ts'

const POLICIES = `
@id("data-eng-read")
permit (principal in Group::"data-eng", action == Action::"dag:read", resource) when { resource.tags.contains("team:data-eng") };

@id("data-eng-env")
permit (principal in Group::"data-eng", action == Action::"environment:read", resource);

@id("auditors")
permit (principal in Group::"auditors", action == Action::"audit:read", resource == Conductor::"conductor");

@id("special")
permit (principal in Group::"data-eng", action == Action::"dag:trigger", resource) when { resource.dagId == "train" };
`

const env = (name: string): EnvironmentConfig => ({
  name, kind: 'airflow3', url: 'http://airflow.invalid', zone: 'eu', tier: 'dev', credentials: { provider: 'files', secret: 'unused' },
  timeoutMs: 1_000, retries: 0, limits: { maxConcurrentWrites: 2, writesPerSecond: 5, maxConcurrentReads: 4, readsPerSecond: 20, maxWaitMs: 5_000 },
  circuitBreaker: { failureThreshold: 5, openSeconds: 30 },
})
const dag = (id: string, tags: string[]) => ({ dag_id: id, tags: JSON.stringify(tags), owners: '[]', paused: 0, team: null, allowed_run_types: null })
const DAGS = [dag('etl_daily', ['team:data-eng']), dag('etl_hourly', ['team:data-eng']), dag('train', ['team:ml'])]

let engine: PolicyEngine
before(async () => { engine = await createPolicyEngine({ folder: '(test)', sources: [{ file: 'test.cedar', text: POLICIES }] }) })
after(() => { engine.close() })

const user = (id: string, groups: string[]) => ({ type: 'User', id, displayName: id.toUpperCase(), groups })

test('principals with the same groups form one class; each allowed action lists its environment, DAGs and permitting policies', async () => {
  const matrix = await computeAccess({
    policy: engine,
    principals: [user('bob', ['data-eng']), user('carol', ['data-eng']), user('erin', ['auditors']), user('alice', ['analysts'])],
    environments: [env('local'), env('prod')],
    dags: async (e) => (e === 'local' ? DAGS : []),
  })
  assert.equal(matrix.classes.length, 3)
  const eng = matrix.classes.find((c) => c.groups.includes('data-eng'))!
  assert.deepEqual(eng.principals.map((p) => p.id), ['bob', 'carol'])
  assert.deepEqual(eng.entries, [
    { action: 'dag:read', environment: 'local', dagIds: ['etl_daily', 'etl_hourly'], policyIds: ['data-eng-read'] },
    { action: 'dag:trigger', environment: 'local', dagIds: ['train'], policyIds: ['special'] },
    { action: 'environment:read', environment: 'local', dagIds: null, policyIds: ['data-eng-env'] },
    { action: 'environment:read', environment: 'prod', dagIds: null, policyIds: ['data-eng-env'] },
  ])
  assert.deepEqual(matrix.classes.find((c) => c.groups.includes('auditors'))!.entries, [{ action: 'audit:read', environment: null, dagIds: null, policyIds: ['auditors'] }])
  assert.deepEqual(matrix.classes.find((c) => c.groups.includes('analysts'))!.entries, [])
  assert.deepEqual(matrix.counts.principals, 4)
  assert.deepEqual(matrix.counts.dags, 3)
  assert.deepEqual(matrix.counts.environments, 2)
  assert.ok(matrix.counts.evaluations > 0)
})

test('the actions asked about can be narrowed', async () => {
  const matrix = await computeAccess({ policy: engine, principals: [user('bob', ['data-eng'])], environments: [env('local')], dags: async () => DAGS, actions: ['dag:read'] })
  assert.deepEqual(matrix.classes[0]!.entries.map((e) => e.action), ['dag:read'])
})

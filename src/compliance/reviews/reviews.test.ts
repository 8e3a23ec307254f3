import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { EnvironmentConfig } from '../../config/index.ts'
import { createPolicyEngine, type AuthorizationRequest, type PolicyEngine } from '../../policy/index.ts'
import { campaignItems } from './campaign-items.ts'
import { createSuspensions } from './suspensions.ts'
import type { ReviewDb } from './reviews.repository.ts'

const POLICIES = `
@id("eng-trigger")
permit (principal in Group::"data-eng", action == Action::"dag:trigger", resource) when { resource.tags.contains("team:data-eng") };

@id("leads-review")
permit (principal in Group::"data-leads", action == Action::"access:review", resource) when { resource is Dag && resource.tags.contains("team:data-eng") };
`
const local: EnvironmentConfig = {
  name: 'local', kind: 'airflow3', url: 'http://airflow.invalid', zone: 'eu', tier: 'dev', credentials: { provider: 'files', secret: 'unused' },
  timeoutMs: 1_000, retries: 0, limits: { maxConcurrentWrites: 2, writesPerSecond: 5, maxConcurrentReads: 4, readsPerSecond: 20, maxWaitMs: 5_000 },
  circuitBreaker: { failureThreshold: 5, openSeconds: 30 },
}
const dag = (id: string, tags: string[]) => ({ dag_id: id, tags: JSON.stringify(tags), owners: '[]', paused: 0, team: null, allowed_run_types: null })
const user = (id: string, groups: string[]) => ({ type: 'User', id, displayName: null, groups })

let engine: PolicyEngine
before(async () => { engine = await createPolicyEngine({ folder: '(test)', sources: [{ file: 'test.cedar', text: POLICIES }] }) })
after(() => { engine.close() })

test('items: one per principal, action and environment, with why; reviewers by policy, never the principal itself', async () => {
  const items = await campaignItems({
    policy: engine, scope: {}, environments: [local], dags: async () => [dag('etl', ['team:data-eng']), dag('train', ['team:ml'])],
    principals: [user('alice', ['data-eng']), user('dana', ['data-eng', 'data-leads']), user('dave', ['data-leads'])],
    grants: async (p) => (p.id === 'alice' ? [{ id: 'g1', group: 'data-eng', expiresAt: '2099-01-01T00:00:00.000Z' }, { id: 'g2', group: 'other', expiresAt: '2099-01-01T00:00:00.000Z' }] : []),
  })
  assert.deepEqual(items.map((i) => [i.principal.id, i.action, i.environment, i.dagIds, i.reviewers.map((r) => r.id).sort()]), [
    ['alice', 'dag:trigger', 'local', ['etl'], ['dana', 'dave']],
    ['dana', 'dag:trigger', 'local', ['etl'], ['dave']],
  ])
  assert.deepEqual(items[0]!.why, { policies: ['eng-trigger'], groups: ['data-eng'], grants: [{ id: 'g1', group: 'data-eng', expiresAt: '2099-01-01T00:00:00.000Z' }] })
})

test('a suspension turns an allow into a deny for its principal, action and DAGs only, and is lifted', () => {
  const suspensions = createSuspensions({ db: null as unknown as ReviewDb, logger: { warn: () => {} } })
  const policy = suspensions.wrap(engine)
  const ask = (id: string, dagId: string): AuthorizationRequest => ({
    principal: { type: 'User', id, groups: ['data-eng'] }, action: 'dag:trigger',
    resource: { environment: { name: 'local', zone: 'eu', tier: 'dev', team: null }, dag: { dagId, tags: ['team:data-eng'], owners: [], paused: false } },
  })
  suspensions.add({ id: 'f1', itemId: 'i1', principalType: 'User', principalId: 'alice', action: 'dag:trigger', environment: 'local', dagIds: ['etl'], reason: 'suspended by access review Q4: revoked by dave' })
  const denied = policy.authorize(ask('alice', 'etl'))
  assert.deepEqual([denied.decision, denied.policyIds, denied.reasons], ['deny', ['access-review:i1'], ['suspended by access review Q4: revoked by dave']])
  assert.equal(policy.authorize(ask('alice', 'other')).decision, 'allow', 'another DAG')
  assert.equal(policy.authorize(ask('bob', 'etl')).decision, 'allow', 'another principal')
  assert.equal(engine.authorize(ask('alice', 'etl')).decision, 'allow', 'the policy alone still grants it')
  suspensions.remove('f1')
  assert.equal(policy.authorize(ask('alice', 'etl')).decision, 'allow')
})

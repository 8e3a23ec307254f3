import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createPolicyEngine } from './policy-engine.ts'
import type { Action, PolicyEngine } from './types.ts'

const folder = new URL('../../policies', import.meta.url).pathname
const environment = { name: 'local', zone: 'dev', tier: 'dev', team: null }
let engine: PolicyEngine
before(async () => { engine = await createPolicyEngine({ folder }) })
after(() => engine.close())

function decide(groups: string[], action: Action, tags: string[] = []): 'allow' | 'deny' {
  return engine.authorize({
    principal: { type: 'User', id: 'someone', groups }, action,
    resource: { environment, dag: { dagId: 'etl_daily', tags, owners: [], paused: false } },
  }).decision
}

test('the demo policies: data-eng and ml read connections and variables, only platform admins write them', () => {
  for (const action of ['connection:read', 'variable:read', 'pool:read', 'asset:read', 'view:read'] as const) {
    assert.equal(decide(['data-eng'], action), 'allow', action)
    assert.equal(decide(['ml'], action), 'allow', action)
  }
  for (const action of ['connection:write', 'variable:write', 'pool:write', 'asset:write', 'config:read'] as const) {
    assert.equal(decide(['data-eng'], action), 'deny', action)
    assert.equal(decide(['platform-admins'], action), 'allow', action)
  }
  assert.equal(decide(['analysts'], 'connection:read'), 'deny')
  assert.equal(decide(['analysts'], 'variable:read'), 'deny')
  assert.equal(decide(['analysts'], 'asset:read'), 'allow')
})

test('the demo policies: a team answers human-in-the-loop tasks of its own DAGs only; deleting DAGs is for platform admins', () => {
  assert.equal(decide(['data-eng'], 'hitl:respond', ['team:data-eng']), 'allow')
  assert.equal(decide(['data-eng'], 'hitl:respond', ['team:ml']), 'deny')
  assert.equal(decide(['analysts'], 'hitl:respond', ['team:data-eng']), 'deny')
  assert.equal(decide(['data-eng'], 'dag:delete', ['team:data-eng']), 'deny')
  assert.equal(decide(['platform-admins'], 'dag:delete', ['team:data-eng']), 'allow')
})

test('the demo policies: only the auth manager credential may ask on behalf of Airflow users; existing DAG rules are unchanged', () => {
  assert.equal(decide(['airflow-auth-managers'], 'airflow:authorize'), 'allow')
  assert.equal(decide(['platform-admins', 'data-eng', 'auditors'], 'airflow:authorize'), 'deny')
  assert.equal(decide(['platform-admins'], 'dag:read', ['team:data-eng']), 'deny')
  assert.equal(decide(['platform-admins'], 'dag:trigger', ['team:data-eng']), 'deny')
  assert.equal(decide(['airflow-auth-managers'], 'dag:read', ['team:data-eng']), 'deny')
  assert.equal(decide(['data-eng'], 'dag:trigger', ['team:data-eng']), 'allow')
})

import assert from 'node:assert/strict'
import { describe, it, test } from 'node:test'
import { testEnvironment, testUser, usePolicies } from './governance.test-support.ts'
import { authorizationRequest, type PolicyDagRow } from './targets.ts'

test('policy questions carry the environment\'s fullyGoverned flag (false unless config sets it) and an Airflow object\'s name', () => {
  const alice = testUser('alice', ['data-eng'])
  const governed = authorizationRequest(alice, 'dag:trigger', testEnvironment('prod', { fullyGoverned: true }), null)
  assert.equal(governed.resource?.environment.fullyGoverned, true)
  assert.equal(authorizationRequest(alice, 'dag:trigger', testEnvironment('dev'), null).resource?.environment.fullyGoverned, false)
  const named = authorizationRequest(alice, 'connection:read', testEnvironment('dev'), null, { airflow: { kind: 'connection', name: 'prod_db' } })
  assert.deepEqual(named.context, { airflow: { kind: 'connection', name: 'prod_db' } })
})

describe('a DAG\'s Airflow team and allowed run types are Cedar resource attributes', () => {
  const policies = usePolicies(`
@id("analytics-team")
permit (principal in Group::"analytics", action == Action::"dag:trigger", resource)
when { resource has team && resource.team == "analytics" };

@id("scheduled-only-read")
permit (principal, action == Action::"dag:read", resource)
when { resource has allowedRunTypes && !resource.allowedRunTypes.contains("manual") };
`)
  const ana = testUser('ana', ['analytics'])
  const row = (team: string | null, runTypes: string[] | null): PolicyDagRow => ({
    dag_id: 'etl', tags: '[]', owners: '[]', paused: 0, team, allowed_run_types: runTypes === null ? null : JSON.stringify(runTypes),
  })
  const decide = (action: 'dag:trigger' | 'dag:read', dag: PolicyDagRow) => policies.engine.authorize(authorizationRequest(ana, action, testEnvironment('dev'), dag)).decision

  it('a policy on resource.team allows the DAG of that team only, and a DAG with no team has no team attribute', () => {
    assert.equal(decide('dag:trigger', row('analytics', null)), 'allow')
    assert.equal(decide('dag:trigger', row('finance', null)), 'deny')
    assert.equal(decide('dag:trigger', row(null, null)), 'deny')
  })

  it('a policy on resource.allowedRunTypes sees the run types Airflow allows; null means the attribute is absent', () => {
    assert.equal(decide('dag:read', row(null, ['scheduled'])), 'allow')
    assert.equal(decide('dag:read', row(null, ['manual', 'scheduled'])), 'deny')
    assert.equal(decide('dag:read', row(null, null)), 'deny')
  })
})

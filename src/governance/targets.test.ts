import assert from 'node:assert/strict'
import { test } from 'node:test'
import { testEnvironment, testUser } from './governance.test-support.ts'
import { authorizationRequest } from './targets.ts'

test('policy questions carry the environment\'s fullyGoverned flag (false unless config sets it) and an Airflow object\'s name', () => {
  const alice = testUser('alice', ['data-eng'])
  const governed = authorizationRequest(alice, 'dag:trigger', testEnvironment('prod', { fullyGoverned: true }), null)
  assert.equal(governed.resource?.environment.fullyGoverned, true)
  assert.equal(authorizationRequest(alice, 'dag:trigger', testEnvironment('dev'), null).resource?.environment.fullyGoverned, false)
  const named = authorizationRequest(alice, 'connection:read', testEnvironment('dev'), null, { airflow: { kind: 'connection', name: 'prod_db' } })
  assert.deepEqual(named.context, { airflow: { kind: 'connection', name: 'prod_db' } })
})

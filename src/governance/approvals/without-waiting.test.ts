import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createAirflowDecisions } from '../airflow-decisions.ts'
import { upsertCatalogDag } from '../catalog.repository.ts'
import { openTestStore, testEnvironment, testUser, usePolicies } from '../governance.test-support.ts'
import { recordPrincipal } from '../principals.repository.ts'

// Airflow's own UI cannot hold a trigger until a second person approves it: what policy allows only with approval is
// denied there, so the auth manager never lets anyone around an approval.
const policies = usePolicies(`
permit (principal in Group::"airflow-auth-managers", action == Action::"airflow:authorize", resource);
permit (principal in Group::"leads", action == Action::"request:approve", resource);
permit (principal in Group::"eng", action == Action::"dag:read", resource);
@id("sensitive-trigger") @approval("leads:1")
permit (principal in Group::"eng", action == Action::"dag:trigger", resource) when { resource.tags.contains("sensitive") };
@id("own-trigger")
permit (principal in Group::"eng", action == Action::"dag:trigger", resource) when { resource.tags.contains("team:eng") };
`)
let store: Awaited<ReturnType<typeof openTestStore>>
before(async () => {
  store = await openTestStore()
  const now = new Date().toISOString()
  await recordPrincipal(store.database.db, { type: 'User', id: 'alice', issuer: 'test', subject: 'sub-alice', display_name: null, email: null, groups: '["eng"]', idp_groups: '["eng"]', first_seen_at: now, last_seen_at: now })
  for (const [dagId, tag] of [['payroll', 'sensitive'], ['etl', 'team:eng']] as const) {
    await upsertCatalogDag(store.database.db, { environment: 'dev', dag_id: dagId, description: null, tags: JSON.stringify([tag]), owners: '[]', paused: 0, schedule: null, synced_at: now, team: null, allowed_run_types: null })
  }
})
after(async () => { await store.database.close() })

test('the auth manager denies a trigger policy allows only with approval, and still allows a plain one', async () => {
  const decisions = createAirflowDecisions({ db: store.database.db, policy: policies.engine, audit: store.audit, environments: [testEnvironment('dev')], gate: null })
  const batch = await decisions.decide(testUser('airflow-am', ['airflow-auth-managers']), 'dev', { id: 'alice' }, [
    { resource: 'dag', method: 'POST', accessEntity: 'RUN', id: 'payroll' },
    { resource: 'dag', method: 'POST', accessEntity: 'RUN', id: 'etl' },
    { resource: 'dag', method: 'GET', id: 'payroll' },
  ])
  assert.deepEqual(batch.decisions.map((d) => d.allowed), [false, true, true])
})

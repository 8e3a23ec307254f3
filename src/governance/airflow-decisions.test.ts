import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { EnvironmentConfig } from '../config/index.ts'
import { ConductorError } from '../core/index.ts'
import type { Principal } from '../identity/index.ts'
import { createAirflowDecisions, mapAirflowQuestion, type AirflowQuestion } from './airflow-decisions.ts'
import { upsertCatalogDag } from './catalog.repository.ts'
import { openTestStore, usePolicies } from './governance.test-support.ts'
import { recordPrincipal } from './principals.repository.ts'

const policies = usePolicies(`
permit (principal in Group::"airflow-auth-managers", action == Action::"airflow:authorize", resource);
permit (principal in Group::"data-eng", action in [Action::"dag:read", Action::"run:read", Action::"dag:trigger"], resource) when { resource.tags.contains("team:data-eng") };
permit (principal in Group::"data-eng", action == Action::"connection:read", resource);
forbid (principal, action == Action::"connection:read", resource) when { context has airflow && context.airflow.kind == "connection" && context.airflow.name like "prod_*" };
permit (principal in Group::"conductor-service", action == Action::"dag:read", resource);
`)
const ENVIRONMENT: EnvironmentConfig = {
  name: 'dev', kind: 'airflow3', url: 'http://airflow.invalid', zone: 'eu', tier: 'dev',
  credentials: { provider: 'files', secret: 'unused' }, timeoutMs: 1_000, retries: 0, limits: { maxConcurrentWrites: 2, writesPerSecond: 5, maxConcurrentReads: 4, readsPerSecond: 20, maxWaitMs: 5_000 }, circuitBreaker: { failureThreshold: 5, openSeconds: 30 },
}
function principal(type: Principal['type'], id: string, groups: string[]): Principal {
  return { type, id, subject: `sub-${id}`, issuer: 'test', username: id, displayName: null, email: null, groups, idpGroups: groups }
}
const manager = principal('ServiceAccount', 'airflow-am', ['airflow-auth-managers'])
const alice = principal('User', 'alice', ['data-eng'])

let store: Awaited<ReturnType<typeof openTestStore>>
before(async () => {
  store = await openTestStore()
  const now = new Date().toISOString()
  await recordPrincipal(store.database.db, { type: 'User', id: 'alice', issuer: 'test', subject: 'sub-alice', display_name: null, email: null, groups: '["data-eng"]', idp_groups: '["data-eng"]', first_seen_at: now, last_seen_at: now })
  for (const [dagId, tag] of [['etl_daily', 'team:data-eng'], ['ml_train', 'team:ml']] as const) {
    await upsertCatalogDag(store.database.db, { environment: 'dev', dag_id: dagId, description: null, tags: JSON.stringify([tag]), owners: '[]', paused: 0, schedule: null, synced_at: now, team: null, allowed_run_types: null })
  }
})
after(async () => { await store.database.close() })

const decisions = (gate?: (p: Principal) => Promise<Principal>) => createAirflowDecisions({ db: store.database.db, policy: policies.engine, audit: store.audit, environments: [ENVIRONMENT], gate: gate ?? null })

test('Airflow questions map to Conductor actions: runs, logs, HITL, connections, menu items; unknown methods map to none', () => {
  const m = (q: AirflowQuestion) => mapAirflowQuestion(q).action
  assert.equal(m({ resource: 'dag', method: 'GET', id: 'x' }), 'dag:read')
  assert.equal(m({ resource: 'dag', method: 'PUT', id: 'x' }), 'dag:pause')
  assert.equal(m({ resource: 'dag', method: 'POST', accessEntity: 'RUN', id: 'x' }), 'dag:trigger')
  assert.equal(m({ resource: 'dag', method: 'PUT', accessEntity: 'TASK_INSTANCE', id: 'x' }), 'dag:rerun')
  assert.equal(m({ resource: 'dag', method: 'GET', accessEntity: 'TASK_LOGS', id: 'x' }), 'run:logs')
  assert.equal(m({ resource: 'dag', method: 'PUT', accessEntity: 'HITL_DETAIL', id: 'x' }), 'hitl:respond')
  assert.equal(m({ resource: 'dag', method: 'POST', accessEntity: 'CODE', id: 'x' }), null)
  assert.equal(m({ resource: 'connection', method: 'DELETE' }), 'connection:write')
  assert.equal(m({ resource: 'configuration', method: 'PUT' }), null)
  assert.equal(m({ resource: 'menu', method: 'MENU', id: 'VARIABLES' }), 'variable:read')
  assert.equal(mapAirflowQuestion({ resource: 'menu', method: 'MENU', id: 'DAGS' }).scope, 'any-dag')
})

test('a batch answers in order, per DAG tags, "any DAG" and team membership; one audit event counts it', async () => {
  const batch = await decisions().decide(manager, 'dev', { id: 'alice' }, [
    { resource: 'dag', method: 'GET', id: 'etl_daily' },
    { resource: 'dag', method: 'GET', id: 'ml_train' },
    { resource: 'dag', method: 'POST', accessEntity: 'RUN', id: 'etl_daily' },
    { resource: 'dag', method: 'GET', id: 'never_synced' },
    { resource: 'menu', method: 'MENU', id: 'DAGS' },
    { resource: 'connection', method: 'GET', id: 'pg' },
    { resource: 'connection', method: 'POST', id: 'pg' },
    { resource: 'team', method: 'GET', id: 'data-eng' },
    { resource: 'team', method: 'GET', id: 'ml' },
  ])
  assert.deepEqual(batch.decisions.map((d) => d.allowed), [true, false, true, false, true, true, false, true, false])
  assert.equal(batch.decisions[2]!.action, 'dag:trigger')
  assert.equal(batch.policyVersion, policies.engine.current().version)
  const events = await store.audit.query({ type: 'airflow.authorize' })
  assert.equal(events.length, 1)
  assert.equal(events[0]!.principal, 'alice')
  assert.deepEqual((events[0]!.data.counts as Record<string, unknown>)['dag:read'], { allowed: 2, denied: 2 })
})

test('an unknown user, or one the directory refuses, is denied everything; only the auth manager may ask', async () => {
  const unknown = await decisions().decide(manager, 'dev', { id: 'mallory' }, [{ resource: 'dag', method: 'GET', id: 'etl_daily' }, { resource: 'team', method: 'GET', id: 'data-eng' }])
  assert.deepEqual(unknown.decisions.map((d) => d.allowed), [false, false])
  const deactivated = await decisions(async () => { throw new ConductorError('session_revoked', 'deactivated') })
    .decide(manager, 'dev', { id: 'alice' }, [{ resource: 'dag', method: 'GET', id: 'etl_daily' }])
  assert.deepEqual(deactivated.decisions.map((d) => d.allowed), [false])
  await assert.rejects(decisions().decide(alice, 'dev', { id: 'alice' }, []), { code: 'policy_denied' })
  await assert.rejects(decisions().decide(manager, 'nowhere', { id: 'alice' }, []), { code: 'environment_not_found' })
})

test('DAGs with the same attributes share one evaluation unless a policy names DAGs by id', async () => {
  const counting = (engine: typeof policies.engine) => {
    let calls = 0
    return { calls: () => calls, policy: { current: () => engine.current(), policies: () => engine.policies(), lineage: (e: string, d: string) => engine.lineage(e, d), authorize: (r: Parameters<typeof engine.authorize>[0]) => { calls++; return engine.authorize(r) } } }
  }
  const now = new Date().toISOString()
  for (let i = 0; i < 200; i++) {
    await upsertCatalogDag(store.database.db, { environment: 'dev', dag_id: `bulk_${i}`, description: null, tags: JSON.stringify([i % 2 ? 'team:ml' : 'team:data-eng']), owners: '[]', paused: 0, schedule: null, synced_at: now, team: null, allowed_run_types: null })
  }
  const questions = Array.from({ length: 200 }, (_, i) => ({ resource: 'dag' as const, method: 'GET', id: `bulk_${i}` }))
  const shared = counting(policies.engine)
  const batch = await createAirflowDecisions({ db: store.database.db, policy: shared.policy, audit: store.audit, environments: [ENVIRONMENT] }).decide(manager, 'dev', { id: 'alice' }, questions)
  assert.deepEqual(batch.decisions.map((d) => d.allowed), questions.map((_, i) => i % 2 === 0))
  assert.equal(shared.calls(), 1 + 2)
  // A policy naming one DAG makes every DAG its own question again, and that DAG is answered by its id.
  const named = counting({ ...policies.engine, policies: () => [...policies.engine.policies(), { id: 'x', file: 'x.cedar', line: 1, effect: 'permit' as const, text: 'permit (principal, action, resource == Dag::"dev/bulk_1");' }] })
  await createAirflowDecisions({ db: store.database.db, policy: named.policy, audit: store.audit, environments: [ENVIRONMENT] }).decide(manager, 'dev', { id: 'alice' }, questions)
  assert.equal(named.calls(), 1 + 200)
})

test('a question about one connection carries its name to policy; a menu item or "any connection" does not', async () => {
  const batch = await decisions().decide(manager, 'dev', { id: 'alice' }, [
    { resource: 'connection', method: 'GET', id: 'prod_db' },
    { resource: 'connection', method: 'GET', id: 'dev_db' },
    { resource: 'connection', method: 'GET' },
    { resource: 'menu', method: 'MENU', id: 'CONNECTIONS' },
    { resource: 'variable', method: 'GET', id: 'prod_db' },
  ])
  assert.deepEqual(batch.decisions.map((d) => d.allowed), [false, true, true, true, false])
  assert.ok(batch.decisions[0]!.policyIds.length === 1, 'the forbid named by its id')
})

test('Conductor\'s own service account, where it signs its own tokens, is in group conductor-service for policy; nobody else is', async () => {
  const signed: EnvironmentConfig = { ...ENVIRONMENT, credentials: { provider: 'files', secret: 'unused', kind: 'conductor-identity', serviceAccountKind: 'conductor-signed' } }
  const ask = (environment: EnvironmentConfig, user: { id: string; type?: 'User' | 'ServiceAccount' | 'Agent' }) =>
    createAirflowDecisions({ db: store.database.db, policy: policies.engine, audit: store.audit, environments: [environment] })
      .decide(manager, 'dev', user, [{ resource: 'dag', method: 'GET', id: 'ml_train' }, { resource: 'dag', method: 'POST', accessEntity: 'RUN', id: 'ml_train' }])
  const itself = await ask(signed, { id: 'conductor', type: 'ServiceAccount' })
  assert.deepEqual([itself.userActive, ...itself.decisions.map((d) => d.allowed)], [true, true, false], 'reads, never triggers')
  assert.equal((await ask(signed, { id: 'conductor', type: 'User' })).userActive, false, 'a user named conductor is not Conductor')
  assert.equal((await ask(signed, { id: 'someone', type: 'ServiceAccount' })).userActive, false)
  assert.equal((await ask(ENVIRONMENT, { id: 'conductor', type: 'ServiceAccount' })).userActive, false, 'not where Conductor uses a password')

  // Before the first sync the catalog is empty: "any DAG" is still answered for whoever policy allows regardless of the DAG.
  const fresh = createAirflowDecisions({ db: store.database.db, policy: policies.engine, audit: store.audit, environments: [{ ...signed, name: 'fresh' }] })
  const anyDag = [{ resource: 'dag', method: 'GET' }] as const
  assert.equal((await fresh.decide(manager, 'fresh', { id: 'conductor', type: 'ServiceAccount' }, anyDag)).decisions[0]!.allowed, true)
  assert.equal((await fresh.decide(manager, 'fresh', { id: 'alice' }, anyDag)).decisions[0]!.allowed, false, 'alice reads only team:data-eng DAGs, none known yet')
})

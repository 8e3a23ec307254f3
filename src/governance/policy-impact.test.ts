import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ConductorError, isConductorError } from '../core/index.ts'
import type { GovernanceTables } from './index.ts'
import { recordPrincipal } from './principals.repository.ts'
import { replaceCatalog } from './catalog.repository.ts'
import { openTestStore, testEnvironment, testUser, usePolicies } from './governance.test-support.ts'
import { dagIdsNamed } from './access-classes.ts'
import { createPolicyImpacts, loadedSources, proposedSources } from './policy-impact.ts'
import type { Database } from '../store/index.ts'
import type { AuditLog, AuditTables } from '../audit/index.ts'

const POLICIES = `
@id("auditors")
permit (principal in Group::"auditors", action == Action::"audit:read", resource == Conductor::"conductor");

@id("data-eng-read")
permit (principal in Group::"data-eng", action == Action::"dag:read", resource) when { resource.tags.contains("team:data-eng") };

@id("data-eng-env")
permit (principal in Group::"data-eng", action == Action::"environment:read", resource);
`

const policies = usePolicies(POLICIES)
let store: { database: Database<GovernanceTables & AuditTables>; audit: AuditLog }
const clock = { now: () => Date.parse('2026-11-30T12:00:00Z') }
const local = testEnvironment('local')

const seen = (id: string, groups: string[], type = 'User') => recordPrincipal(store.database.db, {
  type, id, issuer: 'test', subject: `sub-${id}`, display_name: null, email: null, groups: JSON.stringify(groups), idp_groups: JSON.stringify(groups),
  first_seen_at: '2026-11-30T10:00:00Z', last_seen_at: '2026-11-30T10:00:00Z',
})
const dag = (dagId: string, tags: string[]) => ({
  environment: 'local', dag_id: dagId, description: null, tags: JSON.stringify(tags), owners: '[]', paused: 0, schedule: null, synced_at: '2026-11-30T10:00:00Z', team: null, allowed_run_types: null,
})

before(async () => {
  store = await openTestStore()
  await seen('erin', ['auditors'])
  await seen('bob', ['data-eng'])
  await seen('alice', ['analysts'])
  await replaceCatalog(store.database.db, 'local', [dag('etl_daily', ['team:data-eng']), dag('etl_hourly', ['team:data-eng']), dag('train', ['team:ml'])])
})
after(async () => { await store.database.close() })

const impacts = () => createPolicyImpacts({ db: store.database.db, policy: policies.engine, environments: new Map([['local', local]]), audit: store.audit, clock })

test('a permit for analysts shows each analyst gaining the action on each DAG it matches, with the policies before and after', async () => {
  const result = await impacts().compute(testUser('erin', ['auditors']), {
    files: { 'analysts.cedar': '@id("analysts-read-eng")\npermit (principal in Group::"analysts", action == Action::"dag:read", resource) when { resource.tags.contains("team:data-eng") };\n' },
  })
  assert.equal(result.counts.gains, 2)
  assert.equal(result.counts.losses, 0)
  assert.deepEqual(result.principals.map((p) => [p.id, p.actions.map((a) => a.action)]), [['alice', ['dag:read']]])
  assert.deepEqual(result.principals[0]!.actions[0]!.gains, [
    { environment: 'local', dagId: 'etl_daily', before: [], after: ['analysts-read-eng'] },
    { environment: 'local', dagId: 'etl_hourly', before: [], after: ['analysts-read-eng'] },
  ])
  assert.deepEqual(result.files, ['analysts.cedar', 'test.cedar'])
  const events = await store.audit.query({ type: 'policy.impact_computed' })
  assert.equal(events.length, 1)
  assert.equal(events[0]!.principal, 'erin')
  assert.ok(!JSON.stringify(events[0]).includes('permit ('), 'no policy text in the audit trail')
})

test('replacing the set with one that drops a policy shows the losses, environment and application actions included', async () => {
  const result = await impacts().compute(testUser('erin', ['auditors']), {
    mode: 'replace',
    files: { 'only.cedar': '@id("auditors")\npermit (principal in Group::"auditors", action == Action::"audit:read", resource == Conductor::"conductor");\n' },
  })
  const bob = result.principals.find((p) => p.id === 'bob')!
  assert.deepEqual(bob.actions.map((a) => [a.action, a.losses.map((t) => t.dagId ?? t.environment)]), [['dag:read', ['etl_daily', 'etl_hourly']], ['environment:read', ['local']]])
  assert.deepEqual(bob.actions[0]!.losses[0]!.before, ['data-eng-read'])
  assert.equal(result.principals.some((p) => p.id === 'erin'), false)
})

test('only policy:write or audit:read may ask; a bad file is policy_invalid with its location; a bad name invalid_input', async () => {
  await assert.rejects(impacts().compute(testUser('bob', ['data-eng']), { files: {} }), (e: unknown) => isConductorError(e, 'policy_denied'))
  await assert.rejects(impacts().compute(testUser('erin', ['auditors']), { files: { 'x.cedar': '\npermit (principal, action == Action::"dag:fly", resource);' } }),
    (e: unknown) => isConductorError(e, 'policy_invalid') && e.details?.file === 'x.cedar' && e.details?.line === 2)
  await assert.rejects(impacts().compute(testUser('erin', ['auditors']), { files: { '../x.cedar': '' } }), (e: unknown) => isConductorError(e, 'invalid_input'))
})

test('with a directory (SCIM), its groups count, and a deprovisioned principal is left out', async () => {
  const result = await createPolicyImpacts({
    db: store.database.db, policy: policies.engine, environments: new Map([['local', local]]), audit: store.audit, clock,
    directory: async (p) => {
      if (p.id === 'bob') throw new ConductorError('session_revoked', 'bob was deprovisioned by the identity provider')
      return p.id === 'alice' ? { ...p, groups: ['data-eng'] } : p
    },
  }).compute(testUser('erin', ['auditors']), { mode: 'replace', files: { 'only.cedar': '@id("auditors")\npermit (principal in Group::"auditors", action == Action::"audit:read", resource == Conductor::"conductor");\n' } })
  assert.deepEqual(result.principals.map((p) => [p.id, p.groups]), [['alice', ['data-eng']]])
  assert.equal(result.counts.principals, 2)
})

test('the loaded set rebuilt from its policies keeps their ids; overlay removes a file given empty text', () => {
  const loaded = loadedSources(policies.engine.policies())
  assert.deepEqual(loaded.map((s) => s.file), ['test.cedar'])
  assert.deepEqual(proposedSources(loaded, { files: { 'test.cedar': '' } }), [])
  assert.deepEqual(proposedSources(loaded, { files: { 'a.cedar': 'x' }, mode: 'replace' }), [{ file: 'a.cedar', text: 'x' }])
})

test('5,000 DAGs and 1,000 principals take seconds, not minutes: alike DAGs and principals are asked about once', async () => {
  const big = await openTestStore()
  try {
    for (let i = 0; i < 1000; i++) {
      await recordPrincipal(big.database.db, {
        type: 'User', id: `user${i}`, issuer: 'test', subject: `s${i}`, display_name: null, email: null, groups: JSON.stringify([['data-eng', 'analysts', 'ml', 'auditors'][i % 4]]), idp_groups: '[]',
        first_seen_at: '2026-11-30T10:00:00Z', last_seen_at: '2026-11-30T10:00:00Z',
      })
    }
    await replaceCatalog(big.database.db, 'local', Array.from({ length: 5000 }, (_, i) => dag(`dag${i}`, [['team:data-eng', 'team:ml', 'x'][i % 3]!])))
    const result = await createPolicyImpacts({ db: big.database.db, policy: policies.engine, environments: new Map([['local', local]]), audit: big.audit, clock }).compute(testUser('erin', ['auditors']), {
      files: { 'ml.cedar': 'permit (principal in Group::"ml", action == Action::"dag:read", resource) when { resource.tags.contains("team:ml") };' },
    })
    assert.equal(result.counts.gains, 250 * 1667)
    assert.equal(result.truncated, true)
    assert.ok(result.counts.evaluations < 10_000, `${result.counts.evaluations} evaluations`)

    // A policy that looks at who the principal is: each principal is asked about on its own.
    const personal = await createPolicyImpacts({ db: big.database.db, policy: policies.engine, environments: new Map([['local', local]]), audit: big.audit, clock }).compute(testUser('erin', ['auditors']), {
      files: { 'user7.cedar': 'permit (principal, action == Action::"dag:trigger", resource) when { principal.username == "user7" && resource.tags.contains("x") };' },
    })
    assert.deepEqual(personal.principals.map((p) => [p.id, p.actions.map((a) => [a.action, a.gains.length])]), [['user7', [['dag:trigger', 1666]]]])

    // A policy naming one DAG by id: that DAG is asked about alone, the other 4,999 still by their attributes.
    const one = await createPolicyImpacts({ db: big.database.db, policy: policies.engine, environments: new Map([['local', local]]), audit: big.audit, clock }).compute(testUser('erin', ['auditors']), {
      files: { 'one.cedar': 'permit (principal in Group::"analysts", action == Action::"dag:trigger", resource) when { resource.dagId == "dag42" };' },
    })
    assert.equal(one.counts.gains, 250)
    assert.ok(one.counts.evaluations < 10_000, `${one.counts.evaluations} evaluations`)
  } finally {
    await big.database.close()
  }
})

test('DAGs named by id in a policy are asked about alone; the rest by their attributes, unless ids are read another way', () => {
  assert.deepEqual([...dagIdsNamed(['permit (principal, action, resource) when { resource.dagId == "etl_daily" || "b" != dagId };', 'forbid (principal, action, resource == Dag::"local/x");'])].sort(), ['b', 'etl_daily', 'local/x'])
  assert.ok(dagIdsNamed(['permit (principal, action, resource) when { resource.dagId like "etl_*" };']).has('*'))
  assert.equal(dagIdsNamed(['permit (principal, action, resource);']).size, 0)
})

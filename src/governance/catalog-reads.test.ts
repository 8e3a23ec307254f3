import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { pino } from 'pino'
import { fixedClock, sequentialIds } from '../core/index.ts'
import { createInMemoryOrchestrator } from '../orchestrators/index.ts'
import { createPolicyEngine } from '../policy/index.ts'
import { createGovernance } from './index.ts'
import { openTestStore, testEnvironment, testUser } from './governance.test-support.ts'

// The listing and "who can run this" ask policy once per kind of DAG or principal: what each caller sees must be
// exactly what asking policy for every DAG and every principal, with nothing remembered, says.
const POLICIES = `
@id("data-eng-operate")
permit (principal in Group::"data-eng", action in [Action::"dag:read", Action::"dag:trigger", Action::"dag:rerun", Action::"dag:pause", Action::"run:read", Action::"run:logs"], resource)
when { resource.tags.contains("team:data-eng") };

@id("viewers-read")
permit (principal in Group::"viewers", action in [Action::"dag:read", Action::"run:read"], resource);

@id("no-pause-when-paused")
forbid (principal, action == Action::"dag:pause", resource) when { resource.paused };
`

test('a listing over DAGs alike gives each DAG the permissions policy gives it, default denials naming each DAG', async (t) => {
  const folder = await mkdtemp(join(tmpdir(), 'conductor-catalog-reads-'))
  t.after(() => rm(folder, { recursive: true, force: true }))
  await writeFile(join(folder, 'p.cedar'), POLICIES)
  const policy = await createPolicyEngine({ folder })
  const uncached = await createPolicyEngine({ folder, decisionCacheSize: 0 })
  t.after(() => { policy.close(); uncached.close() })
  const { database, audit } = await openTestStore()
  t.after(() => database.close())
  const env = testEnvironment('dev')
  const dags = [
    ...['etl_a', 'etl_b', 'etl_c'].map((dagId) => ({ dagId, tags: ['team:data-eng'], owners: ['data-eng'] })),
    ...['ml_a', 'ml_b'].map((dagId) => ({ dagId, tags: ['team:ml'], owners: ['ml'] })),
  ]
  const governance = createGovernance({
    db: database.db, policy, audit, environments: [env], orchestrators: new Map([[env.name, createInMemoryOrchestrator({ environment: 'dev', dags })]]),
    clock: fixedClock(Date.UTC(2026, 0, 1)), ids: sequentialIds('req'), logger: pino({ level: 'silent' }), maxConfBytes: 256, policyGroups: () => ['data-eng', 'viewers'],
  })
  await governance.catalog.syncAll()
  const both = testUser('walt', ['data-eng', 'viewers'])
  const victor = testUser('victor', ['viewers'])
  const alice = testUser('alice', ['data-eng'])

  for (const person of [both, victor, alice]) {
    const listed = await governance.dags(person)
    const expected = dags.filter((d) => uncached.authorize({
      principal: { type: 'User', id: person.id, groups: person.groups },
      action: 'dag:read',
      resource: { environment: { name: 'dev', zone: env.zone, tier: env.tier, team: env.team ?? null, fullyGoverned: false }, dag: { ...d, paused: false } },
    }).decision === 'allow')
    assert.deepEqual(listed.map((d) => d.dagId), expected.map((d) => d.dagId), person.id)
    for (const view of listed) {
      for (const [action, permission] of Object.entries(view.permissions!)) {
        const d = uncached.authorize({
          principal: { type: 'User', id: person.id, groups: person.groups, attributes: { username: person.username, ...(person.email ? { email: person.email } : {}) } },
          action: action as 'dag:read',
          resource: { environment: { name: 'dev', zone: env.zone, tier: env.tier, team: env.team ?? null, fullyGoverned: false }, dag: { dagId: view.dagId, tags: view.tags, owners: view.owners, paused: view.paused } },
        })
        assert.deepEqual(permission, { allowed: d.decision === 'allow', policyIds: d.policyIds, reasons: d.reasons }, `${person.id} ${action} ${view.dagId}`)
      }
    }
  }
  const ofVictor = await governance.dags(victor)
  assert.deepEqual(ofVictor.map((d) => d.permissions!['dag:trigger']!.reasons[0]), dags.map((d) => `denied: no policy permits dag:trigger on dev/${d.dagId}`))

  const access = await governance.access(both, 'dev', 'etl_b')
  assert.deepEqual(access.actions['dag:trigger']!.groups, [{ group: 'data-eng', policyIds: ['data-eng-operate'] }])
  assert.deepEqual(access.actions['dag:read']!.groups.map((g) => g.group), ['data-eng', 'viewers'])
  assert.ok(policy.cacheStats().hits > 0, 'alike DAGs were answered from the decision cache')
})

test('a listing asked again reflects a policy reload, a new group, a DAG paused since, and the hour a policy reads', async (t) => {
  const folder = await mkdtemp(join(tmpdir(), 'conductor-catalog-reads-'))
  t.after(() => rm(folder, { recursive: true, force: true }))
  await writeFile(join(folder, 'p.cedar'), POLICIES)
  const clock = fixedClock(Date.UTC(2026, 0, 1, 12))
  const policy = await createPolicyEngine({ folder, clock })
  t.after(() => policy.close())
  const { database, audit } = await openTestStore()
  t.after(() => database.close())
  const env = testEnvironment('dev')
  const dags = [{ dagId: 'etl_a', tags: ['team:data-eng'], owners: ['data-eng'] }, { dagId: 'ml_a', tags: ['team:ml'], owners: ['ml'] }]
  const orchestrator = createInMemoryOrchestrator({ environment: 'dev', dags })
  const governance = createGovernance({
    db: database.db, policy, audit, environments: [env], orchestrators: new Map([[env.name, orchestrator]]),
    clock, ids: sequentialIds('req'), logger: pino({ level: 'silent' }), maxConfBytes: 256, policyGroups: () => ['data-eng', 'viewers'],
  })
  await governance.catalog.syncAll()
  const alice = testUser('alice', ['data-eng'])
  const listed = async (person = alice) => (await governance.dags(person)).map((d) => `${d.dagId}:${Object.entries(d.permissions!).filter(([, p]) => p.allowed).map(([a]) => a.slice(4)).join(',')}`)

  assert.deepEqual(await listed(), ['etl_a:read,trigger,rerun,pause'])
  assert.deepEqual(await listed(testUser('alice', ['data-eng', 'viewers'])), ['etl_a:read,trigger,rerun,pause', 'ml_a:read'], 'a new group shows at once')

  await orchestrator.setPaused('etl_a', true)
  await governance.catalog.syncAll()
  assert.deepEqual(await listed(), ['etl_a:read,trigger,rerun'], 'the paused DAG may not be paused again')

  await writeFile(join(folder, 'p.cedar'), `${POLICIES}\n@id("no-trigger-at-night")\nforbid (principal, action == Action::"dag:trigger", resource) when { context.now.hourUtc >= 22 };\n`)
  const reloaded = await policy.reload()
  assert.ok(reloaded.ok && reloaded.changed, 'the policy reloaded')
  assert.deepEqual(await listed(), ['etl_a:read,trigger,rerun'], 'at noon the new forbid does not apply')
  clock.set(Date.UTC(2026, 0, 1, 22, 30))
  assert.deepEqual(await listed(), ['etl_a:read,rerun'], 'at 22:30 it does')
})

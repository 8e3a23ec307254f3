import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fixedClock } from '../core/index.ts'
import { decisionInputsOf } from './decision-cache.ts'
import { createPolicyEngine } from './policy-engine.ts'
import type { Action, AuthorizationRequest } from './types.ts'
import { rng } from '../../harness/random.ts'

const ENVS = ['local', 'prod', 'pci-prod']
const DAGS = ['etl_daily', 'ml_train', 'report']
const GROUPS = ['g0', 'g1', 'g2', 'g3']
const USERS = ['u0', 'u1', 'u2', 'u3']
const TAGS = ['team:g0', 'team:g1', 'pii']
const ACTIONS: Action[] = ['dag:read', 'dag:trigger', 'dag:pause', 'run:read', 'environment:read', 'audit:read']

/** A random policy; with `identity` some look at who the principal is or which DAG it is. */
function randomPolicy(r: ReturnType<typeof rng>, n: number, identity: boolean): string {
  const effect = r.next() < 0.15 ? 'forbid' : 'permit'
  const principal = r.pick([
    'principal', `principal in Group::"${r.pick(GROUPS)}"`, `principal in Group::"${r.pick(GROUPS)}"`, 'principal is User',
    `principal is ServiceAccount in Group::"${r.pick(GROUPS)}"`, ...(identity ? [`principal == User::"${r.pick(USERS)}"`] : []),
  ])
  const dagOnly = r.next() < 0.7
  const action = dagOnly ? `action in [Action::"dag:read", Action::"dag:trigger", Action::"run:read"]` : r.pick(['action', 'action == Action::"environment:read"'])
  const resource = r.pick(['resource', `resource in Environment::"${r.pick(ENVS)}"`, ...(identity && dagOnly ? [`resource == Dag::"prod/${r.pick(DAGS)}"`] : [])])
  const conditions = [
    '', 'when { context.hasConf }', `when { context.now.hourUtc < ${r.int(24)} }`,
    ...(dagOnly ? [`when { resource.tags.contains("${r.pick(TAGS)}") }`, 'unless { resource.paused }'] : []),
    ...(identity ? [`when { principal.username == "${r.pick(USERS)}" }`, ...(dagOnly ? [`when { resource.dagId == "${r.pick(DAGS)}" }`] : [])] : []),
  ]
  const condition = effect === 'forbid' ? r.pick(conditions.slice(1)) : r.pick(conditions)
  return `@id("p${n}")\n${effect} (${principal}, ${action}, ${resource})\n${condition};\n`
}

function randomRequest(r: ReturnType<typeof rng>): AuthorizationRequest {
  const env = r.pick(ENVS)
  return {
    principal: { type: r.next() < 0.8 ? 'User' : 'ServiceAccount', id: r.pick(USERS), groups: GROUPS.filter(() => r.next() < 0.4) },
    action: r.pick(ACTIONS),
    resource: {
      environment: { name: env, zone: env.startsWith('pci') ? 'pci' : 'default', tier: 'prod', team: null },
      dag: { dagId: r.pick(DAGS), tags: TAGS.filter(() => r.next() < 0.4), owners: [], paused: r.next() < 0.2 },
    },
    context: r.next() < 0.3 ? { conf: { k: 1 } } : {},
  }
}

for (const [seed, identity] of [[1, false], [2, true], [3, false], [4, true]] as const) {
  test(`remembered decisions equal fresh ones, reasons naming each DAG (seed ${seed}, policies ${identity ? 'naming principals and DAGs' : 'on groups and attributes'})`, async (t) => {
    const r = rng(seed)
    const folder = await mkdtemp(join(tmpdir(), 'conductor-decision-cache-'))
    t.after(() => rm(folder, { recursive: true, force: true }))
    await writeFile(join(folder, 'random.cedar'), Array.from({ length: 25 }, (_, n) => randomPolicy(r, n, identity)).join('\n'))
    const clock = fixedClock(Date.UTC(2026, 0, 5, 12))
    const cached = await createPolicyEngine({ folder, clock, decisionCacheSize: 64 })
    const fresh = await createPolicyEngine({ folder, clock, decisionCacheSize: 0 })
    t.after(() => { cached.close(); fresh.close() })
    assert.equal(cached.decisionInputs().principalIdentity, identity)
    assert.equal(cached.decisionInputs().time, 'hour')

    const pool = Array.from({ length: 120 }, () => randomRequest(r))
    const seen = { allow: 0, forbid: 0, defaultDeny: 0 }
    for (let i = 0; i < 1200; i++) {
      // The hour moves now and then: a decision reading context.now must not outlive its second.
      if (i % 300 === 0) clock.set(Date.UTC(2026, 0, 5, r.int(24)))
      const request = pool[r.int(pool.length)]!
      const a = cached.authorize(request)
      assert.deepEqual(a, fresh.authorize(request), `request ${i}: ${JSON.stringify(request)}`)
      if (a.decision === 'allow') seen.allow++
      else if (a.policyIds.length > 0) seen.forbid++
      else seen.defaultDeny++
    }
    assert.ok(seen.allow > 20 && seen.forbid > 5 && seen.defaultDeny > 20, JSON.stringify(seen))
    const stats = cached.cacheStats()
    assert.ok(stats.hits > 300 && stats.misses > 64, JSON.stringify(stats))
    assert.ok(stats.entries <= 64, 'the cache stays within its bound')
    assert.deepEqual(fresh.cacheStats(), { hits: 0, misses: 0, entries: 0 })
  })
}

test('one decision serves every DAG with the same attributes, each denial naming its own DAG', async (t) => {
  const folder = await mkdtemp(join(tmpdir(), 'conductor-decision-cache-'))
  t.after(() => rm(folder, { recursive: true, force: true }))
  await writeFile(join(folder, 'p.cedar'), '@id("eng-read")\npermit (principal in Group::"eng", action == Action::"dag:read", resource) when { resource.tags.contains("eng") };\n')
  const engine = await createPolicyEngine({ folder })
  t.after(() => engine.close())
  const ask = (dagId: string, tags: string[], groups = ['eng']) => engine.authorize({
    principal: { type: 'User', id: `someone-${dagId}`, groups },
    action: 'dag:read',
    resource: { environment: { name: 'prod', zone: 'default', tier: 'prod', team: null }, dag: { dagId, tags, owners: [], paused: false } },
  })
  assert.deepEqual(ask('a', ['eng']).reasons, ['allowed by policy eng-read'])
  assert.deepEqual(ask('b', ['eng']).reasons, ['allowed by policy eng-read'])
  assert.deepEqual(ask('c', ['ops']).reasons, ['denied: no policy permits dag:read on prod/c'])
  assert.deepEqual(ask('d', ['ops']).reasons, ['denied: no policy permits dag:read on prod/d'])
  assert.equal(ask('e', ['eng'], ['ops']).decision, 'deny')
  assert.deepEqual(engine.cacheStats(), { hits: 2, misses: 3, entries: 3 })

  // A new policy version starts afresh.
  await writeFile(join(folder, 'p.cedar'), '@id("all-read")\npermit (principal, action == Action::"dag:read", resource);\n')
  assert.deepEqual(await engine.reload(), { ok: true, version: 2, changed: true })
  assert.deepEqual(ask('c', ['ops']).reasons, ['allowed by policy all-read'])
  assert.equal(engine.cacheStats().entries, 1)
})

test('a malformed request is refused even when a like one was remembered', async (t) => {
  const folder = await mkdtemp(join(tmpdir(), 'conductor-decision-cache-'))
  t.after(() => rm(folder, { recursive: true, force: true }))
  await writeFile(join(folder, 'p.cedar'), '@id("all")\npermit (principal, action == Action::"dag:read", resource);\n')
  const engine = await createPolicyEngine({ folder })
  t.after(() => engine.close())
  const request = (dagId: string, id = 'alice'): AuthorizationRequest => ({
    principal: { type: 'User', id, groups: [] },
    action: 'dag:read',
    resource: { environment: { name: 'prod', zone: 'default', tier: 'prod', team: null }, dag: { dagId, tags: [], owners: [], paused: false } },
  })
  assert.equal(engine.authorize(request('a')).decision, 'allow')
  assert.throws(() => engine.authorize(request('')), { code: 'invalid_input' })
  assert.throws(() => engine.authorize(request('a', '')), { code: 'invalid_input' })
})

test('what decisions depend on is read from the policies conservatively', () => {
  const inputs = (...texts: string[]) => {
    const { principalIdentity, dagIdentity, time } = decisionInputsOf(1, texts)
    return { principalIdentity, dagIdentity, time }
  }
  const none = { principalIdentity: false, dagIdentity: false, time: null }
  assert.deepEqual(inputs('permit (principal in Group::"a", action, resource) when { resource.tags.contains("x") };'), none)
  assert.deepEqual(inputs('permit (principal is ServiceAccount in Group::"a", action, resource);', 'permit (principal, action, resource);'), none)
  assert.deepEqual(inputs('permit (principal in context.serviceAccount.ownerGroup, action, resource);'), none)
  assert.deepEqual(inputs('permit (principal, action, resource) when { principal in [Group::"a", Group::"b"] && resource.tags.contains("x") };'), none)
  assert.equal(inputs('permit (principal, action, resource) when { principal in [Group::"a", User::"alice"] };').principalIdentity, true)
  assert.equal(inputs('permit (principal == User::"alice", action, resource);').principalIdentity, true)
  assert.equal(inputs('permit (principal, action, resource) when { principal.username == "x" };').principalIdentity, true)
  assert.equal(inputs('permit (principal, action, resource) when { context.serviceAccount.ownerUser == principal };').principalIdentity, true)
  assert.equal(inputs('permit (principal, action, resource) when { resource.owners.contains(principal.email) };').principalIdentity, true)
  assert.equal(inputs('permit (principal, action, resource == Dag::"prod/etl");').dagIdentity, true)
  assert.equal(inputs('permit (principal, action, resource) when { resource.dagId like "etl_*" };').dagIdentity, true)
  assert.equal(inputs('forbid (principal, action, resource) when { context.now.hourUtc < 6 || context.now.dayOfWeekUtc == "Sun" };').time, 'hour')
  assert.equal(inputs('forbid (principal, action, resource) when { context.now.hourUtc < 6 };', 'permit (principal, action, resource) when { context.now.epochSeconds > 0 };').time, 'second')
  assert.equal(inputs('permit (principal, action, resource) when { context.now == context.now };').time, 'second')
})

test('groups no policy names do not split the cache; a decision reading epochSeconds holds for its second only', async (t) => {
  const folder = await mkdtemp(join(tmpdir(), 'conductor-decision-cache-'))
  t.after(() => rm(folder, { recursive: true, force: true }))
  await writeFile(join(folder, 'p.cedar'), [
    '@id("eng-read")\npermit (principal in Group::"eng", action == Action::"dag:read", resource);',
    '@id("the-one-second")\nforbid (principal, action == Action::"dag:read", resource) when { context.now.epochSeconds == 1767614401 };',
  ].join('\n'))
  const clock = fixedClock(Date.UTC(2026, 0, 5, 12))
  const engine = await createPolicyEngine({ folder, clock })
  t.after(() => engine.close())
  const ask = (groups: string[]) => engine.authorize({
    principal: { type: 'User', id: 'someone', groups },
    action: 'dag:read',
    resource: { environment: { name: 'prod', zone: 'default', tier: 'prod', team: null }, dag: { dagId: 'etl', tags: [], owners: [], paused: false } },
  })
  assert.equal(ask(['eng', 'x']).decision, 'allow')
  assert.equal(ask(['eng', 'y', 'z']).decision, 'allow')
  assert.equal(ask(['y']).decision, 'deny')
  assert.deepEqual(engine.cacheStats(), { hits: 1, misses: 2, entries: 2 })
  clock.set(Date.UTC(2026, 0, 5, 12) + 1000)
  assert.deepEqual(ask(['eng']).policyIds, ['the-one-second'])
  clock.set(Date.UTC(2026, 0, 5, 12) + 2000)
  assert.deepEqual(ask(['eng']).policyIds, ['eng-read'])
})

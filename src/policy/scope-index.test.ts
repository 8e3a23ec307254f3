import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fixedClock } from '../core/index.ts'
import { cedar } from './cedar.ts'
import { createPolicyEngine } from './policy-engine.ts'
import { buildScopeIndex } from './scope-index.ts'
import { ACTION_TARGETS, GROUP_RESOURCE_ACTIONS, type Action, type AuthorizationRequest } from './types.ts'
import { rng } from '../../harness/random.ts'


const ENVS = ['local', 'prod', 'pci-prod']
const DAGS = ['etl_daily', 'ml_train', 'report', 'backfill']
const GROUPS = ['g0', 'g1', 'g2', 'g3', 'g4']
const USERS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5']
const TAGS = ['team:g0', 'team:g1', 'team:g2', 'pii', 'critical']
// A fixed pool, one action per target kind and shape of scope, so the seeds below keep producing every kind of
// outcome when the schema grows (its new actions target the same kinds of resource).
const POOL: readonly Action[] = [
  'dag:read', 'dag:trigger', 'dag:rerun', 'dag:pause', 'run:read', 'run:logs', 'request:approve', 'audit:read', 'policy:write', 'environment:read',
]
const DAG_ACTIONS = POOL.filter((a) => ACTION_TARGETS[a] === 'dag')

function randomPolicy(r: ReturnType<typeof rng>, n: number): string {
  const effect = r.next() < 0.12 ? 'forbid' : 'permit'
  const principal = r.pick([
    'principal',
    `principal == User::"${r.pick(USERS)}"`,
    `principal in Group::"${r.pick(GROUPS)}"`,
    `principal in Group::"${r.pick(GROUPS)}"`,
    'principal is User',
    `principal is ServiceAccount in Group::"${r.pick(GROUPS)}"`,
  ])
  const kind = r.int(4)
  let action: string
  let dagOnly: boolean
  // request:approve may also target a Group (a grant request): its policies read DAG attributes behind `resource is Dag`.
  let guard = ''
  if (kind === 0) { action = 'action'; dagOnly = false }
  else if (kind === 1) {
    const a = r.pick(POOL); action = `action == Action::"${a}"`; dagOnly = ACTION_TARGETS[a] === 'dag'
    if (GROUP_RESOURCE_ACTIONS.has(a)) guard = 'resource is Dag && '
  } else {
    const list = [...new Set([r.pick(DAG_ACTIONS), r.pick(DAG_ACTIONS), r.pick(kind === 2 ? DAG_ACTIONS : POOL)])]
    action = `action in [${list.map((a) => `Action::"${a}"`).join(', ')}]`
    dagOnly = list.every((a) => ACTION_TARGETS[a] === 'dag')
    if (list.some((a) => GROUP_RESOURCE_ACTIONS.has(a))) guard = 'resource is Dag && '
  }
  const env = r.pick(ENVS)
  const resource = r.pick([
    'resource',
    `resource in Environment::"${env}"`,
    `resource in Environment::"${env}"`,
    dagOnly ? `resource == Dag::"${env}/${r.pick(DAGS)}"` : 'resource',
    dagOnly ? 'resource is Dag' : `resource == Environment::"${env}"`,
    dagOnly ? `resource is Dag in Environment::"${env}"` : 'resource',
  ])
  const conditions = [
    '',
    `when { context.now.hourUtc < ${r.int(24)} }`,
    'when { context.hasConf }',
    `unless { context.confKeys.contains("k${r.int(3)}") }`,
    `when { principal.username == "${r.pick(USERS)}" }`,
    // Overflows for every request: an evaluation error, which must never allow.
    'when { context.now.epochSeconds * 100000000000 > 0 }',
    ...(dagOnly ? [
      `when { ${guard}resource.tags.contains("${r.pick(TAGS)}") }`,
      `unless { ${guard}resource.paused }`,
      `when { ${guard}resource.environment.zone == "pci" && context.now.hourUtc >= ${r.int(24)} }`,
    ] : []),
  ]
  // Forbids always carry a condition that holds only sometimes, or they would deny nearly everything.
  const condition = effect === 'forbid' ? r.pick(conditions.slice(1).filter((c) => !c.includes('100000000000'))) : r.pick(conditions)
  return `@id("p${n}")\n${effect} (${principal}, ${action}, ${resource})\n${condition};\n`
}

function randomRequest(r: ReturnType<typeof rng>): AuthorizationRequest {
  const action: Action = r.pick(POOL)
  const env = r.pick(ENVS)
  const groups = GROUPS.filter(() => r.next() < 0.3)
  const conf: Record<string, unknown> = {}
  for (let k = 0; k < 3; k++) if (r.next() < 0.3) conf[`k${k}`] = k
  return {
    principal: { type: r.next() < 0.8 ? 'User' : 'ServiceAccount', id: r.pick(USERS), groups },
    action,
    resource: {
      environment: { name: env, zone: env.startsWith('pci') ? 'pci' : 'default', tier: 'prod', team: r.next() < 0.5 ? null : r.pick(GROUPS) },
      dag: { dagId: r.pick(DAGS), tags: TAGS.filter(() => r.next() < 0.35), owners: [], paused: r.next() < 0.2 },
    },
    context: { conf },
  }
}

for (const seed of [1, 2, 3]) {
  test(`the scope slice decides exactly like the whole policy set (seed ${seed})`, async (t) => {
    const r = rng(seed)
    const folder = await mkdtemp(join(tmpdir(), 'conductor-slice-'))
    t.after(() => rm(folder, { recursive: true, force: true }))
    let n = 0
    for (let f = 0; f < 3; f++) {
      const policies = Array.from({ length: 10 }, () => randomPolicy(r, n++))
      await writeFile(join(folder, `random-${f}.cedar`), policies.join('\n'))
    }
    const clock = fixedClock(Date.UTC(2026, 0, 5, 12))
    const sliced = await createPolicyEngine({ folder, clock, sliceCacheSize: 16 })
    const whole = await createPolicyEngine({ folder, clock, slicing: false })
    t.after(() => { sliced.close(); whole.close() })

    const seen = { allow: 0, forbid: 0, defaultDeny: 0, errors: 0 }
    for (let i = 0; i < 250; i++) {
      clock.set(Date.UTC(2026, 0, 5, r.int(24), r.int(60)))
      const request = randomRequest(r)
      const a = sliced.authorize(request)
      const b = whole.authorize(request)
      assert.deepEqual(a, b, `request ${i}: ${JSON.stringify(request)}`)
      if (a.decision === 'allow') seen.allow++
      else if (a.policyIds.length > 0) seen.forbid++
      else seen.defaultDeny++
      if (a.errors.length > 0) seen.errors++
    }
    // The comparison means something only if every kind of outcome occurred.
    assert.ok(seen.allow > 10 && seen.forbid > 10 && seen.defaultDeny > 10 && seen.errors > 5, JSON.stringify(seen))
    assert.ok(sliced.stats().sliceCacheMisses > 16, 'the slice cache evicted and refilled')
  })
}

test('the slice holds only the policies whose scope can match the principal, action and resource', () => {
  const texts = [
    'permit (principal in Group::"data-eng", action == Action::"dag:trigger", resource);',
    'permit (principal in Group::"ml", action == Action::"dag:trigger", resource);',
    'permit (principal, action, resource in Environment::"prod");',
    'forbid (principal == User::"mallory", action, resource);',
    'permit (principal is User, action in [Action::"dag:read", Action::"dag:trigger"], resource == Dag::"local/etl");',
    'permit (principal, action == Action::"environment:read", resource == Environment::"local");',
    'permit (principal is ServiceAccount in Group::"data-eng", action, resource is Dag in Environment::"local");',
  ]
  const index = buildScopeIndex(texts.map((t) => {
    const answer = cedar.policyToJson(t)
    assert.equal(answer.type, 'success')
    return answer.json
  }))
  const alice = { type: 'User', id: 'alice', ancestors: [{ type: 'Group', id: 'data-eng' }] }
  const etl = { type: 'Dag', id: 'local/etl', ancestors: [{ type: 'Environment', id: 'local' }] }
  const prodDag = { type: 'Dag', id: 'prod/etl', ancestors: [{ type: 'Environment', id: 'prod' }] }
  assert.deepEqual(index.slice('dag:trigger', alice, etl).collect(), [0, 4])
  assert.deepEqual(index.slice('dag:trigger', alice, prodDag).collect(), [0, 2])
  assert.deepEqual(index.slice('dag:read', { ...alice, id: 'mallory' }, prodDag).collect(), [2, 3])
  assert.deepEqual(index.slice('dag:rerun', { type: 'ServiceAccount', id: 'ci', ancestors: [{ type: 'Group', id: 'data-eng' }] }, etl).collect(), [6])
  assert.deepEqual(index.slice('environment:read', alice, { type: 'Environment', id: 'local', ancestors: [] }).collect(), [5])
  const empty = index.slice('audit:read', alice, { type: 'Conductor', id: 'conductor', ancestors: [] })
  assert.equal(empty.key, '')
  assert.deepEqual(empty.collect(), [])
  // Equal keys name equal slices, so a pre-parsed slice can be reused across principals of the same groups.
  assert.equal(index.slice('dag:trigger', alice, etl).key, index.slice('dag:trigger', { ...alice, id: 'bob' }, etl).key)
})

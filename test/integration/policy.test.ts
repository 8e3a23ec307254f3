import assert from 'node:assert/strict'
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { fixedClock, isConductorError, type Clock } from '../../src/core/index.ts'
import { createPolicyEngine, type AuthorizationRequest, type EnvironmentRef, type PolicyEngine } from '../../src/policy/index.ts'

const demoFolder = new URL('../../policies/', import.meta.url).pathname

const DATA_ENG = `// data engineering operates its own DAGs
@id("data-eng-trigger")
permit (
  principal in Group::"data-eng",
  action in [Action::"dag:trigger", Action::"dag:read"],
  resource
)
when { resource.tags.contains("team:data-eng") };
`

const local: EnvironmentRef = { name: 'local', zone: 'default', tier: 'dev', team: 'data-eng' }
const pci: EnvironmentRef = { name: 'pci-prod', zone: 'pci', tier: 'prod', team: null }
const etlDaily = { dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['alice'], paused: false }

function trigger(user: string, groups: string[], environment = local, dag = etlDaily): AuthorizationRequest {
  return { principal: { type: 'User', id: user, groups }, action: 'dag:trigger', resource: { environment, dag } }
}

async function folderWith(t: TestContext, files: Record<string, string>): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'conductor-policy-'))
  t.after(() => rm(folder, { recursive: true, force: true }))
  for (const [name, text] of Object.entries(files)) await writeFile(join(folder, name), text)
  return folder
}

async function engineFor(t: TestContext, files: Record<string, string>, clock?: Clock): Promise<{ engine: PolicyEngine; folder: string }> {
  const folder = await folderWith(t, files)
  const engine = await createPolicyEngine({ folder, clock })
  t.after(() => engine.close())
  return { engine, folder }
}

async function loadError(t: TestContext, files: Record<string, string>): Promise<Record<string, unknown>> {
  const folder = await folderWith(t, files)
  const error = await createPolicyEngine({ folder }).then(() => null, (e: unknown) => e)
  assert.ok(isConductorError(error, 'policy_invalid'), `expected policy_invalid, got ${String(error)}`)
  return error.details!
}

test('alice (data-eng) may trigger local/etl_daily and the decision names the policy', async (t) => {
  const { engine } = await engineFor(t, { 'data-eng.cedar': DATA_ENG })
  const decision = engine.authorize(trigger('alice', ['data-eng']))
  assert.equal(decision.decision, 'allow')
  assert.deepEqual(decision.policyIds, ['data-eng-trigger'])
  assert.deepEqual(decision.reasons, ['allowed by policy data-eng-trigger'])
  assert.equal(decision.policyVersion, 1)
  // The same group on a DAG of another team gets nothing.
  const other = engine.authorize(trigger('alice', ['data-eng'], local, { ...etlDaily, dagId: 'train', tags: ['team:ml'] }))
  assert.equal(other.decision, 'deny')
})

test('bob (analysts) may not trigger: default deny, and the reason says so', async (t) => {
  const { engine } = await engineFor(t, { 'data-eng.cedar': DATA_ENG })
  const decision = engine.authorize(trigger('bob', ['analysts']))
  assert.equal(decision.decision, 'deny')
  assert.deepEqual(decision.policyIds, [])
  assert.deepEqual(decision.reasons, ['denied: no policy permits dag:trigger on local/etl_daily'])
})

test('a forbid beats a permit', async (t) => {
  const { engine } = await engineFor(t, {
    'data-eng.cedar': DATA_ENG,
    'freeze.cedar': '@id("freeze-paused")\nforbid (principal, action == Action::"dag:trigger", resource)\nwhen { resource.paused };\n',
  })
  assert.equal(engine.authorize(trigger('alice', ['data-eng'])).decision, 'allow')
  const decision = engine.authorize(trigger('alice', ['data-eng'], local, { ...etlDaily, paused: true }))
  assert.equal(decision.decision, 'deny')
  assert.deepEqual(decision.policyIds, ['freeze-paused'])
  assert.deepEqual(decision.reasons, ['denied by forbid policy freeze-paused'])
})

test('a time-dependent forbid: no triggers in zone pci outside 06–22 UTC (pinned clock)', async (t) => {
  const clock = fixedClock(Date.UTC(2026, 2, 10, 12, 0))
  const { engine } = await engineFor(t, {
    'data-eng.cedar': DATA_ENG,
    'pci-hours.cedar': `// PCI environments change only in business hours
@id("pci-business-hours")
forbid (principal, action == Action::"dag:trigger", resource)
when { resource.environment.zone == "pci" && (context.now.hourUtc < 6 || context.now.hourUtc >= 22) };
`,
  }, clock)
  assert.equal(engine.authorize(trigger('alice', ['data-eng'], pci)).decision, 'allow')
  clock.set(Date.UTC(2026, 2, 10, 23, 30))
  const night = engine.authorize(trigger('alice', ['data-eng'], pci))
  assert.equal(night.decision, 'deny')
  assert.deepEqual(night.policyIds, ['pci-business-hours'])
  // Outside the pci zone the hour does not matter.
  assert.equal(engine.authorize(trigger('alice', ['data-eng'], local)).decision, 'allow')
  clock.set(Date.UTC(2026, 2, 11, 6, 0))
  assert.equal(engine.authorize(trigger('alice', ['data-eng'], pci)).decision, 'allow')
})

test('a policy that fails to evaluate never allows, and the error is reported', async (t) => {
  const { engine } = await engineFor(t, {
    'overflow.cedar': '@id("overflows")\npermit (principal, action, resource)\nwhen { context.now.epochSeconds * 100000000000 > 0 };\n',
  })
  const decision = engine.authorize(trigger('alice', ['data-eng']))
  assert.equal(decision.decision, 'deny')
  assert.deepEqual(decision.policyIds, [])
  assert.equal(decision.errors.length, 1)
  assert.match(decision.errors[0]!, /^policy overflows: .*overflow/)
})

test('conf keys and the reason reach policies as context', async (t) => {
  const { engine } = await engineFor(t, {
    'data-eng.cedar': DATA_ENG,
    'conf.cedar': '@id("no-full-refresh")\nforbid (principal, action == Action::"dag:trigger", resource)\nwhen { context.confKeys.contains("full_refresh") && !(context has reason) };\n',
  })
  const request = trigger('alice', ['data-eng'])
  assert.equal(engine.authorize({ ...request, context: { conf: { date: '2026-01-01' } } }).decision, 'allow')
  assert.equal(engine.authorize({ ...request, context: { conf: { full_refresh: true } } }).decision, 'deny')
  assert.equal(engine.authorize({ ...request, context: { conf: { full_refresh: true }, reason: 'INC-42 backfill' } }).decision, 'allow')
})

test('a syntax error fails the load with the file and line', async (t) => {
  const details = await loadError(t, {
    'data-eng.cedar': DATA_ENG,
    'broken.cedar': '// one good policy, then a broken one\n@id("fine")\npermit (principal, action == Action::"dag:read", resource);\n\npermit (principal, action, resource)\nwhen { resource.tags.contains( };\n',
  })
  assert.equal(details.file, 'broken.cedar')
  assert.equal(details.line, 6)
  assert.equal(typeof details.column, 'number')
  assert.match(String(details.message), /unexpected token/)
})

test('a policy using an attribute the schema lacks fails the load with file and line', async (t) => {
  const details = await loadError(t, {
    'data-eng.cedar': DATA_ENG,
    'typo.cedar': '// “owner” is not an attribute: the schema has owners\n@id("owner-may-pause")\npermit (principal, action == Action::"dag:pause", resource)\nwhen {\n  resource.owner.contains(principal.username)\n};\n',
  })
  assert.equal(details.file, 'typo.cedar')
  assert.equal(details.line, 5)
  assert.equal(details.column, 3)
  assert.match(String(details.message), /attribute `owner`/)
})

test('two policies with the same @id fail the load', async (t) => {
  const details = await loadError(t, { 'a.cedar': DATA_ENG, 'b.cedar': DATA_ENG })
  assert.equal(details.file, 'b.cedar')
  assert.match(String(details.message), /duplicate policy id "data-eng-trigger"/)
})

test('policies without @id are named <file>:<n>', async (t) => {
  const { engine } = await engineFor(t, {
    'reads.cedar': '// anyone in readers\npermit (principal in Group::"readers", action == Action::"dag:read", resource);\n\npermit (principal in Group::"readers", action == Action::"run:read", resource);\n',
  })
  assert.deepEqual(engine.policies().map((p) => [p.id, p.line, p.effect]), [['reads.cedar:1', 2, 'permit'], ['reads.cedar:2', 4, 'permit']])
  const decision = engine.authorize({ ...trigger('carol', ['readers']), action: 'dag:read' })
  assert.deepEqual(decision.reasons, ['allowed by policy reads.cedar:1'])
})

test('reload keeps the old set on error and swaps on success', async (t) => {
  const { engine, folder } = await engineFor(t, { 'data-eng.cedar': DATA_ENG })
  const before = engine.current()
  assert.equal(before.version, 1)
  assert.equal(before.policyCount, 1)
  assert.deepEqual(before.files, ['data-eng.cedar'])
  assert.match(before.hash, /^[0-9a-f]{64}$/)
  assert.deepEqual(await engine.reload(), { ok: true, version: 1, changed: false })

  await writeFile(join(folder, 'analysts.cedar'), '@id("analysts-trigger")\npermit (principal in Group::"analysts", action == Action::"dag:trigger", resource)\nwhen { resource.nope };\n')
  const failed = await engine.reload()
  assert.equal(failed.ok, false)
  assert.ok(!failed.ok && failed.error.file === 'analysts.cedar' && failed.error.line === 3, JSON.stringify(failed))
  assert.deepEqual(engine.current(), before)
  assert.equal(engine.authorize(trigger('bob', ['analysts'])).decision, 'deny')
  assert.equal(engine.authorize(trigger('alice', ['data-eng'])).decision, 'allow')

  await writeFile(join(folder, 'analysts.cedar'), '@id("analysts-trigger")\npermit (principal in Group::"analysts", action == Action::"dag:trigger", resource);\n')
  assert.deepEqual(await engine.reload(), { ok: true, version: 2, changed: true })
  const after = engine.current()
  assert.equal(after.version, 2)
  assert.notEqual(after.hash, before.hash)
  assert.equal(after.policyCount, 2)
  const bob = engine.authorize(trigger('bob', ['analysts']))
  assert.deepEqual([bob.decision, bob.policyIds, bob.policyVersion], ['allow', ['analysts-trigger'], 2])

  await unlink(join(folder, 'analysts.cedar'))
  assert.deepEqual(await engine.reload(), { ok: true, version: 3, changed: true })
  assert.equal(engine.authorize(trigger('bob', ['analysts'])).decision, 'deny')
})

test('the demo policies in policies/ load cleanly and say what the README promises', async (t) => {
  const engine = await createPolicyEngine({ folder: demoFolder })
  t.after(() => engine.close())
  const ids = engine.policies().map((p) => p.id)
  assert.ok(ids.length >= 6)
  assert.equal(new Set(ids).size, ids.length)
  assert.ok(engine.policies().every((p) => !p.id.includes('.cedar:')), 'every demo policy has an @id')

  const mlDag = { dagId: 'train_model', tags: ['team:ml'], owners: [], paused: false }
  const can = (groups: string[], action: AuthorizationRequest['action'], dag = etlDaily) =>
    engine.authorize({ principal: { type: 'User', id: 'u', groups }, action, resource: { environment: local, dag } }).decision
  for (const action of ['dag:read', 'dag:trigger', 'dag:rerun', 'dag:pause', 'run:read', 'run:logs'] as const) {
    assert.equal(can(['data-eng'], action), 'allow', `data-eng ${action}`)
    assert.equal(can(['ml'], action, mlDag), 'allow', `ml ${action}`)
    assert.equal(can(['data-eng'], action, mlDag), 'deny', `data-eng ${action} on an ml DAG`)
  }
  for (const action of ['dag:read', 'run:read', 'run:logs', 'environment:read'] as const) assert.equal(can(['analysts'], action), 'allow')
  for (const action of ['dag:trigger', 'dag:rerun', 'dag:pause'] as const) assert.equal(can(['analysts'], action), 'deny')
  for (const group of ['data-eng', 'analysts', 'ml']) assert.equal(can([group], 'environment:read'), 'allow')
  assert.equal(can(['contractors'], 'environment:read'), 'deny')
  const audit = (groups: string[]) => engine.authorize({ principal: { type: 'User', id: 'u', groups }, action: 'audit:read' }).decision
  assert.equal(audit(['auditors']), 'allow')
  assert.equal(audit(['platform-admins']), 'allow')
  assert.equal(audit(['data-eng']), 'deny')
})

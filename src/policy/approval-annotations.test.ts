import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { isConductorError } from '../core/index.ts'
import { createPolicyEngine } from './policy-engine.ts'
import type { AuthorizationRequest } from './types.ts'

async function withPolicies<T>(text: string, fn: (folder: string) => Promise<T>): Promise<T> {
  const folder = await mkdtemp(join(tmpdir(), 'conductor-approval-'))
  try {
    await writeFile(join(folder, 'p.cedar'), text)
    return await fn(folder)
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}

const LEADS = 'permit (principal in Group::"leads", action == Action::"request:approve", resource);\npermit (principal in Group::"ops", action == Action::"request:approve", resource);\n'
const env = { name: 'prod', zone: 'eu', tier: 'prod', team: null }
const trigger = (groups: string[], tags: string[]): AuthorizationRequest => ({
  principal: { type: 'User', id: 'alice', groups }, action: 'dag:trigger', resource: { environment: env, dag: { dagId: 'etl', tags, owners: [], paused: false } },
})

test('a permit with @approval allows with approval; the groups (any of), counts and the reason requirement come back', async () => {
  await withPolicies(`${LEADS}@id("sensitive") @approval("leads:2, ops:1") @reason("required")
permit (principal in Group::"eng", action == Action::"dag:trigger", resource) when { resource.tags.contains("sensitive") };`, async (folder) => {
    const engine = await createPolicyEngine({ folder })
    const d = engine.authorize(trigger(['eng'], ['sensitive']))
    assert.equal(d.decision, 'allow')
    assert.deepEqual(d.approval, { groups: [{ group: 'leads', count: 2 }, { group: 'ops', count: 1 }], reasonRequired: true, policyIds: ['sensitive'], escalations: [] })
    assert.equal(engine.authorize(trigger(['other'], ['sensitive'])).approval, null, 'a deny never carries an approval')
    engine.close()
  })
})

test('when another permit without @approval also allows, the decision is a plain allow', async () => {
  await withPolicies(`${LEADS}@id("sensitive") @approval("leads:1")
permit (principal in Group::"eng", action == Action::"dag:trigger", resource) when { resource.tags.contains("sensitive") };
@id("own") permit (principal in Group::"eng", action == Action::"dag:trigger", resource) when { resource.tags.contains("team:eng") };`, async (folder) => {
    const engine = await createPolicyEngine({ folder })
    assert.notEqual(engine.authorize(trigger(['eng'], ['sensitive'])).approval, null)
    const both = engine.authorize(trigger(['eng'], ['sensitive', 'team:eng']))
    assert.deepEqual([both.decision, both.policyIds, both.approval], ['allow', ['own', 'sensitive'], null])
    engine.close()
  })
})

test('@escalate adds groups that may approve after a wait; several permits merge them (largest count, longest wait)', async () => {
  await withPolicies(`${LEADS}permit (principal in Group::"admins", action == Action::"request:approve", resource);
@id("sensitive") @approval("leads:1") @escalate("ops:1 after 4h, admins:2 after 30m")
permit (principal in Group::"eng", action == Action::"dag:trigger", resource) when { resource.tags.contains("sensitive") };
@id("pci") @approval("leads:1") @escalate("ops:2 after 1d")
permit (principal in Group::"eng", action == Action::"dag:trigger", resource) when { resource.tags.contains("pci") };
@id("payroll") @approval("ops:1") @escalate("admins:1 after 2h")
permit (principal in Group::"eng", action == Action::"dag:trigger", resource) when { resource.tags.contains("payroll") };`, async (folder) => {
    const engine = await createPolicyEngine({ folder })
    assert.deepEqual(engine.authorize(trigger(['eng'], ['sensitive'])).approval?.escalations, [
      { group: 'admins', count: 2, afterMinutes: 30 }, { group: 'ops', count: 1, afterMinutes: 240 },
    ])
    assert.deepEqual(engine.authorize(trigger(['eng'], ['sensitive', 'pci'])).approval?.escalations, [
      { group: 'admins', count: 2, afterMinutes: 30 }, { group: 'ops', count: 2, afterMinutes: 1440 },
    ])
    const withPayroll = engine.authorize(trigger(['eng'], ['sensitive', 'payroll'])).approval
    assert.deepEqual(withPayroll?.groups, [{ group: 'leads', count: 1 }, { group: 'ops', count: 1 }])
    assert.deepEqual(withPayroll?.escalations, [{ group: 'admins', count: 2, afterMinutes: 120 }], 'a group that approves from the start is no escalation')
    engine.close()
  })
})

test('request:approve sees the pending request in context.request', async () => {
  await withPolicies(`@id("cross-team") permit (principal in Group::"leads", action == Action::"request:approve", resource)
when { context has request && !context.request.principalGroups.contains("leads") && context.request.zone == "eu" };`, async (folder) => {
    const engine = await createPolicyEngine({ folder })
    const ask = (principalGroups: string[]) => engine.authorize({
      principal: { type: 'User', id: 'dave', groups: ['leads'] }, action: 'request:approve',
      resource: { environment: env, dag: { dagId: 'etl', tags: [], owners: [], paused: false } },
      context: { request: { principal: 'alice', principalGroups, action: 'dag:trigger', environment: 'prod', zone: 'eu', dagId: 'etl', reason: 'x', confHash: 'ab' } },
    }).decision
    assert.equal(ask(['eng']), 'allow')
    assert.equal(ask(['eng', 'leads']), 'deny', 'a policy can demand approvers from another team')
    engine.close()
  })
})

const loadError = async (text: string) => withPolicies(text, async (folder) => {
  try {
    (await createPolicyEngine({ folder })).close()
  } catch (error) {
    assert.ok(isConductorError(error, 'policy_invalid'), String(error))
    return error.details as { file: string; line: number; message: string }
  }
  assert.fail('the policies loaded')
})

test('malformed, unknown-group, forbid and reason-without-approval annotations are load errors with file and line', async () => {
  const rule = 'permit (principal in Group::"eng", action == Action::"dag:trigger", resource);'
  const cases: [string, RegExp][] = [
    [`@approval("leads") ${rule}`, /must read "group:count"/],
    [`@approval("leads:0") ${rule}`, /must read "group:count"/],
    [`@approval("leads:1,") ${rule}`, /must read "group:count"/],
    [`@approval("nobody:1") ${rule}`, /group "nobody" that no policy names/],
    [`@approval("leads:1,leads:2") ${rule}`, /twice/],
    ['@approval("leads:1") forbid (principal in Group::"eng", action == Action::"dag:trigger", resource);', /only apply to permit/],
    [`@reason("required") ${rule}`, /needs an @approval/],
    [`@approval("leads:1") @reason("please") ${rule}`, /must be "required"/],
    [`@escalate("ops:1 after 4h") ${rule}`, /@escalate needs an @approval/],
    [`@approval("leads:1") @escalate("ops:1") ${rule}`, /must read "group:count after N"/],
    [`@approval("leads:1") @escalate("ops:1 after 4") ${rule}`, /must read "group:count after N"/],
    [`@approval("leads:1") @escalate("ops:1 after 4w") ${rule}`, /must read "group:count after N"/],
    [`@approval("leads:1") @escalate("ops:0 after 4h") ${rule}`, /must read "group:count after N"/],
    [`@approval("leads:1") @escalate("nobody:1 after 4h") ${rule}`, /@escalate names group "nobody" that no policy names/],
    [`@approval("leads:1") @escalate("leads:1 after 4h") ${rule}`, /already approves/],
    ['@approval("leads:1") @escalate("ops:1 after 4h") forbid (principal in Group::"eng", action == Action::"dag:trigger", resource);', /only apply to permit/],
  ]
  for (const [text, message] of cases) {
    const details = await loadError(`${LEADS}\n${text}`)
    assert.equal(details.file, 'p.cedar')
    assert.equal(details.line, 4, text)
    assert.match(details.message, message)
  }
})

test('request:auto_approve counts only permits that name it: a permit for every action auto-approves nothing', async () => {
  const ask = async (text: string) => withPolicies(text, async (folder) => {
    const engine = await createPolicyEngine({ folder })
    try {
      return engine.authorize({ ...trigger(['eng'], ['sensitive']), action: 'request:auto_approve' }).decision
    } finally {
      engine.close()
    }
  })
  assert.equal(await ask('permit (principal in Group::"eng", action, resource);'), 'deny')
  assert.equal(await ask('permit (principal in Group::"eng", action == Action::"request:auto_approve", resource);'), 'allow')
  assert.equal(await ask('permit (principal in Group::"eng", action in [Action::"dag:read", Action::"request:auto_approve"], resource);'), 'allow')
})

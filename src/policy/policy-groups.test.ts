import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { cedar, type PolicyJson } from './cedar.ts'
import { createPolicyEngine } from './policy-engine.ts'
import { groupsNamed } from './policy-groups.ts'

function json(text: string): PolicyJson {
  const answer = cedar.policyToJson(text)
  if (answer.type === 'failure') throw new Error(answer.errors.map((e) => e.message).join('; '))
  return answer.json
}

test('groups named in a scope: principal in Group, principal is User in Group', () => {
  assert.deepEqual(groupsNamed([
    json('permit (principal in Group::"data-eng", action, resource);'),
    json('permit (principal is User in Group::"analysts", action, resource);'),
  ]), ['analysts', 'data-eng'])
})

test('groups named in conditions, alone and in sets, each once and sorted', () => {
  assert.deepEqual(groupsNamed([
    json('permit (principal, action, resource) when { principal in Group::"ops" };'),
    json('forbid (principal, action, resource) unless { principal in [Group::"sre", Group::"ops"] || resource.tags.contains("Group::\\"not-a-group\\"") };'),
  ]), ['ops', 'sre'])
})

test('a group name with a quote or a backslash comes back unescaped', () => {
  assert.deepEqual(groupsNamed([json('permit (principal in Group::"say \\"hi\\"", action, resource) when { principal in Group::"back\\\\slash" };')]), ['back\\slash', 'say "hi"'])
})

test('policies naming no group name none', () => {
  assert.deepEqual(groupsNamed([json('permit (principal == User::"alice", action, resource);')]), [])
})

test('the engine reports the groups of the policy set in force, also after a reload', async (t) => {
  const folder = await mkdtemp(join(tmpdir(), 'conductor-policy-groups-'))
  t.after(() => rm(folder, { recursive: true, force: true }))
  await writeFile(join(folder, 'a.cedar'), 'permit (principal in Group::"data-eng", action == Action::"dag:read", resource);\n')
  const engine = await createPolicyEngine({ folder })
  t.after(() => engine.close())
  assert.deepEqual(engine.groupsNamed(), ['data-eng'])
  await writeFile(join(folder, 'a.cedar'), 'permit (principal, action == Action::"dag:read", resource) when { principal in [Group::"ml", Group::"ops"] };\n')
  assert.equal((await engine.reload()).ok, true)
  assert.deepEqual(engine.groupsNamed(), ['ml', 'ops'])
})

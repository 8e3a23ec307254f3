import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { test } from 'node:test'
import { isConductorError } from '../core/index.ts'
import { parsePolicyCases, readPolicyCases, runPolicyCases } from './policy-cases.ts'
import { createPolicyEngine } from './policy-engine.ts'

const demoFolder = new URL('../../policies/', import.meta.url).pathname

test('the demo policy tests (policies/tests) all pass against the demo policies, loaded as the server loads them', async () => {
  const engine = await createPolicyEngine({ folder: demoFolder })
  try {
    const files = await readPolicyCases([], demoFolder)
    const results = runPolicyCases(engine, files)
    const failed = results.filter((r) => !r.passed).map((r) => `${r.file}: ${r.name}: ${r.failures.join('; ')}`)
    assert.deepEqual(failed, [])
    assert.ok(results.length >= 20)
    // Every demo policy file decides at least one case.
    const decidedBy = new Set(results.flatMap((r) => r.decision.policyIds))
    const filesOf = new Map(engine.policies().map((p) => [p.id, p.file]))
    const covered = new Set([...decidedBy].map((id) => filesOf.get(id)))
    const cedarFiles = (await readdir(demoFolder)).filter((f) => f.endsWith('.cedar'))
    assert.deepEqual(cedarFiles.filter((f) => !covered.has(f)), [])
  } finally {
    engine.close()
  }
})

test('a case that does not hold fails with what differed; the others pass', async () => {
  const engine = await createPolicyEngine({ folder: demoFolder })
  try {
    const file = parsePolicyCases('cases.yaml', `
- name: analysts trigger
  principal: { id: alice, groups: [analysts] }
  action: dag:trigger
  environment: { name: local }
  dag: { id: etl_daily, tags: [team:data-eng] }
  expect: allow
- name: bob reads
  principal: { id: bob, groups: [data-eng] }
  action: dag:read
  environment: { name: local }
  dag: { id: etl_daily, tags: [team:data-eng] }
  expect: allow
  policyIds: [analysts-read-all]
- name: bob operates
  principal: { id: bob, groups: [data-eng] }
  action: dag:pause
  environment: { name: local }
  dag: { id: etl_daily, tags: [team:data-eng] }
  expect: allow
`)
    const [a, b, c] = runPolicyCases(engine, [file])
    assert.equal(a!.passed, false)
    assert.deepEqual(a!.failures, ['expected allow, got deny'])
    assert.equal(b!.passed, false)
    assert.match(b!.failures[0]!, /expected policies \[analysts-read-all\], got \[data-eng-read\]/)
    assert.equal(c!.passed, true)
  } finally {
    engine.close()
  }
})

test('a schema error names the file, the case and the field', () => {
  const bad = (text: string, field: RegExp) => assert.throws(() => parsePolicyCases('t.yaml', text), (e: unknown) =>
    isConductorError(e, 'invalid_input') && e.details?.file === 't.yaml' && field.test(e.message))
  bad('- name: one\n  principal: { id: bob }\n  action: dag:trigger\n  expect: maybe\n', /t\.yaml: case "one" \(1\): expect:/)
  bad('- name: one\n  principal: { id: bob }\n  action: dag:fly\n  expect: allow\n', /case "one" \(1\): action:/)
  bad('- name: one\n  principal: { id: bob }\n  action: dag:read\n  expect: allow\n  colour: red\n', /case "one" \(1\): colour:/)
  bad('- principal: { id: bob }\n  action: dag:read\n  expect: allow\n', /t\.yaml: case 1: name:/)
  bad('cases: 3\n', /expected a list of cases/)
  bad('- [unclosed\n', /not valid YAML/)
})

test('the policy loader ignores the tests folder and YAML files beside the policies', async () => {
  const engine = await createPolicyEngine({ folder: demoFolder })
  try {
    assert.ok(engine.current().files.every((f) => f.endsWith('.cedar')))
  } finally {
    engine.close()
  }
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isConductorError } from '../core/index.ts'
import { compilePolicies, hashSources, readConductorSchema, splitPolicies } from './policy-source.ts'

test('policies split at top-level semicolons only, not inside strings or comments', () => {
  const text = '// a; comment\n@id("a;b")\npermit (principal, action, resource) when { resource.dagId like "x;\\"*" };\n\n// trailing; comment\n'
  const chunks = splitPolicies(text)
  assert.equal(chunks.length, 1)
  assert.ok(chunks[0]!.text.endsWith('"x;\\"*" };'))
})

test('compiled policies keep their file, 1-based line, effect and text', async () => {
  const schema = await readConductorSchema()
  const { policies } = compilePolicies([{
    file: 'ops.cedar',
    text: '// “ops” — non-ASCII comment\n\n@id("ops-pause")\npermit (principal in Group::"ops", action == Action::"dag:pause", resource);\nforbid (principal, action, resource) when { context.hasConf };\n',
  }], schema)
  assert.deepEqual(policies.map(({ id, line, effect }) => ({ id, line, effect })), [
    { id: 'ops-pause', line: 3, effect: 'permit' },
    { id: 'ops.cedar:2', line: 5, effect: 'forbid' },
  ])
  assert.ok(policies[0]!.text.startsWith('@id("ops-pause")'))
})

test('a template is refused with its location', async () => {
  const schema = await readConductorSchema()
  assert.throws(() => compilePolicies([{ file: 't.cedar', text: '\npermit (principal == ?principal, action, resource);\n' }], schema), (e: unknown) =>
    isConductorError(e, 'policy_invalid') && e.details?.line === 2 && /template/.test(String(e.details?.message)))
})

test('the hash changes with a file\'s content or name, not with the order files are listed in', () => {
  const a = { file: 'a.cedar', text: 'x' }
  const b = { file: 'b.cedar', text: 'y' }
  assert.equal(hashSources([a, b]), hashSources([b, a]))
  assert.notEqual(hashSources([a, b]), hashSources([a, { ...b, text: 'z' }]))
  assert.notEqual(hashSources([a, b]), hashSources([a, { ...b, file: 'c.cedar' }]))
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isConductorError } from '../core/index.ts'
import { dagLineage, NO_LINEAGE, type DagLineage, type LineageSource } from './lineage-context.ts'
import { createPolicyEngine } from './policy-engine.ts'
import type { Action, AuthorizationRequest } from './types.ts'

const POLICIES = `
@id("eng-run")
permit (principal in Group::"eng", action in [Action::"dag:trigger", Action::"dag:rerun", Action::"dag:read"], resource);

@id("pii-needs-leads")
forbid (principal, action in [Action::"dag:trigger", Action::"dag:rerun"], resource)
when { context.lineage.writeTags.contains("pii") }
unless { principal in Group::"leads" };
`

const ask = (groups: string[], action: Action, dagId = 'crm', context?: AuthorizationRequest['context']): AuthorizationRequest => ({
  principal: { type: 'User', id: 'alice', groups },
  action,
  resource: { environment: { name: 'prod', zone: 'eu', tier: 'prod', team: null }, dag: { dagId, tags: [], owners: [], paused: false } },
  ...(context ? { context } : {}),
})

/** A source the test changes as it goes. */
function mutableSource(): LineageSource & { set(dagId: string, lineage: DagLineage): void } {
  const known = new Map<string, DagLineage>()
  return { of: (env, dagId) => known.get(`${env}/${dagId}`) ?? NO_LINEAGE, set: (dagId, lineage) => known.set(`prod/${dagId}`, lineage) }
}

test('a forbid on context.lineage applies as soon as the source knows the DAG writes pii, through the decision cache', async () => {
  const source = mutableSource()
  const engine = await createPolicyEngine({ folder: '(test)', sources: [{ file: 'p.cedar', text: POLICIES }], lineage: source })
  try {
    assert.equal(engine.authorize(ask(['eng'], 'dag:trigger')).decision, 'allow', 'nothing known: empty sets, the forbid does not apply and does not error')
    assert.deepEqual(engine.authorize(ask(['eng'], 'dag:trigger')).errors, [])
    source.set('crm', dagLineage(['postgres://warehouse:5432/crm.customers'], ['pii']))
    const denied = engine.authorize(ask(['eng'], 'dag:trigger'))
    assert.equal(denied.decision, 'deny', 'the cached allow does not outlive the new write')
    assert.deepEqual(denied.policyIds, ['pii-needs-leads'])
    assert.equal(engine.authorize(ask(['eng'], 'dag:rerun')).decision, 'deny')
    assert.equal(engine.authorize(ask(['eng', 'leads'], 'dag:trigger')).decision, 'allow')
    assert.equal(engine.authorize(ask(['eng'], 'dag:read')).decision, 'allow', 'reading is not running')
    assert.equal(engine.authorize(ask(['eng'], 'dag:trigger', 'other')).decision, 'allow', 'another DAG alike in attributes is unaffected')
    assert.deepEqual(engine.lineage('prod', 'crm').writeTags, ['pii'])
  } finally {
    engine.close()
  }
})

test('with a source, a caller cannot hide what a DAG writes by giving context.lineage itself', async () => {
  const source = mutableSource()
  source.set('crm', dagLineage(['s3://lake/pii/people'], ['pii']))
  const engine = await createPolicyEngine({ folder: '(test)', sources: [{ file: 'p.cedar', text: POLICIES }], lineage: source })
  try {
    const d = engine.authorize(ask(['eng'], 'dag:trigger', 'crm', { lineage: { writes: [], writeTags: [] } }))
    assert.equal(d.decision, 'deny')
  } finally {
    engine.close()
  }
})

test('without a source (policy test cases) the request\'s context.lineage counts; a malformed one is refused', async () => {
  const engine = await createPolicyEngine({ folder: '(test)', sources: [{ file: 'p.cedar', text: POLICIES }] })
  try {
    assert.equal(engine.authorize(ask(['eng'], 'dag:trigger', 'crm', { lineage: { writes: ['x/y'], writeTags: ['pii'] } })).decision, 'deny')
    assert.equal(engine.authorize(ask(['eng'], 'dag:trigger', 'crm', { lineage: { writes: ['x/y'], writeTags: [] } })).decision, 'allow')
    assert.equal(engine.authorize(ask(['eng'], 'dag:trigger')).decision, 'allow')
    assert.throws(() => engine.authorize(ask(['eng'], 'dag:trigger', 'crm', { lineage: { writes: 'x' } as never })),
      (e: unknown) => isConductorError(e, 'invalid_input') && e.details?.field === 'context.lineage')
  } finally {
    engine.close()
  }
})

test('the schema refuses a policy reading context.lineage for an action that has none', async () => {
  const bad = '@id("x")\nforbid (principal, action == Action::"dag:pause", resource) when { context.lineage.writeTags.contains("pii") };\n'
  await assert.rejects(createPolicyEngine({ folder: '(test)', sources: [{ file: 'bad.cedar', text: bad }] }), (e: unknown) => isConductorError(e, 'policy_invalid'))
})

test('dagLineage sorts, dedupes and keys: equal content, equal key; nothing known, empty key', () => {
  const a = dagLineage(['b', 'a', 'a'], ['pii', 'gdpr'])
  assert.deepEqual(a.writes, ['a', 'b'])
  assert.deepEqual(a.writeTags, ['gdpr', 'pii'])
  assert.equal(a.key, dagLineage(['a', 'b'], ['pii', 'gdpr']).key)
  assert.notEqual(a.key, dagLineage(['a', 'b'], ['gdpr']).key)
  assert.equal(dagLineage([], []).key, '')
})

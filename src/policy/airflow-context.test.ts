import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { isConductorError } from '../core/index.ts'
import { createPolicyEngine } from './policy-engine.ts'
import type { AuthorizationRequest, EnvironmentRef, PolicyEngine } from './types.ts'

// What policy can see of an Airflow connection, variable or pool, and of the environment's governance.
const POLICIES = `
@id("ml-own-variables")
permit (principal in Group::"ml", action in [Action::"variable:read", Action::"variable:write"], resource)
when { context has airflow && context.airflow.kind == "variable" && context.airflow.name like "ml_*" };

@id("no-prod-connections-outside-pci")
forbid (principal, action == Action::"connection:read", resource)
when { context has airflow && context.airflow.name like "prod_*" && resource.zone != "pci" };

@id("everyone-reads-connections")
permit (principal, action == Action::"connection:read", resource);

@id("triggers-only-where-fully-governed")
permit (principal in Group::"data-eng", action == Action::"dag:trigger", resource)
when { resource.environment.fullyGoverned };
`

let folder: string
let engine: PolicyEngine
before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'conductor-airflow-context-'))
  await writeFile(join(folder, 'airflow.cedar'), POLICIES)
  engine = await createPolicyEngine({ folder })
})
after(async () => {
  engine.close()
  await rm(folder, { recursive: true, force: true })
})

const dev: EnvironmentRef = { name: 'local', zone: 'dev', tier: 'dev', team: null }

function decide(groups: string[], action: AuthorizationRequest['action'], context: AuthorizationRequest['context'], environment: EnvironmentRef = dev): string {
  return engine.authorize({ principal: { type: 'User', id: 'someone', groups }, action, resource: { environment }, ...(context ? { context } : {}) }).decision
}

test('a policy can name the variables a team may read and write by their key', () => {
  assert.equal(decide(['ml'], 'variable:read', { airflow: { kind: 'variable', name: 'ml_threshold' } }), 'allow')
  assert.equal(decide(['ml'], 'variable:write', { airflow: { kind: 'variable', name: 'ml_threshold' } }), 'allow')
  assert.equal(decide(['ml'], 'variable:read', { airflow: { kind: 'variable', name: 'finance_rate' } }), 'deny')
  assert.equal(decide(['ml'], 'variable:read', undefined), 'deny', 'a question about no variable in particular is not about an ml_ one')
})

test('a forbid can keep production connections out of environments outside a zone', () => {
  assert.equal(decide([], 'connection:read', { airflow: { kind: 'connection', name: 'prod_db' } }), 'deny')
  assert.equal(decide([], 'connection:read', { airflow: { kind: 'connection', name: 'prod_db' } }, { ...dev, zone: 'pci' }), 'allow')
  assert.equal(decide([], 'connection:read', { airflow: { kind: 'connection', name: 'dev_db' } }), 'allow')
})

test('the environment\'s fullyGoverned is visible to policy, false unless set', () => {
  const trigger = (fullyGoverned?: boolean) => engine.authorize({
    principal: { type: 'User', id: 'alice', groups: ['data-eng'] }, action: 'dag:trigger',
    resource: { environment: { ...dev, ...(fullyGoverned === undefined ? {} : { fullyGoverned }) }, dag: { dagId: 'etl', tags: [], owners: [], paused: false } },
  }).decision
  assert.equal(trigger(true), 'allow')
  assert.equal(trigger(false), 'deny')
  assert.equal(trigger(), 'deny')
})

test('a malformed airflow context is refused, naming the field', () => {
  assert.throws(() => decide([], 'connection:read', { airflow: { kind: 'connection' } as never }), (e) => isConductorError(e, 'invalid_input') && e.details?.field === 'context.airflow')
})

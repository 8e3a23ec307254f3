import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { createPolicyEngine } from './policy-engine.ts'
import { principalRef } from './principal-ref.ts'
import type { AuthorizationRequest, PolicyEngine } from './types.ts'

const demo = new URL('../../policies', import.meta.url).pathname
const environment = (name: string) => ({ name, zone: 'dev', tier: 'dev', team: null })
const dag = { dagId: 'etl_daily', tags: [], owners: [], paused: false }
let engine: PolicyEngine
let agents: PolicyEngine
let open: PolicyEngine
let dir: string

before(async () => {
  engine = await createPolicyEngine({ folder: demo })
  dir = await mkdtemp(join(tmpdir(), 'conductor-agent-policies-'))
  await writeFile(join(dir, 'agents.cedar'), [
    '@id("agents-read") permit (principal is Agent, action == Action::"dag:read", resource) when { principal.sponsor == "alice" };',
    '@id("everyone-trigger") permit (principal, action == Action::"dag:trigger", resource);',
    '@id("everyone-audit") permit (principal, action == Action::"audit:read", resource);',
  ].join('\n'))
  agents = await createPolicyEngine({ folder: dir })
  await mkdir(join(dir, 'open'))
  await writeFile(join(dir, 'open', 'all.cedar'), '@id("all") permit (principal, action, resource);')
  open = await createPolicyEngine({ folder: join(dir, 'open') })
})
after(async () => {
  engine.close()
  agents.close()
  open.close()
  await rm(dir, { recursive: true, force: true })
})

const ask = (e: PolicyEngine, request: Partial<AuthorizationRequest> & Pick<AuthorizationRequest, 'principal' | 'action'>) =>
  e.authorize({ resource: { environment: environment('local'), dag }, ...request })

test('a credential scope denies actions outside it, before any policy, with the scope as the reason', () => {
  const principal = { type: 'User' as const, id: 'bob', groups: [], scope: { actions: ['dag:read'], environments: null } }
  assert.equal(ask(open, { principal, action: 'dag:read' }).decision, 'allow')
  const denied = ask(open, { principal, action: 'dag:trigger' })
  assert.equal(denied.decision, 'deny')
  assert.deepEqual(denied.reasons, ["denied: outside the credential's scope (actions dag:read)"])
  assert.deepEqual(denied.policyIds, [])
  assert.equal(ask(open, { principal, action: 'audit:read' }).decision, 'deny')
})

test('a credential scope denies DAG and environment actions on other environments; application actions only check actions', () => {
  const principal = { type: 'User' as const, id: 'bob', groups: [], scope: { actions: null, environments: ['local'] } }
  assert.equal(ask(open, { principal, action: 'dag:read' }).decision, 'allow')
  const other = ask(open, { principal, action: 'dag:read', resource: { environment: environment('prod'), dag } })
  assert.equal(other.decision, 'deny')
  assert.deepEqual(other.reasons, ["denied: outside the credential's scope (environments local)"])
  assert.equal(ask(open, { principal, action: 'environment:read', resource: { environment: environment('prod') } }).decision, 'deny')
  assert.equal(ask(open, { principal, action: 'audit:read' }).decision, 'allow')
  const unscoped = { type: 'User' as const, id: 'bob', groups: [] }
  assert.equal(ask(open, { principal: unscoped, action: 'dag:read', resource: { environment: environment('prod'), dag } }).decision, 'allow')
})

test('Agent principals reach Cedar with their sponsor; principalRef carries scope and sponsor', () => {
  const agent = principalRef({ type: 'Agent', id: 'bot', groups: [], username: 'bot', agent: { sponsor: 'alice', tools: [] } })
  assert.deepEqual(agent.attributes, { username: 'bot', sponsor: 'alice' })
  assert.equal(ask(agents, { principal: agent, action: 'dag:read' }).decision, 'allow')
  const otherSponsor = principalRef({ type: 'Agent', id: 'bot2', groups: [], agent: { sponsor: 'carol', tools: [] } })
  assert.equal(ask(agents, { principal: otherSponsor, action: 'dag:read' }).decision, 'deny')
  assert.equal(ask(agents, { principal: { type: 'User', id: 'alice', groups: [] }, action: 'dag:read' }).decision, 'deny')
  const scoped = principalRef({ type: 'Agent', id: 'bot', groups: [], agent: { sponsor: 'alice', tools: [] }, scope: { actions: ['dag:read'], environments: null } })
  assert.equal(ask(agents, { principal: scoped, action: 'dag:trigger' }).decision, 'deny')
})

test('the demo policies: platform admins manage every service account, owning-group members and owners theirs', () => {
  const account = (owner: { type: 'User' | 'Group'; id: string }) => ({ name: 'etl', kind: 'service' as const, owner })
  const decide = (principal: AuthorizationRequest['principal'], action: 'service_account:read' | 'service_account:manage', owner: { type: 'User' | 'Group'; id: string }) =>
    engine.authorize({ principal, action, context: { serviceAccount: account(owner) } }).decision
  const group = { type: 'Group' as const, id: 'data-eng' }
  assert.equal(decide({ type: 'User', id: 'root', groups: ['platform-admins'] }, 'service_account:manage', group), 'allow')
  assert.equal(decide({ type: 'User', id: 'bob', groups: ['data-eng'] }, 'service_account:manage', group), 'allow')
  assert.equal(decide({ type: 'User', id: 'eve', groups: ['ml'] }, 'service_account:manage', group), 'deny')
  assert.equal(decide({ type: 'User', id: 'eve', groups: ['ml'] }, 'service_account:read', group), 'deny')
  assert.equal(decide({ type: 'ServiceAccount', id: 'ci', groups: ['data-eng'] }, 'service_account:manage', group), 'deny')
  assert.equal(decide({ type: 'User', id: 'carol', groups: [] }, 'service_account:read', { type: 'User', id: 'carol' }), 'allow')
  assert.equal(decide({ type: 'User', id: 'dan', groups: [] }, 'service_account:read', { type: 'User', id: 'carol' }), 'deny')
})

test('the demo policies: an agent gets its groups\' permissions but never approves, pauses or administers, whatever its groups', () => {
  const tagged = { ...dag, tags: ['team:data-eng'] }
  const decide = (type: 'User' | 'Agent', action: AuthorizationRequest['action']) =>
    engine.authorize({ principal: { type, id: 'helper', groups: ['data-eng', 'data-leads', 'platform-admins'], attributes: { sponsor: 'alice' } }, action, resource: { environment: environment('local'), dag: tagged } })
  for (const action of ['request:approve', 'dag:pause'] as const) {
    assert.equal(decide('User', action).decision, 'allow', `a person in those groups may ${action}`)
    const refused = decide('Agent', action)
    assert.equal(refused.decision, 'deny')
    assert.match(refused.reasons.join(' '), /agents-never-approve-or-administer/)
  }
  assert.equal(decide('Agent', 'dag:trigger').decision, 'allow', 'an agent in data-eng triggers what data-eng may')
})

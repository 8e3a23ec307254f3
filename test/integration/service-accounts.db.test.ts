import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { startTestApp, TEST_USERS } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

// Service accounts, agents and API tokens through the real API, on both engines: a real Conductor with the development
// issuer, the project's policies plus one about agents, SCIM on, and a stub Airflow serving etl_daily (team:data-eng)
// payroll (sensitive) and ml_train (team:ml).
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let policyDir: string
  let scimToken: string
  const idp: Record<string, string> = {}
  const users = [
    ...TEST_USERS,
    { username: 'erin', name: 'Erin Admin', email: 'erin@example.com', groups: ['platform-admins'] },
    { username: 'frank', name: 'Frank Engineer', email: 'frank@example.com', groups: ['data-eng'] },
    { username: 'gina', name: 'Gina Engineer', email: 'gina@example.com', groups: ['data-eng'] },
    { username: 'hana', name: 'Hana Engineer', email: 'hana@example.com', groups: ['data-eng'] },
  ]

  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }, { dagId: 'payroll', tags: ['sensitive'], owners: ['finance'] }, { dagId: 'ml_train', tags: ['team:ml'], owners: ['ml'] }])
    policyDir = mkdtempSync(join(tmpdir(), 'conductor-sa-policies-'))
    cpSync(new URL('../../policies', import.meta.url).pathname, policyDir, { recursive: true })
    // Agents whose sponsor is frank may read ml_train (an ML DAG data-eng may not read): the Agent type and its sponsor reach Cedar.
    writeFileSync(join(policyDir, 'agents.cedar'), '@id("franks-agents-read-ml-train")\npermit (principal is Agent, action == Action::"dag:read", resource)\nwhen { principal.sponsor == "frank" && resource.dagId == "ml_train" };\n')
    app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'local', url: stub.url, retries: 0 }, { name: 'other', url: stub.url, retries: 0 }], policyFolder: policyDir,
      extraConfig: { identity: { audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users }, scim: { enabled: true } } },
    })
    for (const user of ['alice', 'bob', 'erin', 'frank', 'gina', 'hana']) idp[user] = await app.tokenFor(user)
    await app.governance.catalog.syncAll()
    scimToken = (await app.scim!.tokens.create('okta')).token
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
    if (policyDir) rmSync(policyDir, { recursive: true, force: true })
  })

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, bearer: string, payload?: object) => app.server.inject({
    method, url, headers: { authorization: `Bearer ${idp[bearer] ?? bearer}` }, ...(payload ? { payload } : {}),
  })
  const scim = (method: string, path: string, body: unknown) => app.server.inject({
    method: method as 'POST', url: `/scim/v2${path}`, headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' }, payload: JSON.stringify(body),
  })
  const deactivate = async (userName: string) => {
    const user = await scim('POST', '/Users', { schemas: [SCIM_USER], userName, active: true })
    assert.equal(user.statusCode, 201, user.body)
    const off = await scim('PATCH', `/Users/${(user.json() as { id: string }).id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] })
    assert.equal(off.statusCode, 200, off.body)
  }
  const events = async (type: string) => app.audit.query({ type })
  const createToken = async (bearer: string, url: string, body: object) => {
    const res = await call('POST', url, bearer, body)
    assert.equal(res.statusCode, 201, res.body)
    return res.json() as { token: string; accessToken: { id: string } }
  }
  const trigger = (bearer: string, dag = 'etl_daily') => call('POST', `/api/v1/environments/local/dags/${dag}/runs`, bearer, {})

  test('a data-eng member creates, changes, disables, enables and deletes a service account of data-eng; an outsider may not; every step is audited', async () => {
    const created = await call('POST', '/api/v1/service-accounts', 'alice', { name: 'etl-ci', description: 'CI of the ETL repo', owner: { type: 'Group', id: 'data-eng' }, groups: ['data-eng'] })
    assert.equal(created.statusCode, 201, created.body)
    assert.deepEqual(created.json().serviceAccount.principalType, 'ServiceAccount')
    assert.equal((await call('GET', '/api/v1/service-accounts/etl-ci', 'gina')).statusCode, 200, 'another data-eng member sees it')
    assert.equal((await call('GET', '/api/v1/service-accounts/etl-ci', 'bob')).statusCode, 404, 'an analyst does not')
    assert.deepEqual((await call('GET', '/api/v1/service-accounts', 'bob')).json().serviceAccounts, [])
    const outsider = await call('PATCH', '/api/v1/service-accounts/etl-ci', 'bob', { description: 'mine now' })
    assert.deepEqual([outsider.statusCode, outsider.json().error.code], [403, 'policy_denied'])
    const foreign = await call('POST', '/api/v1/service-accounts', 'bob', { name: 'sneaky', owner: { type: 'Group', id: 'data-eng' } })
    assert.equal(foreign.statusCode, 403, 'nobody creates an account for a group they are not in')

    const escalation = await call('POST', '/api/v1/service-accounts', 'alice', { name: 'escalator', owner: { type: 'Group', id: 'data-eng' }, groups: ['platform-admins'] })
    assert.deepEqual([escalation.statusCode, escalation.json().error.code, escalation.json().error.details.field], [403, 'group_not_held', 'groups'])
    assert.equal((await call('GET', '/api/v1/service-accounts/escalator', 'erin')).statusCode, 404, 'and nothing was written')
    const patchEscalation = await call('PATCH', '/api/v1/service-accounts/etl-ci', 'alice', { groups: ['data-eng', 'auditors'] })
    assert.deepEqual([patchEscalation.statusCode, patchEscalation.json().error.code], [403, 'group_not_held'])

    const patched = await call('PATCH', '/api/v1/service-accounts/etl-ci', 'gina', { description: 'CI of the ETL repository' })
    assert.equal(patched.json().serviceAccount.description, 'CI of the ETL repository')
    const noReason = await call('POST', '/api/v1/service-accounts/etl-ci/disable', 'alice', {})
    assert.equal(noReason.statusCode, 400)
    const disabled = await call('POST', '/api/v1/service-accounts/etl-ci/disable', 'alice', { reason: 'rotating CI' })
    assert.deepEqual([disabled.json().serviceAccount.state, disabled.json().serviceAccount.disabledReason], ['disabled', 'rotating CI'])
    assert.equal((await call('POST', '/api/v1/service-accounts/etl-ci/enable', 'alice')).json().serviceAccount.state, 'active')
    const admin = await call('GET', '/api/v1/service-accounts', 'erin')
    assert.deepEqual(admin.json().serviceAccounts.map((a: { name: string }) => a.name), ['etl-ci'], 'platform admins see every account')

    await call('POST', '/api/v1/service-accounts', 'alice', { name: 'short-lived', owner: { type: 'User', id: 'alice' } })
    const deleted = await call('DELETE', '/api/v1/service-accounts/short-lived', 'alice')
    assert.deepEqual([deleted.statusCode, deleted.json().serviceAccount.state], [200, 'deleted'])
    assert.equal((await call('GET', '/api/v1/service-accounts/short-lived', 'alice')).statusCode, 404)
    const reuse = await call('POST', '/api/v1/service-accounts', 'alice', { name: 'short-lived', owner: { type: 'User', id: 'alice' } })
    assert.deepEqual([reuse.statusCode, reuse.json().error.code], [409, 'service_account_exists'])

    const trail = (await app.audit.query({})).filter((e) => e.type.startsWith('service_account.')).map((e) => `${e.type} ${String(e.data.serviceAccount)} by ${e.principal}`)
    assert.deepEqual(trail, [
      'service_account.created etl-ci by alice', 'service_account.updated etl-ci by gina', 'service_account.disabled etl-ci by alice',
      'service_account.enabled etl-ci by alice', 'service_account.created short-lived by alice', 'service_account.deleted short-lived by alice',
    ])
  })

  test('an API token of a service account: shown once, works as the account within its scope, last use visible, refused once expired or revoked', async () => {
    const tooLong = await call('POST', '/api/v1/service-accounts/etl-ci/tokens', 'alice', { name: 'ci', expiresInDays: 91 })
    assert.deepEqual([tooLong.statusCode, tooLong.json().error.code, tooLong.json().error.details.field], [400, 'token_expiry_too_long', 'expiresInDays'])
    const badEnv = await call('POST', '/api/v1/service-accounts/etl-ci/tokens', 'alice', { name: 'ci', expiresInDays: 30, environments: ['nowhere'] })
    assert.deepEqual([badEnv.statusCode, badEnv.json().error.details.field], [400, 'environments'])
    const badAction = await call('POST', '/api/v1/service-accounts/etl-ci/tokens', 'alice', { name: 'ci', expiresInDays: 30, actions: ['dag:destroy'] })
    assert.deepEqual([badAction.statusCode, badAction.json().error.code], [400, 'invalid_input'])
    assert.match(badAction.json().error.details.field, /actions/)
    assert.equal((await call('POST', '/api/v1/service-accounts/etl-ci/tokens', 'bob', { name: 'ci', expiresInDays: 30 })).statusCode, 403)

    const { token, accessToken } = await createToken('alice', '/api/v1/service-accounts/etl-ci/tokens', { name: 'ci', expiresInDays: 30, actions: ['dag:read', 'environment:read', 'run:read'] })
    assert.match(token, /^cdt_/)
    const listed = await call('GET', '/api/v1/service-accounts/etl-ci/tokens', 'alice')
    assert.equal(listed.statusCode, 200)
    assert.ok(!listed.body.includes(token.split('_').slice(2).join('_')), 'the list never shows the secret')
    assert.deepEqual(listed.json().tokens.map((t: { id: string; lastUsedAt: string | null }) => [t.id, t.lastUsedAt]), [[accessToken.id, null]])

    const me = await call('GET', '/api/v1/me', token)
    assert.equal(me.statusCode, 200, me.body)
    assert.deepEqual([me.json().type, me.json().id, me.json().groups], ['ServiceAccount', 'etl-ci', ['data-eng']])
    assert.deepEqual(me.json().credential.scope, { actions: ['dag:read', 'environment:read', 'run:read'], environments: null })
    const dags = await call('GET', '/api/v1/environments/local/dags', token)
    assert.deepEqual(dags.json().dags.map((d: { dagId: string }) => d.dagId), ['etl_daily', 'payroll'])
    const outside = await trigger(token)
    assert.deepEqual([outside.statusCode, outside.json().error.code], [403, 'policy_denied'])
    assert.match(outside.json().error.message, /outside the credential's scope \(actions dag:read, environment:read, run:read\)/)
    const lastUsed = (await call('GET', '/api/v1/service-accounts/etl-ci/tokens', 'alice')).json().tokens[0].lastUsedAt
    assert.ok(lastUsed !== null && Date.now() - Date.parse(lastUsed) < 60_000, 'the last use shows')

    const nested = await call('POST', '/api/v1/tokens', token, { name: 'copy', expiresInDays: 1 })
    assert.deepEqual([nested.statusCode, nested.json().error.code], [403, 'credential_not_interactive'])

    const elsewhere = await createToken('alice', '/api/v1/service-accounts/etl-ci/tokens', { name: 'other-only', expiresInDays: 7, environments: ['other'] })
    const envRefused = await trigger(elsewhere.token)
    assert.equal(envRefused.statusCode, 403)
    assert.match(envRefused.json().error.message, /outside the credential's scope \(environments other\)/)

    await app.database.db.updateTable('access_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', elsewhere.accessToken.id).execute()
    const expired = await call('GET', '/api/v1/me', elsewhere.token)
    assert.deepEqual([expired.statusCode, expired.json().error.code], [401, 'token_expired'])

    assert.equal((await call('POST', `/api/v1/tokens/${accessToken.id}/revoke`, 'bob', { reason: 'not mine' })).statusCode, 404, 'an outsider cannot revoke it')
    const revoked = await call('POST', `/api/v1/tokens/${accessToken.id}/revoke`, 'gina', { reason: 'leaked in a log' })
    assert.deepEqual([revoked.statusCode, revoked.json().accessToken.state], [200, 'revoked'])
    const after = await call('GET', '/api/v1/dags', token)
    assert.deepEqual([after.statusCode, after.json().error.code], [401, 'token_revoked'])

    const trail = JSON.stringify(await app.audit.query({}))
    assert.ok(!trail.includes(token.split('_').slice(2).join('_')) && !trail.includes(elsewhere.token.split('_').slice(2).join('_')), 'no secret in the audit trail')
    const createdEvent = (await events('token.created')).find((e) => e.data.tokenId === accessToken.id)!
    assert.deepEqual([createdEvent.principal, createdEvent.data.owner, createdEvent.data.name], ['alice', { type: 'ServiceAccount', id: 'etl-ci' }, 'ci'])
    assert.deepEqual((await events('token.revoked')).map((e) => [e.principal, e.data.tokenId, e.data.reason]), [['gina', accessToken.id, 'leaked in a log']])
  })

  test('disabling a service account stops its tokens at once (audited as a refused sign-in)', async () => {
    const { token } = await createToken('alice', '/api/v1/service-accounts/etl-ci/tokens', { name: 'deploy', expiresInDays: 1 })
    assert.equal((await call('GET', '/api/v1/dags', token)).statusCode, 200)
    await call('POST', '/api/v1/service-accounts/etl-ci/disable', 'alice', { reason: 'compromised runner' })
    const refused = await call('GET', '/api/v1/dags', token)
    assert.deepEqual([refused.statusCode, refused.json().error.code], [401, 'token_owner_disabled'])
    const failed = (await events('auth.failed')).at(-1)!
    assert.equal(failed.data.reason, 'token_owner_disabled')
    await call('POST', '/api/v1/service-accounts/etl-ci/enable', 'alice')
    assert.equal((await call('GET', '/api/v1/dags', token)).statusCode, 200)
  })

  test('an agent: Cedar sees principal is Agent and its sponsor; its budget refuses the call after the last with 429 and Retry-After', async () => {
    const created = await call('POST', '/api/v1/service-accounts', 'frank', {
      name: 'frank-bot', kind: 'agent', owner: { type: 'User', id: 'frank' }, groups: ['data-eng'], tools: ['list_dags', 'trigger_dag'],
      budgets: [{ action: 'dag:trigger', max: 2, perHours: 1 }],
    })
    assert.equal(created.statusCode, 201, created.body)
    assert.deepEqual([created.json().serviceAccount.sponsor, created.json().serviceAccount.principalType], ['frank', 'Agent'])
    const otherSponsor = await call('POST', '/api/v1/service-accounts', 'frank', { name: 'gina-bot', kind: 'agent', owner: { type: 'User', id: 'frank' }, sponsor: 'gina' })
    assert.deepEqual([otherSponsor.statusCode, otherSponsor.json().error.code], [403, 'sponsor_not_allowed'])
    const { token } = await createToken('frank', '/api/v1/service-accounts/frank-bot/tokens', { name: 'mcp', expiresInDays: 7 })

    const dags = (await call('GET', '/api/v1/environments/local/dags', token)).json().dags.map((d: { dagId: string }) => d.dagId)
    assert.deepEqual(dags, ['etl_daily', 'ml_train', 'payroll'], 'ml_train through the Agent policy, the others through data-eng')
    assert.deepEqual((await call('GET', '/api/v1/environments/local/dags', 'gina')).json().dags.map((d: { dagId: string }) => d.dagId), ['etl_daily', 'payroll'], 'people of data-eng do not see ml_train')

    for (let i = 0; i < 2; i++) {
      const ok = await trigger(token)
      assert.ok(ok.statusCode === 200 || ok.statusCode === 201 || ok.statusCode === 202, ok.body)
    }
    const decision = (await events('authz.decision')).filter((e) => e.principal === 'frank-bot').at(-1)!
    assert.deepEqual([decision.principalType, decision.data.sponsor], ['Agent', 'frank'])
    const before = await app.database.db.selectFrom('requests').select('id').where('principal_id', '=', 'frank-bot').execute()
    const third = await trigger(token)
    assert.deepEqual([third.statusCode, third.json().error.code], [429, 'budget_exceeded'], third.body)
    assert.deepEqual([third.json().error.details.action, third.json().error.details.max, third.json().error.details.perHours], ['dag:trigger', 2, 1])
    const retryAfter = Number(third.headers['retry-after'])
    assert.ok(retryAfter > 3500 && retryAfter <= 3600, String(retryAfter))
    const after = await app.database.db.selectFrom('requests').select('id').where('principal_id', '=', 'frank-bot').execute()
    assert.equal(after.length, before.length, 'the refusal records no request and runs nothing')
    const exceeded = await events('agent.budget_exceeded')
    assert.deepEqual(exceeded.map((e) => [e.principal, e.principalType, e.action, e.data.sponsor]), [['frank-bot', 'Agent', 'dag:trigger', 'frank']])

    const me = (await call('GET', '/api/v1/me', token)).json()
    assert.deepEqual(me.agent.budgets.map((b: { action: string; used: number; max: number }) => [b.action, b.used, b.max]), [['dag:trigger', 2, 2]])
    assert.deepEqual([me.type, me.agent.sponsor, me.agent.tools], ['Agent', 'frank', ['list_dags', 'trigger_dag']])
  })

  test('an agent\'s budget holds under a burst: of 8 simultaneous triggers with 3 left, exactly 3 run', async () => {
    // hana's agent, so that frank's agents stay the ones the SCIM test expects.
    const created = await call('POST', '/api/v1/service-accounts', 'hana', {
      name: 'burst-bot', kind: 'agent', owner: { type: 'User', id: 'hana' }, groups: ['data-eng'], budgets: [{ action: 'dag:trigger', max: 3, perHours: 1 }],
    })
    assert.equal(created.statusCode, 201, created.body)
    const { token } = await createToken('hana', '/api/v1/service-accounts/burst-bot/tokens', { name: 'burst', expiresInDays: 1 })
    const answers = await Promise.all(Array.from({ length: 8 }, () => trigger(token)))
    const codes = answers.map((a) => (a.statusCode === 429 ? a.json().error.code : String(a.statusCode))).sort()
    assert.deepEqual(codes, ['201', '201', '201', ...Array(5).fill('budget_exceeded')], answers.map((a) => a.body).join('\n'))
    const recorded = await app.database.db.selectFrom('requests').select('id').where('principal_id', '=', 'burst-bot').execute()
    assert.equal(recorded.length, 3)
  })

  test('an agent whose sponsor lost access (revoked after the agent was made) is refused at once, and so is the sponsor\'s personal token', async () => {
    const created = await call('POST', '/api/v1/service-accounts', 'gina', { name: 'gina-bot', kind: 'agent', owner: { type: 'User', id: 'gina' }, groups: ['data-eng'] })
    assert.equal(created.statusCode, 201, created.body)
    const { token } = await createToken('gina', '/api/v1/service-accounts/gina-bot/tokens', { name: 'mcp', expiresInDays: 1 })
    const personal = await createToken('gina', '/api/v1/tokens', { name: 'script', expiresInDays: 1 })
    assert.equal((await call('GET', '/api/v1/me', token)).statusCode, 200)
    assert.equal((await call('GET', '/api/v1/me', personal.token)).statusCode, 200)
    const [seen] = await app.governance.seenPrincipals('gina')
    await app.revoker.revokePrincipal({ issuer: seen!.issuer, subject: seen!.subject, principalType: 'User', principalId: 'gina' }, 'offboarded')

    const refused = await call('GET', '/api/v1/me', token)
    assert.deepEqual([refused.statusCode, refused.json().error.code], [401, 'token_owner_disabled'])
    assert.match(refused.json().error.message, /agent gina-bot: the sponsor gina lost access \(offboarded\)/)
    const mine = await call('GET', '/api/v1/me', personal.token)
    assert.deepEqual([mine.statusCode, mine.json().error.code], [401, 'token_owner_disabled'])
  })

  test('SCIM deactivating a person revokes their API tokens and disables the agents they sponsor, whose tokens stop at once', async () => {
    const personal = await createToken('frank', '/api/v1/tokens', { name: 'laptop', expiresInDays: 30 })
    assert.equal((await call('GET', '/api/v1/me', personal.token)).json().id, 'frank')
    const mine = await call('GET', '/api/v1/tokens', 'frank')
    assert.deepEqual(mine.json().tokens.map((t: { name: string; state: string }) => [t.name, t.state]), [['laptop', 'active']])
    const agentToken = (await createToken('frank', '/api/v1/service-accounts/frank-bot/tokens', { name: 'second', expiresInDays: 7 })).token
    assert.equal((await call('GET', '/api/v1/me', agentToken)).statusCode, 200)

    await deactivate('frank')

    const person = await call('GET', '/api/v1/me', personal.token)
    assert.equal(person.statusCode, 401)
    const agent = await call('GET', '/api/v1/me', agentToken)
    assert.equal(agent.statusCode, 401)
    const bot = (await call('GET', '/api/v1/service-accounts/frank-bot', 'erin')).json().serviceAccount
    assert.deepEqual([bot.state, bot.disabledReason], ['disabled', 'sponsor_deprovisioned'])
    const lost = await events('agent.sponsor_lost')
    assert.deepEqual(lost.map((e) => [e.principal, e.data.sponsor]), [['frank-bot', 'frank']])
    const tokens = await app.accessTokens.list({ type: 'User', id: 'frank' })
    assert.deepEqual(tokens.map((t) => [t.name, t.state]), [['laptop', 'revoked']])
    const enableAgain = await call('POST', '/api/v1/service-accounts/frank-bot/enable', 'erin')
    assert.deepEqual([enableAgain.statusCode, enableAgain.json().error.code], [403, 'sponsor_not_allowed'], 'an agent without a sponsor stays off')
  })
})

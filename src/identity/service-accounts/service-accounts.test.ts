import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { createAuditLog, type AuditLog, type AuditTables } from '../../audit/index.ts'
import { fixedClock, isConductorError } from '../../core/index.ts'
import { migrateToLatest, openDatabase, type Database } from '../../store/index.ts'
import type { Principal } from '../principal.ts'
import { createAccessTokens, isConductorToken, type AccessTokens } from './access-tokens.ts'
import { createServiceAccounts, type ServiceAccountAuthorizer, type ServiceAccounts } from './service-accounts.ts'
import type { ServiceAccountTables } from './service-accounts.tables.ts'

const T0 = Date.parse('2026-01-01T00:00:00Z')
const user = (id: string, groups: string[] = []): Principal => ({ type: 'User', id, subject: id, issuer: 'dev', username: id, displayName: null, email: null, groups, idpGroups: groups })

// A stand-in for policy: platform-admins may do anything; members of an owning group and owner persons manage theirs.
const authorize: ServiceAccountAuthorizer = (actor, action, account) => {
  const allow = actor.groups.includes('platform-admins')
    || (action !== 'policy:write' && account !== undefined && ((account.owner.type === 'Group' && actor.groups.includes(account.owner.id)) || (account.owner.type === 'User' && account.owner.id === actor.id)))
  return { decision: allow ? 'allow' : 'deny', reasons: [allow ? 'allowed by policy test' : `denied: no policy permits ${action} on conductor`], policyIds: allow ? ['test'] : [] }
}

describe('access tokens and service accounts', () => {
  let database: Database<ServiceAccountTables & AuditTables>
  let audit: AuditLog
  let clock: ReturnType<typeof fixedClock>
  let tokens: AccessTokens
  let accounts: ServiceAccounts

  beforeEach(async () => {
    database = await openDatabase<ServiceAccountTables & AuditTables>({ url: 'sqlite::memory:' })
    await migrateToLatest(database)
    audit = createAuditLog({ database })
    clock = fixedClock(T0)
    tokens = createAccessTokens({ db: database.db, audit, clock, maxApiTokenDays: 90, exchangedTokenMinutes: 15 })
    accounts = createServiceAccounts({ db: database.db, audit, clock, authorize, tokens, actions: ['dag:read', 'dag:trigger'] })
  })

  const events = async () => (await audit.query({})).map((e) => e.type)

  it('issues tokens in the cdt_/cdx_ format, stores only the hash, and verifies them', async () => {
    const api = await tokens.issue({ kind: 'api', name: 'ci', principal: { type: 'User', id: 'alice' }, expiresInSeconds: 86_400, createdBy: 'User:alice', scope: { actions: ['dag:read'], environments: null } })
    assert.match(api.token, /^cdt_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/)
    assert.ok(isConductorToken(api.token))
    const exchanged = await tokens.issue({ kind: 'exchanged', principal: { type: 'ServiceAccount', id: 'etl' }, createdBy: 'ServiceAccount:etl', parentId: api.id })
    assert.match(exchanged.token, /^cdx_/)
    assert.equal(Date.parse(exchanged.expiresAt) - T0, 15 * 60_000)
    const row = await database.db.selectFrom('access_tokens').selectAll().where('id', '=', api.id).executeTakeFirstOrThrow()
    assert.ok(!JSON.stringify(row).includes(api.token.split('_').slice(2).join('_')))
    assert.match(row.secret_hash, /^[0-9a-f]{64}$/)
    const verified = await tokens.verify(api.token)
    assert.deepEqual(verified.principal, { type: 'User', id: 'alice' })
    assert.deepEqual(verified.scope, { actions: ['dag:read'], environments: null })
    const listed = await tokens.list({ type: 'User', id: 'alice' })
    assert.equal(listed[0]!.lastUsedAt, new Date(T0).toISOString())
    assert.ok(!JSON.stringify(listed).includes('secret') && !JSON.stringify(listed).includes(row.secret_hash))
    const created = (await audit.query({ type: 'token.created' }))[0]!
    assert.ok(!JSON.stringify(created).includes(api.token))
  })

  it('refuses malformed, forged, expired and revoked tokens with distinct codes', async () => {
    const api = await tokens.issue({ kind: 'api', principal: { type: 'User', id: 'alice' }, expiresInSeconds: 60, createdBy: 'User:alice' })
    await assert.rejects(tokens.verify('cdt_nope'), (e) => isConductorError(e, 'token_malformed'))
    const forged = api.token.slice(0, -4) + (api.token.endsWith('AAAA') ? 'BBBB' : 'AAAA')
    await assert.rejects(tokens.verify(forged), (e) => isConductorError(e, 'token_unknown'))
    await assert.rejects(tokens.verify(api.token.replace(/^cdt_/, 'cdx_')), (e) => isConductorError(e, 'token_unknown'))
    clock.advance(61_000)
    await assert.rejects(tokens.verify(api.token), (e) => isConductorError(e, 'token_expired'))
    const other = await tokens.issue({ kind: 'api', principal: { type: 'User', id: 'alice' }, expiresInSeconds: 600, createdBy: 'User:alice' })
    const child = await tokens.issue({ kind: 'exchanged', principal: { type: 'User', id: 'alice' }, createdBy: 'User:alice', parentId: other.id })
    await tokens.revoke(user('alice'), other.id, 'leaked')
    await assert.rejects(tokens.verify(other.token), (e) => isConductorError(e, 'token_revoked'))
    await assert.rejects(tokens.verify(child.token), (e) => isConductorError(e, 'token_revoked'))
    assert.ok((await events()).includes('token.revoked'))
  })

  it('exchanged tokens may carry extra groups (e.g. from an AWS role); API tokens may not', async () => {
    const t = await tokens.issue({ kind: 'exchanged', principal: { type: 'ServiceAccount', id: 'etl' }, createdBy: 'ServiceAccount:etl', groups: ['aws-deployers', 'aws-deployers'], expiresInSeconds: 7200 })
    assert.equal(Date.parse(t.expiresAt) - T0, 15 * 60_000, 'never longer than exchangedTokenMinutes')
    assert.deepEqual((await tokens.verify(t.token)).groups, ['aws-deployers'])
    await assert.rejects(tokens.issue({ kind: 'api', principal: { type: 'User', id: 'a' }, expiresInSeconds: 60, createdBy: 'User:a', groups: ['x'] }),
      (e) => isConductorError(e, 'invalid_input') && e.details?.field === 'groups')
  })

  it('caps API token lifetimes at maxApiTokenDays', async () => {
    await assert.rejects(tokens.issue({ kind: 'api', principal: { type: 'User', id: 'a' }, expiresInSeconds: 91 * 86_400, createdBy: 'User:a' }),
      (e) => isConductorError(e, 'token_expiry_too_long') && e.details?.field === 'expiresInDays')
    await assert.rejects(tokens.issue({ kind: 'api', principal: { type: 'User', id: 'a' }, createdBy: 'User:a' }), (e) => isConductorError(e, 'invalid_input'))
  })

  it('manages a service account through its lifecycle, audited, with a tombstone after delete', async () => {
    const bob = user('bob', ['data-eng'])
    const etl = await accounts.create(bob, { name: 'etl', owner: { type: 'Group', id: 'data-eng' }, groups: ['data-eng'] })
    assert.equal(etl.state, 'active')
    assert.equal(accounts.principalOf(etl).type, 'ServiceAccount')
    await assert.rejects(accounts.create(user('eve', ['other']), { name: 'x', owner: { type: 'Group', id: 'data-eng' } }), (e) => isConductorError(e, 'policy_denied'))
    await assert.rejects(accounts.create(bob, { name: 'y', owner: { type: 'Group', id: 'data-eng' }, groups: ['platform-admins'] }),
      (e) => isConductorError(e, 'group_not_held') && e.details?.field === 'groups')
    const t = await tokens.issue({ kind: 'api', principal: { type: 'ServiceAccount', id: 'etl' }, expiresInSeconds: 3600, createdBy: 'User:bob' })
    const disabled = await accounts.disable(bob, 'etl', 'rotating')
    assert.throws(() => accounts.principalOf(disabled), (e) => isConductorError(e, 'token_owner_disabled'))
    await accounts.enable(bob, 'etl')
    await accounts.delete(bob, 'etl')
    await assert.rejects(tokens.verify(t.token), (e) => isConductorError(e, 'token_revoked'))
    assert.equal((await accounts.get('etl'))!.state, 'deleted')
    assert.deepEqual(await accounts.list(), [])
    await assert.rejects(accounts.create(bob, { name: 'etl', owner: { type: 'Group', id: 'data-eng' } }), (e) => isConductorError(e, 'service_account_exists'))
    assert.deepEqual((await events()).filter((t) => t.startsWith('service_account.')),
      ['service_account.created', 'service_account.disabled', 'service_account.enabled', 'service_account.deleted'])
  })

  it('gives agents a sponsor (the creator) and disables them when the sponsor is deprovisioned', async () => {
    const alice = user('alice', ['data-eng'])
    await assert.rejects(accounts.create(alice, { name: 'bot', kind: 'agent', owner: { type: 'User', id: 'alice' }, sponsor: 'carol' }), (e) => isConductorError(e, 'sponsor_not_allowed'))
    await assert.rejects(accounts.create(alice, { name: 'svc', owner: { type: 'User', id: 'alice' }, sponsor: 'alice' }), (e) => isConductorError(e, 'invalid_input') && e.details?.field === 'sponsor')
    await assert.rejects(accounts.create(alice, { name: 'bot', kind: 'agent', owner: { type: 'User', id: 'alice' }, budgets: [{ action: 'nope', max: 1, perHours: 1 }] }),
      (e) => isConductorError(e, 'invalid_input') && e.details?.field === 'budgets')
    const bot = await accounts.create(alice, { name: 'bot', kind: 'agent', owner: { type: 'Group', id: 'data-eng' }, tools: ['list_dags'], budgets: [{ action: 'dag:trigger', max: 2, perHours: 1 }] })
    assert.equal(bot.sponsor, 'alice')
    const principal = accounts.principalOf(bot)
    assert.equal(principal.type, 'Agent')
    assert.deepEqual(principal.agent, { sponsor: 'alice', tools: ['list_dags'], budgets: [{ action: 'dag:trigger', max: 2, perHours: 1 }] })
    const t = await tokens.issue({ kind: 'api', principal: { type: 'Agent', id: 'bot' }, expiresInSeconds: 3600, createdBy: 'User:alice' })
    assert.deepEqual(await accounts.disableSponsoredBy('alice', 'sponsor_deprovisioned'), ['bot'])
    const after = (await accounts.get('bot'))!
    assert.equal(after.state, 'disabled')
    assert.equal(after.disabledReason, 'sponsor_deprovisioned')
    await assert.rejects(tokens.verify(t.token), (e) => isConductorError(e, 'token_revoked'))
    assert.ok((await events()).includes('agent.sponsor_lost'))
    // Re-enabling needs someone to answer for it: bob (data-eng, the owning group) becomes the sponsor, then enables it.
    const bob = user('bob', ['data-eng'])
    await assert.rejects(accounts.enable(bob, 'bot'), (e) => isConductorError(e, 'sponsor_not_allowed'))
    await assert.rejects(accounts.update(bob, 'bot', { sponsor: 'dan' }), (e) => isConductorError(e, 'sponsor_not_allowed'))
    await assert.rejects(accounts.update(user('eve', ['ml']), 'bot', { sponsor: 'eve' }), (e) => isConductorError(e, 'policy_denied'))
    await accounts.update(bob, 'bot', { sponsor: 'bob' })
    assert.equal((await accounts.get('bot'))!.disabledReason, 'sponsor_replaced')
    assert.equal((await accounts.enable(bob, 'bot')).state, 'active')
  })
})

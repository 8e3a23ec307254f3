import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { createAuditLog, type AuditLog, type AuditTables } from '../../audit/index.ts'
import { ConductorError, fixedClock, isConductorError } from '../../core/index.ts'
import type { ErrorCode } from '../../core/index.ts'
import { migrateToLatest, openDatabase, type Database } from '../../store/index.ts'
import type { Principal } from '../principal.ts'
import { createAccessTokens, createServiceAccounts, type AccessTokens, type ServiceAccounts, type ServiceAccountTables } from '../service-accounts/index.ts'
import { createTokenExchange, TOKEN_EXCHANGE_GRANT_TYPE, type TokenExchange } from './token-exchange.ts'
import type { FederationTables } from './trusts.tables.ts'
import { createServiceAccountTrusts, type ServiceAccountTrusts } from './trusts.ts'
import { TOKEN_TYPES, type WorkloadIdentity } from './workload-verifier.ts'

const T0 = Date.parse('2026-01-01T00:00:00Z')
const ROLE = 'arn:aws:iam::123456789012:role/etl-deployer'
const alice: Principal = { type: 'User', id: 'alice', subject: 'alice', issuer: 'dev', username: 'alice', displayName: null, email: null, groups: ['data-eng'], idpGroups: ['data-eng'] }

// The exchange with the real stores on in-memory SQLite and a stand-in workload verifier that reads a token like
// `github:<repository>:<seconds left>` or `aws:<role>` (the verifiers have their own tests).
describe('token exchange', () => {
  let database: Database<ServiceAccountTables & AuditTables & FederationTables>
  let audit: AuditLog
  let clock: ReturnType<typeof fixedClock>
  let tokens: AccessTokens
  let accounts: ServiceAccounts
  let trusts: ServiceAccountTrusts
  let exchange: TokenExchange

  const identityOf = (token: string): WorkloadIdentity => {
    const [issuer, value, seconds] = token.split('|') as [string, string, string | undefined]
    if (issuer === 'aws') return { issuer: 'aws', kind: 'aws', subject: value, claims: { arn: value, roleArn: value, account: '123456789012', userId: 'x' }, expiresAt: null }
    if (issuer !== 'github') throw new ConductorError('token_invalid_issuer', 'unknown issuer')
    return { issuer: 'github', kind: 'github', subject: `repo:${value}`, claims: { repository: value, ref: 'refs/heads/main' }, expiresAt: T0 + Number(seconds ?? 600) * 1000 }
  }

  beforeEach(async () => {
    database = await openDatabase<ServiceAccountTables & AuditTables & FederationTables>({ url: 'sqlite::memory:' })
    await migrateToLatest(database)
    audit = createAuditLog({ database })
    clock = fixedClock(T0)
    tokens = createAccessTokens({ db: database.db, audit, clock, maxApiTokenDays: 90, exchangedTokenMinutes: 15 })
    accounts = createServiceAccounts({ db: database.db, audit, clock, authorize: () => ({ decision: 'allow', reasons: ['test'], policyIds: ['test'] }), tokens, actions: ['dag:read', 'dag:trigger'] })
    trusts = createServiceAccountTrusts({ db: database.db, audit, clock, serviceAccounts: accounts, issuers: { workloadIssuers: [{ name: 'github', kind: 'github' }], aws: { enabled: true } } })
    exchange = createTokenExchange({
      workloads: { verify: async (token) => identityOf(token) }, trusts, serviceAccounts: accounts, accessTokens: tokens,
      principalFromToken: async () => alice, audit, clock, exchangedTokenMinutes: 15, targets: ['https://conductor.example.com', 'conductor'],
      actions: ['dag:read', 'dag:trigger'], groupMappings: [{ from: ROLE, to: 'aws-etl', pattern: false, issuer: 'aws' }, { from: '.*', to: 'everyone', pattern: true }],
    })
    await accounts.create(alice, { name: 'etl-ci', owner: { type: 'Group', id: 'data-eng' }, groups: ['data-eng'] })
    await trusts.add(alice, 'etl-ci', { issuer: 'github', conditions: { repository: 'acme/etl' } })
    await trusts.add(alice, 'etl-ci', { issuer: 'aws', conditions: { arn: ROLE } })
  })

  const workload = (subjectToken: string, more: Partial<Parameters<TokenExchange['exchange']>[0]> = {}) =>
    exchange.exchange({ grantType: TOKEN_EXCHANGE_GRANT_TYPE, subjectToken, subjectTokenType: TOKEN_TYPES.jwt, ...more })
  const refused = (promise: Promise<unknown>, code: ErrorCode, field?: string) => assert.rejects(promise, (error: unknown) => {
    assert.ok(isConductorError(error, code), String(error))
    if (field) assert.equal(error.details?.field, field)
    return true
  })

  it('issues a token of the trusted account for at most the subject credential\'s time left', async () => {
    const long = await workload('github|acme/etl|3600')
    assert.equal(long.expiresIn, 900)
    const short = await workload('github|acme/etl|42')
    assert.equal(short.expiresIn, 42)
    const verified = await tokens.verify(short.accessToken)
    assert.deepEqual(verified.principal, { type: 'ServiceAccount', id: 'etl-ci' })
    await refused(workload('github|acme/etl|0'), 'invalid_grant', 'subject_token')
  })

  it('refuses what RFC 8693 refuses, with the parameter at fault, and audits each refusal without the token', async () => {
    await refused(exchange.exchange({ grantType: 'password', subjectToken: 'x', subjectTokenType: TOKEN_TYPES.jwt }), 'unsupported_grant_type', 'grant_type')
    await refused(exchange.exchange({ grantType: undefined, subjectToken: 'x', subjectTokenType: TOKEN_TYPES.jwt }), 'invalid_input', 'grant_type')
    await refused(exchange.exchange({ grantType: TOKEN_EXCHANGE_GRANT_TYPE, subjectToken: undefined, subjectTokenType: TOKEN_TYPES.jwt }), 'invalid_input', 'subject_token')
    await refused(workload('github|acme/etl', { subjectTokenType: 'urn:x' }), 'invalid_input', 'subject_token_type')
    await refused(workload('github|acme/etl', { audience: ['https://evil.example.com'] }), 'invalid_target', 'audience')
    await refused(workload('github|acme/etl', { scope: 'dag:read dag:nuke' }), 'invalid_scope', 'scope')
    await refused(workload('github|acme/web'), 'invalid_grant', 'subject_token')
    await refused(workload('github|acme/etl', { serviceAccount: 'other' }), 'invalid_grant', 'service_account')
    const failures = await audit.query({ type: 'auth.failed' })
    assert.equal(failures.length, 8)
    assert.ok(!JSON.stringify(failures).includes('github|acme'), 'the subject token is never in the audit trail')
    assert.equal((await audit.query({ type: 'token.created' })).length, 0)
  })

  it('narrows the scope and accepts Conductor\'s own URL as the target', async () => {
    const answer = await workload('github|acme/etl', { scope: 'dag:read dag:read', resource: ['https://conductor.example.com/'], audience: ['conductor'] })
    assert.equal(answer.scope, 'dag:read')
    assert.deepEqual((await tokens.verify(answer.accessToken)).scope, { actions: ['dag:read'], environments: null })
  })

  it('gives an AWS role\'s token the groups that aws group mappings name', async () => {
    const answer = await workload(`aws|${ROLE}`, { subjectTokenType: TOKEN_TYPES.awsGetCallerIdentity })
    assert.deepEqual((await tokens.verify(answer.accessToken)).groups, ['aws-etl'], 'the mapping without issuer: aws does not apply; the ARN itself is no group')
    const event = (await audit.query({ type: 'token.exchanged' })).at(-1)!
    assert.deepEqual((event.data as { groups: string[] }).groups, ['aws-etl'])
    assert.deepEqual((await tokens.verify((await workload('github|acme/etl')).accessToken)).groups, [])
  })

  it('does not exchange for a disabled account', async () => {
    await accounts.disable(alice, 'etl-ci', 'paused')
    await refused(workload('github|acme/etl'), 'invalid_grant')
  })
})

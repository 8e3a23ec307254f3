import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isConductorError } from '../../core/index.ts'
import { globToRegExp } from '../../core/index.ts'
import { matchTrustRules, validateTrustRule } from './trust-rules.ts'
import type { TrustRule, TrustRuleIssuers } from './trust-rules.ts'
import type { WorkloadIdentity } from './workload-verifier.ts'

const issuers: TrustRuleIssuers = {
  workloadIssuers: [{ name: 'github', kind: 'github' }, { name: 'prod-cluster', kind: 'kubernetes' }, { name: 'gitlab', kind: 'oidc' }],
  aws: { enabled: true },
}

function refused(rule: { issuer: unknown; conditions: unknown }, field: string, config = issuers): void {
  assert.throws(() => validateTrustRule(rule, config), (error: unknown) => {
    assert.ok(isConductorError(error, 'trust_rule_invalid'), String(error))
    assert.equal(error.details?.field, field)
    return true
  })
}

const github = (claims: Record<string, unknown>): WorkloadIdentity => ({ issuer: 'github', kind: 'github', subject: String(claims.sub ?? ''), claims, expiresAt: null })

describe('validateTrustRule', () => {
  it('accepts a GitHub rule for one repository and branch, sorting the conditions', () => {
    const rule = validateTrustRule({ issuer: 'github', conditions: { ref: 'refs/heads/main', repository: 'acme/etl' } }, issuers)
    assert.deepEqual(Object.keys(rule.conditions), ['ref', 'repository'])
  })

  it('accepts a repository wildcard inside one owner', () => {
    validateTrustRule({ issuer: 'github', conditions: { repository: 'acme/*', ref: 'refs/heads/main' } }, issuers)
  })

  it('refuses an unknown issuer, and aws while AWS sign-in is off', () => {
    refused({ issuer: 'gitlab-typo', conditions: { sub: 'x' } }, 'issuer')
    refused({ issuer: 'aws', conditions: { arn: 'arn:aws:iam::123456789012:role/etl' } }, 'issuer', { ...issuers, aws: { enabled: false } })
  })

  it('refuses a rule without conditions, or whose conditions are all wildcards', () => {
    refused({ issuer: 'gitlab', conditions: {} }, 'conditions')
    refused({ issuer: 'gitlab', conditions: { sub: '*', project_path: '**' } }, 'conditions')
    refused({ issuer: 'gitlab', conditions: { sub: '' } }, 'conditions.sub')
  })

  it('refuses GitHub rules without a repository or wildcarding its owner', () => {
    refused({ issuer: 'github', conditions: { ref: 'refs/heads/main' } }, 'conditions.repository')
    refused({ issuer: 'github', conditions: { repository: '*', ref: 'refs/heads/main' } }, 'conditions.repository')
    refused({ issuer: 'github', conditions: { repository: '*/*', ref: 'refs/heads/main' } }, 'conditions.repository')
    refused({ issuer: 'github', conditions: { repository: 'ac*/etl' } }, 'conditions.repository')
    refused({ issuer: 'github', conditions: { repository: 'acme' } }, 'conditions.repository')
  })

  it('refuses Kubernetes rules without both namespace and service account', () => {
    refused({ issuer: 'prod-cluster', conditions: { namespace: 'etl' } }, 'conditions.serviceAccount')
    refused({ issuer: 'prod-cluster', conditions: { serviceAccount: 'runner' } }, 'conditions.namespace')
    validateTrustRule({ issuer: 'prod-cluster', conditions: { namespace: 'etl', serviceAccount: 'runner' } }, issuers)
  })

  it('refuses AWS rules without a precise role or user ARN', () => {
    refused({ issuer: 'aws', conditions: { account: '123456789012' } }, 'conditions.arn')
    refused({ issuer: 'aws', conditions: { arn: 'arn:aws:iam::*:role/etl' } }, 'conditions.arn')
    refused({ issuer: 'aws', conditions: { arn: 'arn:aws:iam::12345678901*:role/etl' } }, 'conditions.arn')
    refused({ issuer: 'aws', conditions: { arn: 'arn:aws:sts::123456789012:assumed-role/etl/x' } }, 'conditions.arn')
    refused({ issuer: 'aws', conditions: { arn: 'arn:aws:iam::123456789012:policy/etl' } }, 'conditions.arn')
    validateTrustRule({ issuer: 'aws', conditions: { arn: 'arn:aws:iam::123456789012:role/etl-*' } }, issuers)
  })
})

describe('matchTrustRules', () => {
  const rules: (TrustRule & { id: string })[] = [
    { id: 'main', issuer: 'github', conditions: { repository: 'acme/etl', ref: 'refs/heads/main' } },
    { id: 'releases', issuer: 'github', conditions: { repository: 'acme/*', ref: 'refs/tags/v*' } },
    { id: 'k8s', issuer: 'prod-cluster', conditions: { namespace: 'etl', serviceAccount: 'runner' } },
    { id: 'aws', issuer: 'aws', conditions: { arn: 'arn:aws:iam::123456789012:role/etl-*' } },
    { id: 'gitlab', issuer: 'gitlab', conditions: { groups: 'data', 'namespace_path': 'acme' } },
  ]

  it('matches all conditions of the token\'s issuer, anchored', () => {
    assert.deepEqual(matchTrustRules(rules, github({ repository: 'acme/etl', ref: 'refs/heads/main' })).map((r) => r.id), ['main'])
    assert.deepEqual(matchTrustRules(rules, github({ repository: 'acme/etl', ref: 'refs/heads/main2' })).map((r) => r.id), [])
    assert.deepEqual(matchTrustRules(rules, github({ repository: 'acme/etl-fork', ref: 'refs/heads/main' })).map((r) => r.id), [])
    assert.deepEqual(matchTrustRules(rules, github({ repository: 'acme/web', ref: 'refs/tags/v1.2' })).map((r) => r.id), ['releases'])
    assert.deepEqual(matchTrustRules(rules, github({ repository: 'evil/acme/web', ref: 'refs/tags/v1.2' })).map((r) => r.id), [])
    assert.deepEqual(matchTrustRules(rules, { ...github({ repository: 'acme/etl', ref: 'refs/heads/main' }), issuer: 'gitlab' }).map((r) => r.id), [])
  })

  it('reads Kubernetes shortcuts from the kubernetes.io claim', () => {
    const pod = (namespace: string, name: string): WorkloadIdentity => ({
      issuer: 'prod-cluster', kind: 'kubernetes', subject: `system:serviceaccount:${namespace}:${name}`, claims: { 'kubernetes.io': { namespace, serviceaccount: { name } } }, expiresAt: null,
    })
    assert.deepEqual(matchTrustRules(rules, pod('etl', 'runner')).map((r) => r.id), ['k8s'])
    assert.deepEqual(matchTrustRules(rules, pod('etl', 'default')).map((r) => r.id), [])
    assert.deepEqual(matchTrustRules(rules, pod('web', 'runner')).map((r) => r.id), [])
  })

  it('matches AWS arn against the role ARN, not the assumed-role session ARN', () => {
    const caller = (roleArn: string | null, arn: string): WorkloadIdentity => ({ issuer: 'aws', kind: 'aws', subject: arn, claims: { arn, roleArn, account: '123456789012', userId: 'x' }, expiresAt: null })
    assert.equal(matchTrustRules(rules, caller('arn:aws:iam::123456789012:role/etl-deployer', 'arn:aws:sts::123456789012:assumed-role/etl-deployer/s')).length, 1)
    assert.equal(matchTrustRules(rules, caller('arn:aws:iam::123456789012:role/web', 'arn:aws:sts::123456789012:assumed-role/web/etl-x')).length, 0)
    assert.equal(matchTrustRules(rules, caller('arn:aws:iam::999999999999:role/etl-deployer', 'arn:aws:sts::999999999999:assumed-role/etl-deployer/s')).length, 0)
  })

  it('matches an array claim when one member matches', () => {
    const token: WorkloadIdentity = { issuer: 'gitlab', kind: 'oidc', subject: 's', claims: { groups: ['web', 'data'], namespace_path: 'acme' }, expiresAt: null }
    assert.deepEqual(matchTrustRules(rules, token).map((r) => r.id), ['gitlab'])
  })

  it('treats every character but * literally', () => {
    assert.equal(globToRegExp('a.b*').test('axbc'), false)
    assert.equal(globToRegExp('a.b*').test('a.bc'), true)
    assert.equal(globToRegExp('repo:(x)|y').test('repo:(x)|y'), true)
  })
})

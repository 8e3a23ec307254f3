import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import aws4 from 'aws4'
import { fetch as undiciFetch, MockAgent } from 'undici'
import { startWorkloadIssuer } from '../../../harness/workload-issuer.ts'
import type { WorkloadIssuer } from '../../../harness/workload-issuer.ts'
import { configSchema } from '../../config/index.ts'
import { isConductorError } from '../../core/index.ts'
import type { ErrorCode } from '../../core/index.ts'
import { GET_CALLER_IDENTITY_BODY, roleArnOf } from './aws-sts.ts'
import { createWorkloadVerifier, TOKEN_TYPES } from './workload-verifier.ts'
import type { WorkloadVerifier } from './workload-verifier.ts'

const STS = 'https://sts.example.test/'
const credentials = { accessKeyId: 'ASIAEXAMPLEEXAMPLE01', secretAccessKey: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', sessionToken: 'session-token' }

/** A subject token the way `conductor exchange --aws` builds it. */
function signedRequest(overrides: { url?: string; body?: string; serverId?: string | null; method?: string; region?: string; tamper?: (r: { method: string; url: string; headers: Record<string, unknown>; body: string }) => void } = {}): string {
  const url = new URL(overrides.url ?? STS)
  const body = overrides.body ?? GET_CALLER_IDENTITY_BODY
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }
  if (overrides.serverId !== null) headers['x-conductor-server-id'] = overrides.serverId ?? 'conductor.example.com'
  const signed = aws4.sign({ host: url.host, path: url.pathname, method: overrides.method ?? 'POST', service: 'sts', region: overrides.region ?? 'us-east-1', body, headers }, credentials)
  const request = { method: overrides.method ?? 'POST', url: url.href, headers: signed.headers as Record<string, unknown>, body }
  overrides.tamper?.(request)
  return Buffer.from(JSON.stringify(request)).toString('base64url')
}

async function rejects(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isConductorError(error, code), `expected ${code}, got ${String(error)}`)
    assert.doesNotMatch(error.message, /eyJ|Signature=|session-token/)
    return true
  })
}

describe('createWorkloadVerifier', () => {
  let issuer: WorkloadIssuer
  let agent: MockAgent
  let verifier: WorkloadVerifier

  before(async () => {
    issuer = await startWorkloadIssuer({ audience: 'https://conductor.example.com' })
    agent = new MockAgent()
    agent.disableNetConnect()
    agent.enableNetConnect(new URL(issuer.url).host)
    const config = configSchema.parse({
      server: { publicUrl: 'https://conductor.example.com' },
      identity: {
        workloadIssuers: [{ name: 'github', kind: 'github', issuer: issuer.url, audience: 'https://conductor.example.com' }],
        aws: { enabled: true, stsEndpoint: STS },
      },
    })
    verifier = createWorkloadVerifier({
      issuers: config.identity.workloadIssuers, aws: config.identity.aws, identity: config.identity, publicUrl: 'https://conductor.example.com',
      fetch: ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...init, dispatcher: agent } as never)) as typeof fetch,
    })
  })
  after(async () => {
    verifier.close()
    await issuer.close()
    await agent.close()
  })

  it('verifies a GitHub Actions token and returns its claims', async () => {
    const identity = await verifier.verify(await issuer.github({ repository: 'acme/etl' }), TOKEN_TYPES.jwt)
    assert.equal(identity.issuer, 'github')
    assert.equal(identity.kind, 'github')
    assert.equal(identity.subject, 'repo:acme/etl:ref:refs/heads/main')
    assert.equal(identity.claims.repository, 'acme/etl')
    assert.ok(identity.expiresAt !== null && identity.expiresAt > Date.now())
  })

  it('refuses tokens for another audience, expired, HS256, from an unknown key or issuer', async () => {
    await rejects(verifier.verify(await issuer.github({}, { audience: 'https://other.example.com' }), TOKEN_TYPES.jwt), 'token_invalid_audience')
    await rejects(verifier.verify(await issuer.github({}, { expiresInSeconds: -600 }), TOKEN_TYPES.idToken), 'token_expired')
    await rejects(verifier.verify(await issuer.github({}, { hs256: true }), TOKEN_TYPES.jwt), 'token_algorithm_not_allowed')
    await rejects(verifier.verify(await issuer.github({}, { wrongKey: true }), TOKEN_TYPES.jwt), 'token_invalid_signature')
    await rejects(verifier.verify(await issuer.github({}, { issuer: 'https://token.actions.githubusercontent.com' }), TOKEN_TYPES.jwt), 'token_invalid_issuer')
    await rejects(verifier.verify('not-a-jwt', TOKEN_TYPES.jwt), 'token_malformed')
  })

  it('forwards a well-formed signed GetCallerIdentity to STS and normalizes the role ARN', async () => {
    let forwarded: { body: unknown; headers: unknown } | undefined
    agent.get('https://sts.example.test').intercept({ path: '/', method: 'POST' }).reply(200, (options) => {
      forwarded = { body: options.body, headers: options.headers }
      return '<GetCallerIdentityResponse><GetCallerIdentityResult><UserId>AROAEXAMPLE:ci</UserId><Account>123456789012</Account><Arn>arn:aws:sts::123456789012:assumed-role/etl-deployer/ci</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>'
    })
    const identity = await verifier.verify(signedRequest(), TOKEN_TYPES.awsGetCallerIdentity)
    assert.deepEqual(identity, {
      issuer: 'aws', kind: 'aws', subject: 'arn:aws:sts::123456789012:assumed-role/etl-deployer/ci', expiresAt: null,
      claims: { arn: 'arn:aws:sts::123456789012:assumed-role/etl-deployer/ci', roleArn: 'arn:aws:iam::123456789012:role/etl-deployer', account: '123456789012', userId: 'AROAEXAMPLE:ci' },
    })
    assert.equal(forwarded?.body, GET_CALLER_IDENTITY_BODY)
  })

  it('refuses, without calling out, a request to another URL, with another body or method, or without the signed server id', async () => {
    // No interceptor is registered: a forwarded request would fail with issuer_unavailable, not these codes.
    await rejects(verifier.verify(signedRequest({ url: 'https://sts.evil.test/' }), TOKEN_TYPES.awsGetCallerIdentity), 'token_invalid_issuer')
    await rejects(verifier.verify(signedRequest({ url: 'http://169.254.169.254/latest/meta-data/' }), TOKEN_TYPES.awsGetCallerIdentity), 'token_invalid_issuer')
    await rejects(verifier.verify(signedRequest({ body: 'Action=GetSessionToken&Version=2011-06-15' }), TOKEN_TYPES.awsGetCallerIdentity), 'token_invalid_claims')
    await rejects(verifier.verify(signedRequest({ method: 'GET' }), TOKEN_TYPES.awsGetCallerIdentity), 'token_invalid_claims')
    await rejects(verifier.verify(signedRequest({ serverId: 'other-conductor.example.com' }), TOKEN_TYPES.awsGetCallerIdentity), 'token_invalid_audience')
    await rejects(verifier.verify(signedRequest({ serverId: null, tamper: (r) => { r.headers['x-conductor-server-id'] = 'conductor.example.com' } }), TOKEN_TYPES.awsGetCallerIdentity), 'token_invalid_audience')
    await rejects(verifier.verify(signedRequest({ tamper: (r) => { r.headers.Authorization = 'AWS4-HMAC-SHA1 x' } }), TOKEN_TYPES.awsGetCallerIdentity), 'token_invalid_claims')
    await rejects(verifier.verify(signedRequest({ tamper: (r) => { r.headers['X-Amz-Date'] = '20200101T000000Z' } }), TOKEN_TYPES.awsGetCallerIdentity), 'token_expired')
    await rejects(verifier.verify(signedRequest({ region: 'eu-west-1' }), TOKEN_TYPES.awsGetCallerIdentity), 'token_invalid_claims')
    await rejects(verifier.verify('%%%', TOKEN_TYPES.awsGetCallerIdentity), 'token_malformed')
    await rejects(verifier.verify(Buffer.from('[1]').toString('base64url'), TOKEN_TYPES.awsGetCallerIdentity), 'token_malformed')
  })

  it('refuses a request STS rejects, and reports STS failures as unavailable', async () => {
    agent.get('https://sts.example.test').intercept({ path: '/', method: 'POST' })
      .reply(403, '<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>')
    await rejects(verifier.verify(signedRequest(), TOKEN_TYPES.awsGetCallerIdentity), 'token_invalid_signature')
    agent.get('https://sts.example.test').intercept({ path: '/', method: 'POST' }).reply(500, 'oops')
    await rejects(verifier.verify(signedRequest(), TOKEN_TYPES.awsGetCallerIdentity), 'issuer_unavailable')
  })

  it('normalizes only assumed-role ARNs', () => {
    assert.equal(roleArnOf('arn:aws:sts::123456789012:assumed-role/a/b'), 'arn:aws:iam::123456789012:role/a')
    assert.equal(roleArnOf('arn:aws:iam::123456789012:user/ci'), null)
  })
})

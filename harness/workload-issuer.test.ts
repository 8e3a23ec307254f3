import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import { startWorkloadIssuer } from './workload-issuer.ts'
import type { WorkloadIssuer } from './workload-issuer.ts'

let issuer: WorkloadIssuer
before(async () => { issuer = await startWorkloadIssuer() })
after(() => issuer.close())

test('the local workload issuer publishes discovery and keys that verify its GitHub- and Kubernetes-style tokens', async () => {
  const discovery = await (await fetch(`${issuer.url}/.well-known/openid-configuration`)).json() as { issuer: string; jwks_uri: string }
  assert.equal(discovery.issuer, issuer.url)
  const keys = createRemoteJWKSet(new URL(discovery.jwks_uri))
  const { payload } = await jwtVerify(await issuer.github({ repository: 'acme/etl', environment: 'prod' }), keys, { issuer: issuer.url, audience: 'conductor' })
  assert.equal(payload.sub, 'repo:acme/etl:environment:prod')
  assert.equal(payload.repository_owner, 'acme')
  assert.equal(payload.job_workflow_ref, 'acme/etl/.github/workflows/deploy.yml@refs/heads/main')
  const { payload: pod } = await jwtVerify(await issuer.kubernetes({ namespace: 'etl', serviceAccount: 'runner' }), keys, { issuer: issuer.url, audience: 'conductor' })
  assert.equal(pod.sub, 'system:serviceaccount:etl:runner')
  assert.deepEqual((pod['kubernetes.io'] as { serviceaccount: { name: string } }).serviceaccount.name, 'runner')
})

test('the misuse options really produce bad tokens', async () => {
  assert.equal(decodeProtectedHeader(await issuer.github({}, { hs256: true })).alg, 'HS256')
  assert.ok(decodeJwt(await issuer.github({}, { expiresInSeconds: -60 })).exp! < Date.now() / 1000)
  assert.equal(decodeJwt(await issuer.github({}, { audience: 'other' })).aud, 'other')
  const keys = createRemoteJWKSet(new URL(`${issuer.url}/.well-known/jwks`))
  await assert.rejects(jwtVerify(await issuer.github({}, { wrongKey: true }), keys))
})

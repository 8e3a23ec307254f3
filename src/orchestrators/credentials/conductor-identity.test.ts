import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { EnvironmentConfig } from '../../config/index.ts'
import type { Actor } from '../orchestrator.ts'
import { createActorCredentials, REQUEST_CLAIM } from './conductor-identity.ts'

const env = {
  name: 'people', kind: 'airflow3', url: 'http://airflow.invalid', zone: 'eu', tier: 'dev',
  credentials: { provider: 'files', secret: 'unused', kind: 'conductor-identity', role: 'OP' },
} as EnvironmentConfig

/** What the signer (identity's, injected) is asked to sign for one call as `actor`, and the header the call carries. */
async function signedFor(actor: Actor) {
  const asked: { actor: Actor; audience: string; claims: Record<string, string> }[] = []
  const credentials = createActorCredentials(env, async (who, audience, claims) => {
    asked.push({ actor: who, audience, claims })
    return `token-${asked.length}`
  }, actor)
  const headers = await credentials.headers()
  return { asked, headers, sensitive: credentials.sensitiveValues?.() ?? [] }
}

test('a dispatch of an approved request asks for a token naming it (conductor_request), beside the person and the role', async () => {
  const { asked, headers, sensitive } = await signedFor({ id: 'alice', type: 'User', request: 'req-7' })
  assert.equal(REQUEST_CLAIM, 'conductor_request')
  assert.deepEqual(asked, [{ actor: { id: 'alice', type: 'User' }, audience: 'apache-airflow', claims: { role: 'OP', conductor_request: 'req-7' } }])
  assert.equal(headers.authorization, 'Bearer token-1')
  assert.deepEqual(sensitive, ['token-1'])
})

test('any other call as the person asks for no request claim', async () => {
  const { asked } = await signedFor({ id: 'alice', type: 'User' })
  assert.deepEqual(asked[0]!.claims, { role: 'OP' })
})

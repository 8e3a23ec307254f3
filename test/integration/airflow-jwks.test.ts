import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'

// The JWKS Airflow's `trusted_jwks_url` points at: public, unauthenticated, Conductor's keys first, then the extra ones.
const pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
const airflowOwn = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }), kid: 'airflow-task-key', alg: 'RS256' }

let app: Awaited<ReturnType<typeof startTestApp>>
let base: string
before(async () => {
  app = await startTestApp({
    databaseUrl: 'sqlite::memory:', environments: [],
    secrets: { 'signing-new': pem(), 'signing-old': pem(), 'airflow-jwk': JSON.stringify(airflowOwn) },
    airflowTokens: {
      signingKeys: [{ provider: 'files', secret: 'signing-new' }, { provider: 'files', secret: 'signing-old' }],
      extraJwks: [{ provider: 'files', secret: 'airflow-jwk' }],
    },
  })
  base = await app.listen()
})
after(async () => { await app?.close() })

test('GET /.well-known/airflow-jwks.json answers without a token: both signing keys, then Airflow\'s own key, public members only', async () => {
  const res = await fetch(`${base}/.well-known/airflow-jwks.json`)
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type')!, /application\/json/)
  assert.equal(res.headers.get('cache-control'), 'public, max-age=60')
  const jwks = await res.json() as { keys: { kty: string; kid: string; alg?: string; d?: string }[] }
  assert.deepEqual(jwks.keys.map((k) => [k.kty, k.alg]), [['EC', 'ES256'], ['EC', 'ES256'], ['RSA', 'RS256']])
  assert.equal(jwks.keys[2]!.kid, 'airflow-task-key')
  assert.notEqual(jwks.keys[0]!.kid, jwks.keys[1]!.kid)
  assert.ok(jwks.keys.every((k) => k.d === undefined))
})

test('the JWKS route is in the OpenAPI document with its schema', async () => {
  const doc = await (await fetch(`${base}/openapi.json`)).json() as { paths: Record<string, { get?: { responses: Record<string, unknown> } }> }
  assert.ok(doc.paths['/.well-known/airflow-jwks.json']?.get?.responses['200'])
})

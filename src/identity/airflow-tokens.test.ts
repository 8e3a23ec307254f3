import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { describe, it } from 'node:test'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import type { SecretRef } from '../config/index.ts'
import { fixedClock, isConductorError } from '../core/index.ts'
import { createAirflowTokenSigner } from './airflow-tokens.ts'

const ISSUER = 'https://conductor.example'
const NOW = Date.UTC(2026, 0, 1)
const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
const ref = (secret: string): SecretRef => ({ provider: 'mem', secret })

function signer(values: Map<string, string>, config: { signingKeys: string[]; extraJwks?: string[]; lifetimeSeconds?: number }, now = NOW) {
  return createAirflowTokenSigner({
    config: { signingKeys: config.signingKeys.map(ref), extraJwks: (config.extraJwks ?? []).map(ref), lifetimeSeconds: config.lifetimeSeconds ?? 60 },
    getSecret: async (r) => {
      const value = values.get(r.secret)
      if (value === undefined) throw new Error(`no secret ${r.secret}`)
      return value
    },
    issuer: ISSUER, clock: fixedClock(now), randomId: (() => { let n = 0; return () => `jti-${++n}` })(),
  })
}

describe('per-person tokens for Airflow', () => {
  it('names the person, the environment\'s audience and Conductor, lives at most 60 s, and verifies against the published JWKS', async () => {
    const tokens = signer(new Map([['k1', ec()]]), { signingKeys: ['k1'] })
    const token = await tokens.sign({ id: 'alice', type: 'User' }, 'apache-airflow', { role: 'USER' })
    const jwks = await tokens.jwks()
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      audience: 'apache-airflow', issuer: ISSUER, currentDate: new Date(NOW + 59_000),
    })
    assert.equal(payload.sub, 'alice')
    assert.equal(payload.role, 'USER')
    assert.equal(payload.principal_type, 'User')
    assert.equal(payload.jti, 'jti-1')
    assert.equal(payload.iat, NOW / 1000)
    assert.equal(payload.nbf, NOW / 1000)
    assert.equal(payload.exp, NOW / 1000 + 60)
    assert.equal(protectedHeader.alg, 'ES256')
    assert.equal(protectedHeader.kid, jwks.keys[0]!.kid)
    await assert.rejects(jwtVerify(token, createLocalJWKSet(jwks), { audience: 'apache-airflow', currentDate: new Date(NOW + 61_000) }), /exp/)
    await assert.rejects(jwtVerify(token, createLocalJWKSet(jwks), { audience: 'other-airflow', currentDate: new Date(NOW) }), /aud/)
  })

  it('takes a shorter lifetime from config, and signs RSA keys with RS256', async () => {
    const tokens = signer(new Map([['k1', rsa()]]), { signingKeys: ['k1'], lifetimeSeconds: 15 })
    const token = await tokens.sign({ id: 'bob', type: 'User' }, 'apache-airflow')
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await tokens.jwks()), { currentDate: new Date(NOW) })
    assert.equal(payload.exp! - payload.iat!, 15)
    assert.equal(protectedHeader.alg, 'RS256')
  })

  it('publishes public keys only: kid is the RFC 7638 thumbprint, no private member, extra keys (a JWK or a JWKS) after Conductor\'s', async () => {
    const airflowKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' })
    const values = new Map([
      ['k1', ec()],
      ['airflow-own', JSON.stringify({ ...airflowKey, kid: 'airflow-kid' })],
      ['more', JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'abc', kid: 'other', d: 'must-not-leak' }] })],
    ])
    const jwks = await signer(values, { signingKeys: ['k1'], extraJwks: ['airflow-own', 'more'] }).jwks()
    assert.deepEqual(jwks.keys.map((k) => k.kid).slice(1), ['airflow-kid', 'other'])
    assert.match(jwks.keys[0]!.kid, /^[A-Za-z0-9_-]{43}$/)
    assert.deepEqual([jwks.keys[0]!.kty, jwks.keys[0]!.alg, jwks.keys[0]!.use], ['EC', 'ES256', 'sig'])
    assert.doesNotMatch(JSON.stringify(jwks), /"d"|must-not-leak/)
  })

  it('rotates with overlap: the new key signs while the old one stays published', async () => {
    const values = new Map([['old', ec()], ['new', ec()]])
    const before = signer(values, { signingKeys: ['old'] })
    const oldToken = await before.sign({ id: 'alice', type: 'User' }, 'apache-airflow')
    const after = signer(values, { signingKeys: ['new', 'old'] })
    const newToken = await after.sign({ id: 'alice', type: 'User' }, 'apache-airflow')
    const jwks = await after.jwks()
    assert.equal(jwks.keys.length, 2)
    assert.equal(decodeProtectedHeader(newToken).kid, jwks.keys[0]!.kid)
    assert.equal(decodeProtectedHeader(oldToken).kid, jwks.keys[1]!.kid)
    for (const token of [oldToken, newToken]) await jwtVerify(token, createLocalJWKSet(jwks), { currentDate: new Date(NOW) })
  })

  it('picks up a rotated secret value without a restart', async () => {
    const values = new Map([['k1', ec()]])
    const tokens = signer(values, { signingKeys: ['k1'] })
    const first = decodeProtectedHeader(await tokens.sign({ id: 'alice', type: 'User' }, 'a')).kid
    values.set('k1', ec())
    const second = decodeProtectedHeader(await tokens.sign({ id: 'alice', type: 'User' }, 'a')).kid
    assert.notEqual(first, second)
    assert.deepEqual((await tokens.jwks()).keys.map((k) => k.kid), [second])
  })

  it('refuses an unusable key with config_invalid that never quotes it, and signing without any key', async () => {
    const values = new Map([['bad', 'not-a-key-secret-material'], ['p384', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()]])
    for (const name of ['bad', 'p384']) {
      await assert.rejects(signer(values, { signingKeys: [name] }).sign({ id: 'alice', type: 'User' }, 'a'), (error) => {
        assert.ok(isConductorError(error, 'config_invalid'), String(error))
        assert.doesNotMatch(error.message, /secret-material|PRIVATE KEY/)
        return true
      })
    }
    await assert.rejects(signer(values, { signingKeys: [] }).sign({ id: 'alice', type: 'User' }, 'a'), (error) => isConductorError(error, 'config_invalid'))
  })
})

import assert from 'node:assert/strict'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { describe, it } from 'node:test'
import { decodeProtectedHeader, jwtVerify } from 'jose'
import { airflowUserToken } from './airflow-token.ts'

const pem = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString()

describe('airflowUserToken', () => {
  it('signs RS256 with an RSA key: the claims of ConductorUser.to_claims, Airflow\'s audience, no issuer unless given', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const token = await airflowUserToken({ privateKeyPem: pem(privateKey), kid: 'k1', sub: 'alice', name: 'Alice Example', groups: ['data-eng'], ttlSeconds: 120 })
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'RS256', kid: 'k1', typ: 'JWT' })
    const { payload } = await jwtVerify(token, publicKey, { audience: 'apache-airflow' })
    assert.equal(payload.sub, 'alice')
    assert.equal(payload.name, 'Alice Example')
    assert.deepEqual(payload.groups, ['data-eng'])
    assert.equal(payload.principal_type, 'User')
    assert.equal(payload.exp! - payload.iat!, 120)
    assert.equal(payload.nbf, payload.iat)
    assert.match(String(payload.jti), /^[0-9a-f]{32}$/)
    assert.equal('iss' in payload, false)
  })

  it('signs ES256 with a P-256 key and carries the issuer and audience Airflow is configured with', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const token = await airflowUserToken({ privateKeyPem: pem(privateKey), kid: 'k2', sub: 'svc', principalType: 'ServiceAccount', audience: 'my-airflow', issuer: 'https://airflow.example' })
    assert.equal(decodeProtectedHeader(token).alg, 'ES256')
    const { payload } = await jwtVerify(token, publicKey, { audience: 'my-airflow', issuer: 'https://airflow.example' })
    assert.equal(payload.principal_type, 'ServiceAccount')
    assert.equal(payload.name, 'svc')
  })

  it('refuses a key Airflow would not guess an algorithm for', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' })
    await assert.rejects(airflowUserToken({ privateKeyPem: pem(privateKey), kid: 'k3', sub: 'alice' }), /RSA or P-256 key/)
  })
})

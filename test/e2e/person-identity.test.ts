import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { adminToken, startAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { freePort, startTestApp } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'

// A real Airflow 3 that trusts Conductor's JWKS (`[api_auth] trusted_jwks_url`): a trigger through Conductor in an
// environment of credential kind `conductor-identity` is recorded by Airflow as alice's, not the service account's.
describe('runs in the person\'s name against a real Airflow 3 trusting Conductor\'s JWKS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conductor-person-'))
  let airflow: AirflowHandle
  let app: Awaited<ReturnType<typeof startTestApp>>
  let airflowToken: string

  before(async () => {
    // Airflow signs its own tokens (UI, API, tasks) with this key; once trusted_jwks_url is set, the JWKS must hold it too.
    const airflowKeys = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const airflowKeyPath = join(dir, 'airflow-jwt.pem')
    writeFileSync(airflowKeyPath, airflowKeys.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 })
    const airflowJwk = { ...airflowKeys.publicKey.export({ format: 'jwk' }), kid: 'airflow-e2e', alg: 'RS256', use: 'sig' }
    const conductorKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()

    const port = await freePort()
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
      environments: [{ name: 'people', url: `http://127.0.0.1:${port}`, credentials: { kind: 'conductor-identity' } }],
      secrets: { 'airflow-token-key': conductorKey, 'airflow-own-jwk': JSON.stringify(airflowJwk) },
      airflowTokens: { signingKeys: [{ provider: 'files', secret: 'airflow-token-key' }], extraJwks: [{ provider: 'files', secret: 'airflow-own-jwk' }] },
    })
    // What Conductor publishes is what Airflow is given: the JWKS file is Conductor's own answer.
    const jwks = await app.server.inject({ method: 'GET', url: '/.well-known/airflow-jwks.json' })
    assert.equal(jwks.statusCode, 200, jwks.body)
    const jwksPath = join(dir, 'trusted-jwks.json')
    writeFileSync(jwksPath, jwks.body)

    airflow = await startAirflow({
      port,
      env: {
        AIRFLOW__API_AUTH__TRUSTED_JWKS_URL: jwksPath,
        AIRFLOW__API_AUTH__JWT_PRIVATE_KEY_PATH: airflowKeyPath,
        AIRFLOW__API_AUTH__JWT_KID: 'airflow-e2e',
      },
    })
    // The service account (its password exchanged at /auth/token for a token Airflow signed) still reads the catalog.
    writeFileSync(join(app.dir, 'secrets', 'airflow-people'), JSON.stringify({ username: airflow.username, password: airflow.password }))
    const statuses = await app.governance.catalog.syncAll()
    assert.equal(statuses.find((s) => s.environment === 'people')!.reachable, 1)
    // Airflow's own token, signed with its own key and accepted only because the JWKS holds that key too.
    airflowToken = await adminToken(airflow)
  })
  after(async () => {
    await app?.close()
    await airflow?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const airflowGet = async (path: string) => {
    const res = await fetch(`${airflow.url}/api/v2${path}`, { headers: { authorization: `Bearer ${airflowToken}` } })
    assert.equal(res.status, 200, `${path}: ${res.status}`)
    return res.json() as Promise<Record<string, unknown>>
  }

  test('alice triggers etl_daily through Conductor: Airflow records her as the triggering user, and its event log names her', async () => {
    const alice = await app.tokenFor('alice')
    const res = await app.server.inject({
      method: 'POST', url: '/api/v1/environments/people/dags/etl_daily/runs', headers: { authorization: `Bearer ${alice}` }, payload: { conf: {}, reason: 'as myself' },
    })
    assert.equal(res.statusCode, 201, res.body)
    const { request, run } = res.json() as { request: { id: string; state: string }; run: { runId: string } }
    assert.equal(request.state, 'succeeded')

    const inAirflow = await airflowGet(`/dags/etl_daily/dagRuns/${run.runId}`)
    assert.equal(inAirflow.triggering_user_name, 'alice')
    assert.match(String(inAirflow.note), /User alice/)

    const logs = await eventually(async () => {
      const body = await airflowGet('/eventLogs?dag_id=etl_daily&event=trigger_dag_run&limit=100')
      const entries = body.event_logs as { owner: string | null; extra: string | null }[]
      const hers = entries.filter((e) => e.owner === 'alice' && (e.extra ?? '').includes(run.runId))
      if (hers.length === 0) throw new Error(`no trigger_dag_run by alice for ${run.runId} yet (${entries.length} entries)`)
      return hers
    }, { what: 'Airflow\'s event log to record alice\'s trigger', timeoutMs: 30_000, intervalMs: 500 })
    assert.equal(logs.length, 1)

    // The per-person token appears nowhere Conductor keeps or answers.
    const jwt = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/
    assert.doesNotMatch(res.body, jwt)
    const events = await app.audit.query({ requestId: request.id })
    assert.deepEqual(events.map((e) => e.type), ['authz.decision', 'dispatch.sent', 'dispatch.result'])
    assert.doesNotMatch(JSON.stringify(events), jwt)
  })
})

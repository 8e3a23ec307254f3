import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { airflowUserToken } from '../../harness/airflow-token.ts'
import { freePort, startTestApp, TEST_USERS } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'

const TEAM_DAG = 'conductor_team_report'
const root = join(import.meta.dirname, '..', '..')

// A real Airflow 3 in multi-team mode (`[core] multi_team`, team data-eng, a DAG bundle of that team holding the
// untagged conductor_team_report) running the Conductor auth manager, and a real Conductor whose policies gain one
// that lets data-eng read and trigger DAGs by team alone. Airflow's REST API never says which team a DAG is; its
// questions to Conductor do, and Conductor decides by it and remembers it for its own API.
describe('Airflow 3 in multi-team mode decides by a DAG\'s team through Conductor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conductor-airflow-teams-'))
  let app: Awaited<ReturnType<typeof startTestApp>>
  let airflow: AirflowHandle
  let conductorUrl: string
  let airflowKeyPem: string
  const tokens: Record<string, string> = {}

  before(async () => {
    const policies = join(dir, 'policies')
    cpSync(join(root, 'policies'), policies, { recursive: true })
    writeFileSync(join(policies, 'airflow-teams.cedar'), [
      '@id("airflow-team-data-eng")',
      'permit(principal in Group::"data-eng", action in [Action::"dag:read", Action::"dag:trigger"], resource)',
      'when { resource has team && resource.team == "data-eng" };',
    ].join('\n'))
    const airflowKeys = generateKeyPairSync('rsa', { modulusLength: 2048 })
    airflowKeyPem = airflowKeys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    const airflowKeyPath = join(dir, 'airflow-jwt.pem')
    writeFileSync(airflowKeyPath, airflowKeyPem, { mode: 0o600 })
    const airflowJwk = { ...airflowKeys.publicKey.export({ format: 'jwk' }), kid: 'airflow-ui', alg: 'RS256', use: 'sig' }
    const conductorKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    const users = [...TEST_USERS, { username: 'airflow-am', name: 'Airflow auth manager', email: 'am@example.com', groups: ['airflow-auth-managers'] }]
    const airflowPort = await freePort()
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`, port: await freePort(), policyFolder: policies,
      // Conductor reaches Airflow as the person (tokens it signs, which Airflow trusts), so Airflow's auth manager decides.
      environments: [{
        name: 'teams', url: `http://127.0.0.1:${airflowPort}`, timeoutMs: 30_000,
        credentials: { kind: 'conductor-identity', serviceAccountKind: 'conductor-signed' }, settings: { conductorAuthManager: true },
      }],
      secrets: { 'airflow-token-key': conductorKey, 'airflow-own-jwk': JSON.stringify(airflowJwk) },
      extraConfig: {
        identity: {
          audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users },
          airflowTokens: { signingKeys: [{ provider: 'files', secret: 'airflow-token-key' }], extraJwks: [{ provider: 'files', secret: 'airflow-own-jwk' }] },
        },
      },
    })
    conductorUrl = await app.listen()
    const tokenFile = join(dir, 'conductor-token')
    writeFileSync(tokenFile, await app.tokenFor('airflow-am'), { mode: 0o600 })
    // One DAG of no team beside the team's: a small Airflow to parse on a shared machine.
    const dags = join(dir, 'dags')
    mkdirSync(dags)
    copyFileSync(join(root, 'dags', 'etl_daily.py'), join(dags, 'etl_daily.py'))
    airflow = await startAirflow({
      port: airflowPort, dagsFolders: [dags],
      team: { name: 'data-eng', dagsFolders: [join(root, 'test', 'dags-teams')] },
      conductor: { url: conductorUrl, environment: 'teams', tokenFile },
      env: {
        AIRFLOW__API_AUTH__TRUSTED_JWKS_URL: `${conductorUrl}/.well-known/airflow-jwks.json`,
        AIRFLOW__API_AUTH__JWT_PRIVATE_KEY_PATH: airflowKeyPath,
        AIRFLOW__API_AUTH__JWT_KID: 'airflow-ui',
      },
    })
    // Airflow's first answers can be slow on a busy machine (it asks Conductor in turn): the sync is retried a while.
    await eventually(async () => {
      const [status] = await app.governance.catalog.syncAll()
      if (status!.reachable !== 1) throw new Error(String(status!.last_error))
      return true
    }, { what: 'the first catalog sync of the multi-team Airflow', timeoutMs: 60_000, intervalMs: 2000 })
    // Conductor answers only for people it has seen: each uses Conductor once.
    for (const user of ['alice', 'bob']) {
      tokens[user] = await app.tokenFor(user)
      assert.equal((await conductor('GET', '/me', user)).status, 200)
    }
  })
  after(async () => {
    await app?.close()
    await airflow?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const conductor = (method: 'GET' | 'POST', path: string, user: string, body?: unknown) => fetch(`${conductorUrl}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${tokens[user]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(60_000),
  })
  /** Signs `user` in as Airflow's own sign-in would: a token from Airflow's key, for Airflow's REST API. */
  const airflowToken = (user: string) => {
    const { name, groups } = TEST_USERS.find((u) => u.username === user)!
    return airflowUserToken({ privateKeyPem: airflowKeyPem, kid: 'airflow-ui', sub: user, name, groups })
  }
  const airflowApi = async (user: string, path: string, init: RequestInit = {}) => fetch(`${airflow.url}/api/v2${path}`, {
    ...init, headers: { authorization: `Bearer ${await airflowToken(user)}`, 'content-type': 'application/json' }, signal: AbortSignal.timeout(30_000),
  })
  const listDags = async (user: string) => {
    const res = await airflowApi(user, '/dags?limit=100')
    assert.equal(res.status, 200, await res.clone().text())
    return ((await res.json()) as { dags: { dag_id: string }[] }).dags.map((d) => d.dag_id).sort()
  }
  /** The DAG's team in Conductor's catalog, as alice reads it through Conductor's API. */
  const catalogTeam = async () => {
    const res = await conductor('GET', `/environments/teams/dags/${TEAM_DAG}`, 'alice')
    assert.equal(res.status, 200, await res.clone().text())
    return ((await res.json()) as { team: string | null }).team
  }
  const airflowRuns = () => airflow.metadata!.query<{ run_id: string; triggering_user_name: string | null }>('SELECT run_id, triggering_user_name FROM dag_run WHERE dag_id = ? ORDER BY id', [TEAM_DAG])

  test('Airflow puts the DAG in the team\'s bundle, and its REST API does not say so', async () => {
    assert.deepEqual(await airflow.metadata!.query('SELECT dag_bundle_name, team_name FROM dag_bundle_team'), [{ dag_bundle_name: 'data-eng', team_name: 'data-eng' }])
    assert.deepEqual(await airflow.metadata!.query('SELECT bundle_name FROM dag WHERE dag_id = ?', [TEAM_DAG]), [{ bundle_name: 'data-eng' }])
    // So Conductor's catalog sync cannot learn it: only the auth manager's questions name it.
    const dag = await airflowApi('alice', `/dags/${TEAM_DAG}`)
    assert.equal(dag.status, 200)
    assert.deepEqual(Object.keys(await dag.json() as object).filter((key) => key.includes('team')), [])
  })

  test('Airflow lists the team\'s DAG to alice (data-eng) by its team alone', async () => {
    assert.deepEqual(await listDags('alice'), ['conductor_team_report', 'etl_daily'])
  })

  test('alice triggers the team\'s DAG through Airflow\'s own API; bob is refused (403) and no run of his exists', async () => {
    const alice = await airflowApi('alice', `/dags/${TEAM_DAG}/dagRuns`, { method: 'POST', body: JSON.stringify({ dag_run_id: 'alice_direct', logical_date: null }) })
    assert.equal(alice.status, 200, await alice.text())
    const bob = await airflowApi('bob', `/dags/${TEAM_DAG}/dagRuns`, { method: 'POST', body: JSON.stringify({ dag_run_id: 'bob_direct', logical_date: null }) })
    assert.equal(bob.status, 403, await bob.text())
    assert.deepEqual(await airflowRuns(), [{ run_id: 'alice_direct', triggering_user_name: 'alice' }])
    // The questions named the team: Conductor's audit shows alice allowed and bob denied dag:trigger.
    const triggers = async (principal: string) => (await app.audit.query({ type: 'airflow.authorize', principal, environment: 'teams', limit: 1000 })).reduce((sum, e) => {
      const c = (e.data as { counts: Record<string, { allowed: number; denied: number } | undefined> }).counts['dag:trigger']
      return { allowed: sum.allowed + (c?.allowed ?? 0), denied: sum.denied + (c?.denied ?? 0) }
    }, { allowed: 0, denied: 0 })
    assert.ok((await triggers('alice')).allowed >= 1)
    assert.ok((await triggers('bob')).denied >= 1)
  })

  test('Conductor\'s catalog now shows the DAG\'s team, and alice\'s trigger through Conductor\'s own API is allowed and runs in Airflow as hers', async () => {
    assert.equal(await catalogTeam(), 'data-eng')
    const asked = await conductor('POST', `/environments/teams/dags/${TEAM_DAG}/runs`, 'alice', { reason: 'team report' })
    assert.equal(asked.status, 201, await asked.clone().text())
    const runs = await airflowRuns()
    assert.equal(runs.length, 2, JSON.stringify(runs))
    assert.equal(runs[1]!.triggering_user_name, 'alice')
    const refused = await conductor('POST', `/environments/teams/dags/${TEAM_DAG}/runs`, 'bob', { reason: 'not my team' })
    assert.equal(refused.status, 403, await refused.clone().text())
    assert.equal((await airflowRuns()).length, 2)
  })
})

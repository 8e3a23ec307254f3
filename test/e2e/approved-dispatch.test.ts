import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { generateKeyPairSync } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { airflowUserToken } from '../../harness/airflow-token.ts'
import { freePort, startTestApp, TEST_USERS } from '../../harness/app.ts'
import { createAirflowTokenSigner } from '../../src/identity/index.ts'

const DAG = 'conductor_sensitive'

// A real Airflow 3 running the Conductor auth manager, reached by Conductor with per-person tokens
// (`conductor-identity`, `conductor-signed`): a trigger of a `sensitive` DAG waits for a data lead; once dave approves,
// Conductor dispatches it as alice with a token naming the request, and Airflow's auth manager lets exactly that
// dispatch through, while alice on her own still cannot trigger the DAG through Airflow's API.
describe('an approved run through Airflow\'s Conductor auth manager', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conductor-approved-dispatch-'))
  let app: Awaited<ReturnType<typeof startTestApp>>
  let airflow: AirflowHandle
  let conductorUrl: string
  let conductorKey: string
  let airflowKeyPem: string
  const tokens: Record<string, string> = {}

  before(async () => {
    const airflowKeys = generateKeyPairSync('rsa', { modulusLength: 2048 })
    airflowKeyPem = airflowKeys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    const airflowKeyPath = join(dir, 'airflow-jwt.pem')
    writeFileSync(airflowKeyPath, airflowKeyPem, { mode: 0o600 })
    const airflowJwk = { ...airflowKeys.publicKey.export({ format: 'jwk' }), kid: 'airflow-ui', alg: 'RS256', use: 'sig' }
    conductorKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    const users = [...TEST_USERS, { username: 'airflow-am', name: 'Airflow auth manager', email: 'am@example.com', groups: ['airflow-auth-managers'] }]
    const airflowPort = await freePort()
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`, port: await freePort(),
      environments: [{
        name: 'local', url: `http://127.0.0.1:${airflowPort}`,
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
    // Only the one DAG: a smaller Airflow to parse on a shared machine.
    const dags = join(dir, 'dags')
    mkdirSync(dags)
    copyFileSync(join(import.meta.dirname, '..', 'dags', `${DAG}.py`), join(dags, `${DAG}.py`))
    airflow = await startAirflow({
      port: airflowPort, dagsFolders: [dags],
      conductor: { url: conductorUrl, environment: 'local', tokenFile },
      env: {
        AIRFLOW__API_AUTH__TRUSTED_JWKS_URL: `${conductorUrl}/.well-known/airflow-jwks.json`,
        AIRFLOW__API_AUTH__JWT_PRIVATE_KEY_PATH: airflowKeyPath,
        AIRFLOW__API_AUTH__JWT_KID: 'airflow-ui',
      },
    })
    const [status] = await app.governance.catalog.syncAll()
    assert.equal(status!.reachable, 1, String(status!.last_error))
    for (const user of ['alice', 'dave']) tokens[user] = await app.tokenFor(user)
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
  const airflowTrigger = (token: string, runId: string) => fetch(`${airflow.url}/api/v2/dags/${DAG}/dagRuns`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ dag_run_id: runId, logical_date: null, conf: { table: 'cards' } }), signal: AbortSignal.timeout(30_000),
  })
  const airflowRuns = () => airflow.metadata!.query<{ run_id: string; triggering_user_name: string | null; note: string | null }>(
    'SELECT r.run_id, r.triggering_user_name, n.content AS note FROM dag_run r LEFT JOIN dag_run_note n ON n.dag_run_id = r.id WHERE r.dag_id = ?', [DAG])
  /** A token for `sub` as Conductor signs them for Airflow, naming `request`: what Conductor's dispatch of it carries. */
  const conductorSigned = async (sub: string, request: string) => createAirflowTokenSigner({
    config: { signingKeys: [{ provider: 'files', secret: 'airflow-token-key' }], extraJwks: [], lifetimeSeconds: 60 },
    getSecret: async () => conductorKey, issuer: conductorUrl,
  }).sign({ id: sub, type: 'User' }, 'apache-airflow', { role: 'USER', conductor_request: request })

  test('alice\'s trigger waits; dave approves; the run starts in Airflow as alice, its note naming dave; alice alone is still refused', { timeout: 240_000 }, async () => {
    const asked = await conductor('POST', `/environments/local/dags/${DAG}/runs`, 'alice', { conf: { table: 'payments' }, reason: 'month-end export' })
    assert.equal(asked.status, 202, await asked.clone().text())
    const request = ((await asked.json()) as { request: { id: string; state: string } }).request
    assert.equal(request.state, 'pending')
    assert.equal((await airflowRuns()).length, 0, 'nothing runs before approval')

    const approved = await conductor('POST', `/requests/${request.id}/approve`, 'dave', { comment: 'ok for November' })
    assert.equal(approved.status, 200, await approved.clone().text())
    const view = (await approved.json()) as { state: string; errorCode?: string | null; runId?: string | null }
    assert.notEqual(view.state, 'failed', JSON.stringify(view))
    const runs = await airflowRuns()
    assert.equal(runs.length, 1, JSON.stringify(runs))
    assert.equal(runs[0]!.run_id, `conductor__${request.id}`)
    assert.equal(runs[0]!.triggering_user_name, 'alice')
    assert.match(runs[0]!.note ?? '', /Approved by User dave/)

    // The auth manager's question was allowed for that dispatch alone, and Conductor says so in its audit trail.
    const events = await app.audit.query({ type: 'airflow.authorize', principal: 'alice', limit: 1000 })
    const byRequest = events.filter((e) => e.requestId === request.id)
    assert.ok(byRequest.some((e) => (e.data.request as { allowed: number }).allowed === 1), JSON.stringify(byRequest.map((e) => e.data)))

    // Alice through Airflow's own API, signed in as Airflow's sign-in would sign her in: refused, no run.
    const own = await airflowUserToken({ privateKeyPem: airflowKeyPem, kid: 'airflow-ui', sub: 'alice', name: 'Alice Example', groups: ['data-eng'] })
    const direct = await airflowTrigger(own, 'alice_direct')
    assert.equal(direct.status, 403, await direct.text())
    // Even a token Conductor signed naming that request no longer helps: the request is no longer being dispatched.
    const replayed = await airflowTrigger(await conductorSigned('alice', request.id), 'alice_replay')
    assert.equal(replayed.status, 403, await replayed.text())
    assert.deepEqual((await airflowRuns()).map((r) => r.run_id), [`conductor__${request.id}`])
  })

  test('an AI agent sponsored by alice asks with its API token; dave approves; the run starts in Airflow in the agent\'s name', { timeout: 240_000 }, async () => {
    const created = await conductor('POST', '/service-accounts', 'alice', {
      name: 'export-agent', kind: 'agent', owner: { type: 'Group', id: 'data-eng' }, groups: ['data-eng'], tools: ['trigger_dag'],
    })
    assert.equal(created.status, 201, await created.clone().text())
    const issued = await conductor('POST', '/service-accounts/export-agent/tokens', 'alice', { name: 'e2e', expiresInDays: 1 })
    assert.equal(issued.status, 201, await issued.clone().text())
    tokens.agent = ((await issued.json()) as { token: string }).token

    const asked = await conductor('POST', `/environments/local/dags/${DAG}/runs`, 'agent', { conf: { table: 'refunds' }, reason: 'nightly refunds export' })
    assert.equal(asked.status, 202, await asked.clone().text())
    const request = ((await asked.json()) as { request: { id: string } }).request
    const approved = await conductor('POST', `/requests/${request.id}/approve`, 'dave', { comment: 'ok' })
    assert.equal(approved.status, 200, await approved.clone().text())
    const view = (await approved.json()) as { state: string }
    assert.notEqual(view.state, 'failed', JSON.stringify(view))
    const run = (await airflowRuns()).find((r) => r.run_id === `conductor__${request.id}`)
    const trail = async () => JSON.stringify({ view, runs: await airflowRuns(), events: (await app.audit.query({ principal: 'export-agent', limit: 50 })).map((e) => [e.type, e.requestId, e.data]) })
    assert.ok(run, await trail())
    assert.equal(run.triggering_user_name, 'export-agent')
    assert.match(run.note ?? '', /Agent export-agent/)
    // Airflow's auth manager asked Conductor about the agent, as an Agent, and Conductor allowed that dispatch.
    const asks = (await app.audit.query({ type: 'airflow.authorize', principal: 'export-agent', limit: 1000 })).filter((e) => e.requestId === request.id)
    assert.ok(asks.length > 0 && asks.every((e) => e.principalType === 'Agent'), JSON.stringify(asks.map((e) => [e.principalType, e.data])))
  })
})

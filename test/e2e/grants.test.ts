import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { useAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { startTestApp, TEST_USERS } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'
import { fixedClock } from '../../src/core/index.ts'
import { policiesWithQa } from '../support/policies.ts'

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

// Just-in-time grants against a real Airflow 3 as a prod environment: bob (analysts) may not rerun a failed run; a
// one-hour grant of jit-prod-rerun approved by dave lets him (Airflow clears the task); once the clock passes its end
// the same rerun is denied; deprovisioning bob revokes an active grant and cancels his pending request.
describe('just-in-time grants against a real Airflow 3', () => {
  let airflow: AirflowHandle
  let app: Awaited<ReturnType<typeof startTestApp>>
  let scimToken: string
  const tokens: Record<string, string> = {}
  const dir = mkdtempSync(join(tmpdir(), 'conductor-e2e-grants-'))
  // The development issuer's tokens live an hour of real time: the clock starts 4 minutes behind (5 minutes of skew are
  // allowed here), so a one-hour grant can start, end, and be tried after its end with the same tokens.
  const clock = fixedClock(Date.now())

  before(async () => {
    airflow = await useAirflow()
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
      policyFolder: policiesWithQa(join(dir, 'policies')),
      environments: [{ name: 'prod', url: airflow.url, username: airflow.username, password: airflow.password, settings: { tier: 'prod' } }],
      extraConfig: { identity: { audience: 'conductor', clockSkewSeconds: 300, devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users: TEST_USERS }, scim: { enabled: true } } },
      app: { clock },
    })
    for (const user of ['alice', 'bob', 'dave']) tokens[user] = await app.tokenFor(user)
    clock.set(Date.now() - 4 * 60_000)
    scimToken = (await app.scim!.tokens.create('okta')).token
    await app.governance.catalog.syncAll()
  })
  after(async () => {
    await app?.close()
    await airflow?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const call = (method: 'GET' | 'POST', url: string, user: string, payload?: unknown) =>
    app.server.inject({ method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload !== undefined ? { payload: payload as object } : {}) })
  const runState = (runId: string, states: string[]) => eventually(async () => {
    const run = (await call('GET', `/api/v1/environments/prod/dags/conductor_fails_once/runs/${runId}`, 'alice')).json()
    if (!states.includes(run.state)) throw new Error(`state is "${run.state}"`)
    return run as { state: string; tasks: { taskId: string; state: string | null }[] }
  }, { what: `run ${runId} to reach ${states.join(' or ')}`, timeoutMs: 180_000, intervalMs: 1000 })
  const rerun = (runId: string) => call('POST', `/api/v1/environments/prod/dags/conductor_fails_once/runs/${runId}/rerun`, 'bob', { reason: 'incident 4411' })
  const ask = async (hours: number) => {
    const res = await call('POST', '/api/v1/grants', 'bob', { group: 'jit-prod-rerun', hours, reason: 'incident 4411' })
    assert.equal(res.statusCode, 202, res.body)
    return res.json().request.id as string
  }

  let failed: string
  test('bob may not rerun a failed run in prod; with a one-hour grant dave approved he may, and Airflow clears the task; past its end, denied again', async () => {
    const trigger = await call('POST', '/api/v1/environments/prod/dags/conductor_fails_once/runs', 'alice', {})
    assert.equal(trigger.statusCode, 201, trigger.body)
    failed = trigger.json().run.runId
    assert.equal((await runState(failed, ['failed', 'success'])).state, 'failed')

    const refused = await rerun(failed)
    assert.deepEqual([refused.statusCode, refused.json().error.code], [403, 'policy_denied'])

    const requestId = await ask(1)
    const approved = await call('POST', `/api/v1/requests/${requestId}/approve`, 'dave', { comment: 'incident 4411' })
    assert.equal(approved.statusCode, 200, approved.body)
    const grantId = approved.json().grantId as string
    const [grant] = (await call('GET', '/api/v1/grants', 'bob')).json().grants
    assert.deepEqual([grant.id, grant.state, grant.remainingSeconds, grant.approvedBy], [grantId, 'active', 3600, ['User dave']])

    const allowed = await rerun(failed)
    assert.equal(allowed.statusCode, 200, allowed.body)
    assert.ok(allowed.json().clearedTaskIds.includes('flaky'), allowed.body)
    // conductor_fails_once succeeds on its second try: the rerun really ran in Airflow.
    assert.equal((await runState(failed, ['success'])).state, 'success')

    clock.advance(61 * 60_000)
    const late = await rerun(failed)
    assert.deepEqual([late.statusCode, late.json().error.code], [403, 'policy_denied'], 'the grant ended: the same rerun is denied')
    assert.deepEqual((await call('GET', '/api/v1/grants?state=all', 'bob')).json().grants.map((g: { id: string; state: string }) => [g.id, g.state]), [[grantId, 'expired']])
  })

  test('deprovisioning bob revokes his active grant and cancels his pending grant request', async () => {
    const active = await ask(1)
    assert.equal((await call('POST', `/api/v1/requests/${active}/approve`, 'dave', {})).statusCode, 200)
    const pending = await ask(2)

    const base = await app.listen()
    const scim = async (method: string, path: string, body: unknown) => {
      const res = await fetch(`${base}/scim/v2${path}`, { method, headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(body) })
      return { status: res.status, body: await res.json() as { id: string } }
    }
    const user = await scim('POST', '/Users', { schemas: [SCIM_USER], userName: 'bob', active: true })
    assert.equal(user.status, 201)
    assert.equal((await scim('PATCH', `/Users/${user.body.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] })).status, 200)

    const rows = await app.database.db.selectFrom('grants').select(['id', 'state', 'revoked_by']).where('principal_id', '=', 'bob').orderBy('starts_at').execute()
    assert.deepEqual(rows.find((r) => r.id === active), { id: active, state: 'revoked', revoked_by: 'scim' })
    assert.equal((await app.database.db.selectFrom('requests').select('state').where('id', '=', pending).executeTakeFirstOrThrow()).state, 'cancelled')
    assert.equal((await call('POST', `/api/v1/requests/${pending}/approve`, 'dave', {})).statusCode, 409, 'a cancelled request cannot be approved into a grant')
    assert.equal((await rerun(failed)).statusCode, 401, 'bob is signed out')
  })
})

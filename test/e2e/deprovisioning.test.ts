import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { after, before, describe, test } from 'node:test'
import { useAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { freePort, startTestApp } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'
import { browser, signIn } from '../support/http-browser.ts'
import { conductor } from '../support/cli.ts'

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

describe('access evaporates: SCIM deprovisioning against a real Airflow', () => {
  let airflow: AirflowHandle
  let app: Awaited<ReturnType<typeof startTestApp>>
  let base: string
  let scimToken: string
  const dir = mkdtempSync(join(tmpdir(), 'conductor-deprov-'))

  before(async () => {
    airflow = await useAirflow()
    const port = await freePort()
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`, port,
      environments: [{ name: 'local', url: airflow.url, username: airflow.username, password: airflow.password }],
      // SCIM is the source of groups: token claims only say who the user is.
      scim: { enabled: true, groupsSource: 'scim' },
    })
    base = await app.listen()
    await app.governance.catalog.syncAll()
    scimToken = (await app.scim!.tokens.create('okta')).token
  })
  after(async () => {
    await app?.close()
    await airflow?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const scim = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/scim/v2${path}`, {
      method, headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' }, ...(body ? { body: JSON.stringify(body) } : {}),
    })
    return { status: res.status, body: (res.status === 204 ? {} : await res.json()) as { id: string; Resources: { id: string }[] } }
  }

  test('alice, provisioned by SCIM into data-eng, triggers; deactivated, she is refused everywhere within a second', async () => {
    const user = await scim('POST', '/Users', { schemas: [SCIM_USER], userName: 'alice', externalId: '00u-alice', name: { givenName: 'Alice', familyName: 'Example' }, emails: [{ value: 'alice@example.com', primary: true }], active: true })
    assert.equal(user.status, 201)
    const group = await scim('POST', '/Groups', { schemas: [SCIM_GROUP], displayName: 'data-eng', members: [{ value: user.body.id }] })
    assert.equal(group.status, 201)

    // Alice works: a console session, a CLI/API token, and a run.
    const b = browser()
    await signIn(b, base, 'alice')
    const token = await app.tokenFor('alice')
    const trigger = await fetch(`${base}/api/v1/environments/local/dags/etl_daily/runs`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ conf: { day: '2026-11-24' } }) })
    assert.equal(trigger.status, 201)
    assert.equal((await b.go(`${base}/api/v1/me`)).res.status, 200)
    assert.equal((await conductor(['whoami', '--server', base, '--token', token])).code, 0)

    // Okta deactivates her: PATCH active=false.
    const started = performance.now()
    const off = await scim('PATCH', `/Users/${user.body.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] })
    assert.equal(off.status, 200)
    const api = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })
    const console = await b.go(`${base}/api/v1/me`)
    const elapsed = performance.now() - started
    assert.equal(api.status, 401)
    assert.equal(console.res.status, 401)
    assert.ok(elapsed < 1000, `refused ${elapsed.toFixed(0)} ms after the SCIM call`)
    const cli = await conductor(['whoami', '--server', base, '--token', token])
    assert.equal(cli.code, 6, cli.stderr)

    const revoked = await app.audit.query({ type: 'access.revoked', principal: 'alice' })
    assert.equal(revoked.at(-1)!.data.reason, 'scim_deactivated')
    assert.ok(Number(revoked.at(-1)!.data.sessionsEnded) >= 1)
    const scimEvents = await app.audit.query({ type: 'scim.request' })
    assert.ok(scimEvents.some((e) => e.data.method === 'PATCH' && e.data.status === 200))
    const refusals = await app.audit.query({ type: 'auth.failed' })
    assert.ok(refusals.filter((e) => e.data.reason === 'session_revoked' || e.data.reason === 'session_invalid').length >= 2)
    assert.equal(JSON.stringify(await app.audit.query({ limit: 1000 })).includes(scimToken), false, 'no SCIM token in the audit trail')
  })

  test('re-activated, she signs in again and works; removed from data-eng, she loses its grants at her next request', async () => {
    const found = await scim('GET', '/Users?filter=userName%20eq%20%22alice%22')
    const id = found.body.Resources[0]!.id
    assert.equal((await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] })).status, 200)
    // Tokens issued up to the second of the deactivation stay refused (iat has whole-second grain): wait for a
    // freshly issued one to be accepted, which must happen within about a second.
    const token = await eventually(async () => {
      const fresh = await app.tokenFor('alice')
      const res = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${fresh}` } })
      return res.status === 200 ? fresh : undefined
    }, { what: 'a token issued after re-activation to be accepted', timeoutMs: 3_000 })
    const can = async () => (await (await fetch(`${base}/api/v1/authorize`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ action: 'dag:trigger', environment: 'local', dag: 'etl_daily' }) })).json() as { decision: string }).decision
    assert.equal(await can(), 'allow')
    const groups = await scim('GET', '/Groups?filter=displayName%20eq%20%22data-eng%22')
    const groupId = groups.body.Resources[0]!.id
    assert.equal((await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }] })).status, 200)
    assert.equal(await can(), 'deny', 'the same unexpired token no longer carries data-eng')
  })
})

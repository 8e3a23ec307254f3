import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { startTestApp, TEST_USERS } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

// Access evaporates for approvals too: a person SCIM deactivates has their pending requests cancelled and the
// approvals they gave on requests still pending withdrawn, so nothing of theirs can run later.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let scimToken: string
  const tokens: Record<string, string> = {}
  // The project's policies, plus DAGs tagged `dual` that wait for two data leads.
  const policies = mkdtempSync(join(tmpdir(), 'conductor-approvals-deprovisioning-'))
  cpSync(new URL('../../policies', import.meta.url).pathname, policies, { recursive: true })
  writeFileSync(join(policies, 'dual.cedar'), `@id("dual-control")
@approval("data-leads:2")
permit (principal in Group::"data-eng", action == Action::"dag:trigger", resource) when { resource.tags.contains("dual") };
`)
  const users = [
    ...TEST_USERS, { username: 'erin', name: 'Erin Lead', email: 'erin@example.com', groups: ['data-leads'] },
    { username: 'frank', name: 'Frank Engineer', email: 'frank@example.com', groups: ['data-eng'] },
  ]
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'payroll', tags: ['sensitive'], owners: ['finance'] }, { dagId: 'ledger_close', tags: ['dual'], owners: ['finance'] }])
    app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'local', url: stub.url, retries: 0 }], policyFolder: policies,
      extraConfig: { identity: { audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users }, scim: { enabled: true } } },
    })
    await app.governance.catalog.syncAll()
    for (const user of ['alice', 'dave', 'erin', 'frank']) tokens[user] = await app.tokenFor(user)
    scimToken = (await app.scim!.tokens.create('okta')).token
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
    rmSync(policies, { recursive: true, force: true })
  })

  const call = (url: string, user: string, payload: object = {}) => app.server.inject({ method: 'POST', url, headers: { authorization: `Bearer ${tokens[user]}` }, payload })
  const scim = (method: string, path: string, body: unknown) => app.server.inject({
    method: method as 'POST', url: `/scim/v2${path}`, headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' }, payload: JSON.stringify(body),
  })
  const pending = async (dag = 'payroll', requester = 'alice') => {
    const res = await call(`/api/v1/environments/local/dags/${dag}/runs`, requester, { conf: {}, reason: 'month-end close' })
    assert.equal(res.statusCode, 202, res.body)
    return (res.json() as { request: { id: string } }).request.id
  }
  const stateOf = async (id: string) => (await app.database.db.selectFrom('requests').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state

  test('SCIM deactivating the requester cancels her pending request: a later approval cannot run it', async () => {
    const id = await pending()
    const user = await scim('POST', '/Users', { schemas: [SCIM_USER], userName: 'alice', active: true })
    assert.equal(user.statusCode, 201, user.body)
    const off = await scim('PATCH', `/Users/${(user.json() as { id: string }).id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] })
    assert.equal(off.statusCode, 200, off.body)

    assert.equal(await stateOf(id), 'cancelled')
    const approve = await call(`/api/v1/requests/${id}/approve`, 'dave', { comment: 'ok' })
    assert.equal(approve.statusCode, 409, approve.body)
    assert.equal((stub.runs.get('payroll') ?? []).length, 0, 'nothing ran')
    const cancelled = await app.audit.query({ type: 'request.cancelled', requestId: id })
    assert.equal((cancelled[0]!.data as { reason: string }).reason, 'scim_deactivated')
  })

  test('SCIM deactivating an approver withdraws the approval he gave on a request still pending', async () => {
    const id = await pending('ledger_close', 'frank')
    const first = await call(`/api/v1/requests/${id}/approve`, 'dave', { comment: 'looks right' })
    assert.equal(first.statusCode, 200, first.body)
    const user = await scim('POST', '/Users', { schemas: [SCIM_USER], userName: 'dave', active: true })
    const off = await scim('PATCH', `/Users/${(user.json() as { id: string }).id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] })
    assert.equal(off.statusCode, 200, off.body)

    const second = await call(`/api/v1/requests/${id}/approve`, 'erin', { comment: 'agreed' })
    assert.equal(second.statusCode, 200, second.body)
    assert.equal(await stateOf(id), 'pending', 'one approval left after dave\'s was withdrawn: still waiting for a second lead')
    assert.equal((stub.runs.get('ledger_close') ?? []).length, 0)
    const withdrawn = await app.audit.query({ type: 'request.approval_withdrawn', requestId: id })
    assert.deepEqual(withdrawn.map((e) => [(e.data as { approver: string }).approver, (e.data as { reason: string }).reason]), [['dave', 'scim_deactivated']])
  })
})

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestApp, TEST_USERS } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

// Access evaporates for grants too: SCIM deactivating a person revokes their active grants (revoked by `scim`) and
// cancels their pending grant requests, so a later approval grants nothing.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let scimToken: string
  const tokens: Record<string, string> = {}
  const users = [...TEST_USERS, { username: 'frank', name: 'Frank Analyst', email: 'frank@example.com', groups: ['analysts'] }]

  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: [], owners: ['data-eng'] }])
    app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'prod', url: stub.url, retries: 0, settings: { tier: 'prod' } }],
      extraConfig: { identity: { audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users }, scim: { enabled: true } } },
    })
    for (const user of ['bob', 'carol', 'dave', 'frank']) tokens[user] = await app.tokenFor(user)
    scimToken = (await app.scim!.tokens.create('okta')).token
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
  })

  const call = (method: 'GET' | 'POST', url: string, user: string, payload?: object) => app.server.inject({
    method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload ? { payload } : {}),
  })
  const scim = (method: string, path: string, body: unknown) => app.server.inject({
    method: method as 'POST', url: `/scim/v2${path}`, headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' }, payload: JSON.stringify(body),
  })
  const ask = async (user: string, hours: number) => {
    const res = await call('POST', '/api/v1/grants', user, { group: 'jit-prod-rerun', hours, reason: 'incident 4411' })
    assert.equal(res.statusCode, 202, res.body)
    return res.json().request.id as string
  }
  const grantOf = async (id: string) => (await call('GET', `/api/v1/grants/${id}`, 'carol')).json().grant as { state: string; revokedBy: string | null }

  test('SCIM deactivating bob revokes his active grant and cancels his pending grant request; approving it later grants nothing', async () => {
    const first = await ask('bob', 1)
    const approved = await call('POST', `/api/v1/requests/${first}/approve`, 'dave', {})
    assert.equal(approved.statusCode, 200, approved.body)
    const grantId = approved.json().grantId as string
    assert.equal((await grantOf(grantId)).state, 'active')
    const pending = await ask('bob', 2)
    const franks = await call('POST', `/api/v1/requests/${await ask('frank', 1)}/approve`, 'dave', {})
    const franksGrant = franks.json().grantId as string

    const user = await scim('POST', '/Users', { schemas: [SCIM_USER], userName: 'bob', active: true })
    assert.equal(user.statusCode, 201, user.body)
    const off = await scim('PATCH', `/Users/${(user.json() as { id: string }).id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] })
    assert.equal(off.statusCode, 200, off.body)

    const ended = await grantOf(grantId)
    assert.deepEqual([ended.state, ended.revokedBy], ['revoked', 'scim'])
    const revoked = (await app.audit.query({ type: 'grant.revoked' })).filter((e) => (e.data as { grantId: string }).grantId === grantId)
    assert.equal(revoked.length, 1)
    assert.deepEqual([(revoked[0]!.data as { revokedBy: string }).revokedBy, (revoked[0]!.data as { reason: string }).reason], ['scim', 'scim_deactivated'])

    const row = await app.database.db.selectFrom('requests').select('state').where('id', '=', pending).executeTakeFirstOrThrow()
    assert.equal(row.state, 'cancelled')
    const late = await call('POST', `/api/v1/requests/${pending}/approve`, 'dave', {})
    assert.deepEqual([late.statusCode, late.json().error.code], [409, 'request_not_pending'])
    const bobs = await call('GET', '/api/v1/grants?principal=User:bob&state=all', 'carol')
    assert.deepEqual(bobs.json().grants.map((g: { id: string; state: string }) => [g.id, g.state]), [[grantId, 'revoked']], 'no grant came of the cancelled request')

    assert.equal((await grantOf(franksGrant)).state, 'active', 'other people\'s grants are untouched')
    assert.equal((await call('GET', '/api/v1/grants', 'bob')).statusCode, 401, 'and bob himself is signed out')
  })
})

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Campaign, ReviewFinding, ReviewItem } from '../../contract/api-types.ts'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'

// A revoke stays a suspension until the access is removed at the source: here the IdP (SCIM, groups from SCIM)
// takes alice out of data-eng, and the findings check resolves the finding and lifts the suspension.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let base = ''
  let scimToken = ''
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    app = await startTestApp({ databaseUrl: database.url, environments: [{ name: 'local', url: stub.url, retries: 0 }], scim: { enabled: true, groupsSource: 'scim' } })
    base = await app.listen()
    scimToken = (await app.scim!.tokens.create('idp')).token
    await app.governance.catalog.syncAll()
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
  })

  const scim = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/scim/v2${path}`, { method, headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' }, ...(body ? { body: JSON.stringify(body) } : {}) })
    assert.ok(res.status < 300, `${method} ${path}: ${res.status}`)
    return (res.status === 204 ? {} : await res.json()) as { id: string }
  }
  const api = async (user: string, method: string, path: string, body?: unknown) => fetch(`${base}${path}`, {
    method, headers: { authorization: `Bearer ${await app.tokenFor(user)}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}),
  })

  test('the IdP removing alice from data-eng resolves the finding and lifts the suspension; audited', async () => {
    const ids: Record<string, string> = {}
    for (const user of ['alice', 'carol', 'dave']) ids[user] = (await scim('POST', '/Users', { schemas: [SCIM_USER], userName: user, active: true })).id
    const dataEng = await scim('POST', '/Groups', { schemas: [SCIM_GROUP], displayName: 'data-eng', members: [{ value: ids.alice }] })
    await scim('POST', '/Groups', { schemas: [SCIM_GROUP], displayName: 'auditors', members: [{ value: ids.carol }] })
    await scim('POST', '/Groups', { schemas: [SCIM_GROUP], displayName: 'data-leads', members: [{ value: ids.dave }] })
    for (const user of ['alice', 'carol', 'dave']) assert.equal((await api(user, 'GET', '/api/v1/environments')).status, 200)

    const started = await api('carol', 'POST', '/api/v1/reviews/campaigns', { name: 'Q4', scope: { tags: ['team:data-eng'] }, dueAt: new Date(Date.now() + 86_400_000).toISOString() })
    assert.equal(started.status, 201)
    const campaign = (await started.json() as { campaign: Campaign }).campaign
    const items = (await (await api('dave', 'GET', `/api/v1/reviews/campaigns/${campaign.id}/items?mine=true`)).json() as { items: ReviewItem[] }).items
    const trigger = items.find((i) => i.principal.id === 'alice' && i.action === 'dag:trigger')!
    assert.deepEqual(trigger.why.groups, ['data-eng'])
    const decided = await api('dave', 'POST', `/api/v1/reviews/campaigns/${campaign.id}/decisions`, { decisions: [{ itemId: trigger.id, decision: 'revoke', comment: 'moved teams' }] })
    assert.equal(decided.status, 200)
    assert.equal((await api('alice', 'POST', '/api/v1/environments/local/dags/etl_daily/runs', {})).status, 403)

    await app.reviews.findings.tick()
    const open = (await (await api('carol', 'GET', '/api/v1/reviews/findings?state=open')).json() as { findings: ReviewFinding[] }).findings
    assert.equal(open.length, 1, 'the IdP still grants it: the finding stays open')

    await scim('DELETE', `/Groups/${dataEng.id}`)
    await app.reviews.findings.tick()
    const resolved = (await (await api('carol', 'GET', '/api/v1/reviews/findings?state=resolved')).json() as { findings: ReviewFinding[] }).findings
    assert.equal(resolved.length, 1)
    assert.match(resolved[0]!.resolution!, /no longer grant/)
    const events = await app.audit.query({ type: 'review.finding_resolved' })
    assert.equal(events.length, 1)
    assert.equal(events[0]!.principal, 'alice')
  })
})

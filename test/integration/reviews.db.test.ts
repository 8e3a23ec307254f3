import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Campaign, ReviewFinding, ReviewItem } from '../../contract/api-types.ts'
import { startTestApp, TEST_USERS } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'

type TestApp = Awaited<ReturnType<typeof startTestApp>>

// Access review campaigns through the real server, on each database engine, over the project's policies: carol
// (auditors) runs the campaigns, dave (data-leads) reviews access to the data-eng DAGs, alice (data-eng) is reviewed.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: TestApp
  let policies: string
  const tokens = new Map<TestApp, Record<string, string>>()
  const users = [...TEST_USERS, { username: 'airflow-am', name: 'Airflow auth manager', email: 'am@example.com', groups: ['airflow-auth-managers'] }]
  const start = (extra: Record<string, unknown> = {}) => startTestApp({
    databaseUrl: database.url, policyFolder: policies, environments: [{ name: 'local', url: stub.url, retries: 0 }],
    extraConfig: { identity: { audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users } }, ...extra },
  })

  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([
      { dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['airflow'] },
      { dagId: 'etl_hourly', tags: ['team:data-eng'], owners: ['airflow'] },
      { dagId: 'train_model', tags: ['team:ml'], owners: ['airflow'] },
    ])
    policies = mkdtempSync(join(tmpdir(), 'conductor-review-policies-'))
    cpSync(join(import.meta.dirname, '..', '..', 'policies'), policies, { recursive: true })
    app = await start()
    await signIn(app)
    // Conductor learns of a principal (and its groups) when it signs in.
    for (const user of ['alice', 'bob', 'carol', 'dave']) assert.equal((await call(app, 'GET', '/api/v1/environments', user)).statusCode, 200)
    await app.governance.catalog.syncEnvironment('local')
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
    if (policies) rmSync(policies, { recursive: true, force: true })
  })

  // Each replica's development issuer signs its own tokens.
  const signIn = async (on: TestApp) => {
    const own: Record<string, string> = {}
    for (const user of ['alice', 'bob', 'carol', 'dave', 'airflow-am']) own[user] = await on.tokenFor(user)
    tokens.set(on, own)
  }
  const call = (on: TestApp, method: 'GET' | 'POST', url: string, user: string, payload?: unknown) => on.server.inject({
    method, url, headers: { authorization: `Bearer ${tokens.get(on)![user]}` }, ...(payload !== undefined ? { payload: payload as object } : {}),
  })
  const dueAt = () => new Date(Date.now() + 7 * 86_400_000).toISOString()
  const startCampaign = async (body: Record<string, unknown>) => {
    const res = await call(app, 'POST', '/api/v1/reviews/campaigns', 'carol', { dueAt: dueAt(), ...body })
    assert.equal(res.statusCode, 201, res.body)
    return (res.json() as { campaign: Campaign }).campaign
  }
  const items = async (id: string, user = 'carol', query = '') => {
    const res = await call(app, 'GET', `/api/v1/reviews/campaigns/${id}/items${query}`, user)
    assert.equal(res.statusCode, 200, res.body)
    return (res.json() as { items: ReviewItem[] }).items
  }
  const decide = (id: string, user: string, decisions: unknown[]) => call(app, 'POST', `/api/v1/reviews/campaigns/${id}/decisions`, user, { decisions })
  const airflowAsks = async (on: TestApp, dagId: string) => {
    const question = { resource: 'dag', method: 'POST', accessEntity: 'RUN', id: dagId }
    const res = await call(on, 'POST', '/api/v1/airflow/local/authorize', 'airflow-am', { user: { id: 'alice' }, questions: [question] })
    assert.equal(res.statusCode, 200, res.body)
    return (res.json() as { decisions: { allowed: boolean; policyIds: string[]; reasons?: string[] }[] }).decisions[0]!
  }

  test('a campaign freezes who can do what and why, with reviewers by policy, never the principal itself', async () => {
    const campaign = await startCampaign({ name: 'Q4 data-eng', scope: { tags: ['team:data-eng'] } })
    assert.equal(campaign.state, 'open')
    assert.deepEqual(campaign.scope, { tags: ['team:data-eng'] })
    const all = await items(campaign.id)
    assert.equal(campaign.counts.items, all.length)
    assert.equal(campaign.counts.pending, all.length)
    const trigger = all.find((i) => i.principal.id === 'alice' && i.action === 'dag:trigger')!
    assert.deepEqual(trigger.dagIds, ['etl_daily', 'etl_hourly'])
    assert.equal(trigger.environment, 'local')
    assert.deepEqual(trigger.why.policies, ['data-eng-operate'])
    assert.deepEqual(trigger.why.groups, ['data-eng'])
    assert.deepEqual(trigger.reviewers, [{ type: 'User', id: 'dave' }])
    assert.ok(all.every((i) => i.dagIds !== null), 'a scope by tags reviews DAG access only')
    assert.ok(all.every((i) => !i.dagIds!.includes('train_model')), 'outside the scope')
    assert.ok(all.every((i) => !i.reviewers.some((r) => r.type === i.principal.type && r.id === i.principal.id)), 'nobody reviews themselves')
    const started = await app.audit.query({ type: 'review.campaign_started' })
    assert.equal((started.at(-1)!.data as { counts: { items: number } }).counts.items, all.length)

    // dave sees his items; bob (no reviewer, no review:read) sees no campaign, and cannot start one.
    const mine = await call(app, 'GET', '/api/v1/reviews/mine', 'dave')
    assert.ok((mine.json() as { items: ReviewItem[] }).items.some((i) => i.id === trigger.id))
    assert.equal((await call(app, 'GET', `/api/v1/reviews/campaigns/${campaign.id}`, 'bob')).statusCode, 404)
    assert.equal((await call(app, 'POST', '/api/v1/reviews/campaigns', 'bob', { name: 'x', dueAt: dueAt() })).statusCode, 403)
    const daveItems = await items(campaign.id, 'dave')
    assert.ok(daveItems.length > 0 && daveItems.every((i) => i.reviewers.some((r) => r.id === 'dave')))
  })

  test('bad decisions change nothing: an unknown item, a revoke without comment, an item the caller may not review', async () => {
    const campaign = await startCampaign({ name: 'bad input', scope: { tags: ['team:data-eng'] } })
    const all = await items(campaign.id)
    const alice = all.filter((i) => i.principal.id === 'alice')
    const unknown = await decide(campaign.id, 'dave', [{ itemId: alice[0]!.id, decision: 'certify' }, { itemId: 'nope', decision: 'certify' }])
    assert.equal(unknown.statusCode, 404)
    assert.equal((unknown.json() as { error: { code: string; details: { field: string } } }).error.details.field, 'decisions.1.itemId')
    const noComment = await decide(campaign.id, 'dave', [{ itemId: alice[0]!.id, decision: 'revoke' }])
    assert.equal(noComment.statusCode, 400)
    assert.equal((await decide(campaign.id, 'bob', [{ itemId: alice[0]!.id, decision: 'certify' }])).statusCode, 404, 'bob reviews nothing: he does not see the campaign')
    const notHers = await decide(campaign.id, 'carol', [{ itemId: alice[0]!.id, decision: 'certify' }])
    assert.equal(notHers.statusCode, 403)
    assert.equal((notHers.json() as { error: { code: string } }).error.code, 'review_not_allowed')
    const own = all.find((i) => i.principal.id === 'dave')
    if (own) assert.equal((await decide(campaign.id, 'dave', [{ itemId: own.id, decision: 'certify' }])).statusCode, 403)
    assert.ok((await items(campaign.id)).every((i) => i.decision === null), 'nothing written')
    assert.equal((await app.audit.query({ type: 'review.decided' })).filter((e) => (e.data as { campaign: string }).campaign === campaign.id).length, 0)
    const cancelled = await call(app, 'POST', `/api/v1/reviews/campaigns/${campaign.id}/cancel`, 'carol')
    assert.equal((cancelled.json() as { campaign: Campaign }).campaign.state, 'cancelled')
    const closed = await decide(campaign.id, 'dave', [{ itemId: alice[0]!.id, decision: 'certify' }])
    assert.equal(closed.statusCode, 409)
    assert.equal((closed.json() as { error: { code: string } }).error.code, 'campaign_closed')
  })

  test('certify in bulk; a revoke denies at once in every door, on this replica and another; the finding resolves when the policy stops granting it', async () => {
    assert.equal((await call(app, 'POST', '/api/v1/environments/local/dags/etl_daily/runs', 'alice', {})).statusCode, 201)
    const second = await start()
    await signIn(second)
    try {
      const campaign = await startCampaign({ name: 'Q4 access', scope: { environments: ['local'], tags: ['team:data-eng'] } })
      const alice = (await items(campaign.id)).filter((i) => i.principal.id === 'alice')
      const trigger = alice.find((i) => i.action === 'dag:trigger')!
      const others = alice.filter((i) => i !== trigger)
      const bulk = await decide(campaign.id, 'dave', others.map((i) => ({ itemId: i.id, decision: 'certify', comment: 'needed' })))
      assert.equal(bulk.statusCode, 200, bulk.body)
      assert.equal((bulk.json() as { items: ReviewItem[] }).items.length, others.length)

      const revoked = await decide(campaign.id, 'dave', [{ itemId: trigger.id, decision: 'revoke', comment: 'left the team' }])
      assert.equal(revoked.statusCode, 200, revoked.body)
      const reason = 'suspended by access review Q4 access: revoked by dave'
      const denied = await call(app, 'POST', '/api/v1/environments/local/dags/etl_daily/runs', 'alice', {})
      assert.equal(denied.statusCode, 403)
      assert.ok(denied.body.includes(reason), denied.body)
      const asked = await airflowAsks(app, 'etl_daily')
      assert.equal(asked.allowed, false)
      assert.deepEqual(asked.policyIds, [`access-review:${trigger.id}`])
      assert.equal((await airflowAsks(app, 'train_model')).allowed, false, 'never allowed')
      // Another replica on the same database honours it at its next refresh (every suspensionsPollMs, 1 s): waited
      // for, not timed (the bound only stops a broken poll from hanging the test).
      const until = Date.now() + 30_000
      while ((await airflowAsks(second, 'etl_daily')).allowed && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal((await airflowAsks(second, 'etl_daily')).allowed, false)
      assert.equal((await call(second, 'POST', '/api/v1/environments/local/dags/etl_daily/runs', 'alice', {})).statusCode, 403)
      // A policy diff compares the policy alone: a suspension is not a change the policy makes.
      const impact = await call(app, 'POST', '/api/v1/policies/impact', 'carol', { files: {} })
      assert.equal(impact.statusCode, 200, impact.body)
      assert.deepEqual((impact.json() as { counts: { gains: number; losses: number } }).counts.gains, 0)
      // Reading is not revoked.
      assert.equal((await call(app, 'GET', '/api/v1/environments/local/dags/etl_daily', 'alice')).statusCode, 200)

      const findings = (await call(app, 'GET', '/api/v1/reviews/findings?state=open', 'carol').then((r) => r.json())) as { findings: ReviewFinding[] }
      const finding = findings.findings.find((f) => f.itemId === trigger.id)!
      assert.deepEqual(finding.source.policies, ['data-eng-operate'])
      assert.deepEqual(finding.source.groups, ['data-eng'])
      assert.equal((await app.audit.query({ type: 'review.revoked' })).length, 1)

      // Still granted by policy and the directory: the check keeps it.
      await app.reviews.findings.tick()
      assert.equal((await app.audit.query({ type: 'review.finding_resolved' })).length, 0)
      // The policy stops granting it: the check resolves the finding and lifts the suspension.
      rmSync(join(policies, 'data-eng.cedar'))
      await app.policy.reload()
      await app.reviews.findings.tick()
      const resolved = await app.audit.query({ type: 'review.finding_resolved' })
      assert.equal(resolved.length, 1)
      assert.equal((await call(app, 'GET', '/api/v1/reviews/findings?state=resolved', 'carol').then((r) => r.json()) as { findings: ReviewFinding[] }).findings[0]!.id, finding.id)
      const after = await airflowAsks(app, 'etl_daily')
      assert.deepEqual(after.policyIds, [], 'no suspension left: the default deny decides')

      const pending = (await items(campaign.id, 'carol', '?decision=pending')).map((i) => i.id)
      assert.equal((await call(app, 'POST', `/api/v1/reviews/campaigns/${campaign.id}/complete`, 'dave')).statusCode, 403, 'completing needs review:manage')
      const done = await call(app, 'POST', `/api/v1/reviews/campaigns/${campaign.id}/complete`, 'carol')
      assert.equal(done.statusCode, 200, done.body)
      const c = (done.json() as { campaign: Campaign }).campaign
      assert.equal(c.state, 'completed')
      assert.deepEqual([c.counts.revoked, c.counts.certified, c.counts.pending], [1, others.length, pending.length])
      const completed = (await app.audit.query({ type: 'review.campaign_completed' })).at(-1)!.data as { counts: unknown; notReviewed: string[] }
      assert.deepEqual(completed.counts, { certified: others.length, revoked: 1, undecided: pending.length })
      assert.deepEqual(completed.notReviewed, pending)
      assert.equal((await call(app, 'POST', `/api/v1/reviews/campaigns/${campaign.id}/complete`, 'carol')).statusCode, 409)
    } finally {
      cpSync(join(import.meta.dirname, '..', '..', 'policies', 'data-eng.cedar'), join(policies, 'data-eng.cedar'))
      await app.policy.reload()
      await second.close()
    }
  })
})

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Campaign } from '../../contract/api-types.ts'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { verifyWebhookSignature } from '../../src/governance/index.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts'

// Review reminders through the real server and a real HTTP receiver, on each database engine: before the due date,
// each reviewer with pending items gets one signed webhook per mark; a receiver failure is retried, never doubled.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let receiver: WebhookReceiver
  let app: Awaited<ReturnType<typeof startTestApp>>
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    receiver = await startWebhookReceiver()
    app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'local', url: stub.url, retries: 0 }], secrets: { 'reminder-key': 'reminder-secret' },
      extraConfig: { compliance: { reviews: { reminders: { webhook: { url: `${receiver.url}/reminders`, secret: { provider: 'files', secret: 'reminder-key' } }, before: ['72h', '24h'], checkSeconds: 3600 } } } },
    })
    await app.governance.catalog.syncAll()
    for (const user of ['alice', 'carol', 'dave']) {
      const res = await app.server.inject({ method: 'GET', url: '/api/v1/environments', headers: { authorization: `Bearer ${await app.tokenFor(user)}` } })
      assert.equal(res.statusCode, 200)
    }
  })
  after(async () => {
    await app?.close()
    await receiver?.close()
    await stub?.close()
    await database?.close()
  })

  test('a campaign due in two days reminds each reviewer once for the 72h mark, not yet for the 24h one; a failed delivery is sent again', async () => {
    const res = await app.server.inject({
      method: 'POST', url: '/api/v1/reviews/campaigns', headers: { authorization: `Bearer ${await app.tokenFor('carol')}` },
      payload: { name: 'Q4 data-eng', scope: { tags: ['team:data-eng'] }, dueAt: new Date(Date.now() + 48 * 3_600_000).toISOString() },
    })
    assert.equal(res.statusCode, 201, res.body)
    const campaign = (res.json() as { campaign: Campaign }).campaign
    const reminders = app.reviews.reminders!

    receiver.answer([500])
    await reminders.tick()
    assert.equal(receiver.deliveries.length, 1)
    assert.equal((await app.audit.query({ type: 'review.reminder_sent' })).length, 0, 'not accepted: not marked')

    await reminders.tick()
    await reminders.tick()
    const accepted = receiver.deliveries.filter((d) => d.status === 200)
    assert.equal(accepted.length, 1, 'once, however many checks run')
    const body = JSON.parse(accepted[0]!.body) as { type: string; mark: string; campaign: { id: string }; reviewer: { id: string }; pending: number }
    assert.equal(body.type, 'review.reminder')
    assert.equal(body.mark, '72h')
    assert.equal(body.campaign.id, campaign.id)
    assert.equal(body.reviewer.id, 'dave')
    assert.equal(body.pending, campaign.counts.items)
    const { headers } = accepted[0]!
    assert.ok(verifyWebhookSignature('reminder-secret', headers['conductor-timestamp']!, accepted[0]!.body, headers['conductor-signature']!))
    const sent = await app.audit.query({ type: 'review.reminder_sent' })
    assert.equal(sent.length, 1)
    assert.equal(sent[0]!.principal, 'dave')
  })
})

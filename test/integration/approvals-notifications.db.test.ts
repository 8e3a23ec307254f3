import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { eventually } from '../../harness/poll.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { verifyWebhookSignature } from '../../src/governance/index.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts'

const SECRET = 'approvals-webhook-signing-secret-0123456789'

// The request lifecycle reaches the webhooks: a request waiting for a data lead, and its approval, arrive signed.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let receiver: WebhookReceiver
  let app: Awaited<ReturnType<typeof startTestApp>>
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'payroll', tags: ['sensitive'], owners: ['finance'] }])
    receiver = await startWebhookReceiver()
    app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'local', url: stub.url, retries: 0 }], secrets: { 'webhook-signing': SECRET },
      extraConfig: {
        server: { host: '127.0.0.1', port: 0, publicUrl: 'https://conductor.example' },
        notifications: {
          webhooks: [{ name: 'ops', url: `${receiver.url}/ops`, secret: { provider: 'files', secret: 'webhook-signing' }, events: ['request.*'] }],
          deliveryIntervalSeconds: 1,
        },
      },
    })
    await app.governance.catalog.syncAll()
  })
  after(async () => {
    await app?.close()
    await receiver?.close()
    await stub?.close()
    await database?.close()
  })

  test('a request waiting for approval, and its approval, reach the webhook signed, with the request id', async () => {
    const asAlice = { authorization: `Bearer ${await app.tokenFor('alice')}` }
    const res = await app.server.inject({ method: 'POST', url: '/api/v1/environments/local/dags/payroll/runs', headers: asAlice, payload: { conf: {}, reason: 'month-end close' } })
    assert.equal(res.statusCode, 202, res.body)
    const id = (res.json() as { request: { id: string } }).request.id
    const approved = await app.server.inject({ method: 'POST', url: `/api/v1/requests/${id}/approve`, headers: { authorization: `Bearer ${await app.tokenFor('dave')}` }, payload: {} })
    assert.equal(approved.statusCode, 200, approved.body)

    const received = await eventually(() => {
      const bodies = receiver.deliveries.map((d) => ({ d, body: JSON.parse(d.body) as { type: string; data: Record<string, unknown> } }))
      const types = bodies.map((b) => b.body.type)
      return types.includes('request.pending') && types.includes('request.approved') ? bodies : undefined
    }, { what: 'request.pending and request.approved at the webhook', timeoutMs: 10_000 })
    for (const { d, body } of received) {
      assert.equal(verifyWebhookSignature(SECRET, d.headers['conductor-timestamp'] ?? '', d.body, d.headers['conductor-signature'] ?? '', Date.now()), true)
      assert.equal(body.data.requestId, id)
      assert.equal(body.data.dag, 'payroll')
    }
    assert.equal(received.find((r) => r.body.type === 'request.approved')!.body.data.approver, 'dave')
  })
})

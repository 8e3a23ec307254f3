import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { eventually } from '../../harness/poll.ts'
import type { Kysely } from 'kysely'
import { verifyWebhookSignature, type NotificationOutboxTable, type NotificationPayload, type NotificationTables, type SlackMessage } from '../../src/governance/index.ts'
import { startWebhookReceiver, type Delivery, type WebhookReceiver } from '../support/webhook-receiver.ts'

const SECRET = 'whsec-integration-0b7f3c'

/** Webhook notifications end to end: a real Conductor, its outbox in a real database, a loopback receiver. */
forEachEngine((engine) => {
  let database: TestDatabase
  let receiver: WebhookReceiver

  before(async () => {
    database = await engine.open()
    receiver = await startWebhookReceiver()
  })
  after(async () => {
    await receiver?.close()
    await database?.close()
  })

  const start = (webhooks: Record<string, unknown>[], settings: Record<string, unknown> = {}) => startTestApp({
    databaseUrl: database.url, environments: [], secrets: { 'webhook-signing': SECRET },
    extraConfig: {
      server: { host: '127.0.0.1', port: 0, publicUrl: 'https://conductor.example' },
      notifications: { webhooks, deliveryIntervalSeconds: 1, initialRetryDelaySeconds: 1, ...settings },
    },
  })
  const jsonHook = (path: string, events = ['request.*']) => ({ name: 'ops', url: `${receiver.url}${path}`, secret: { provider: 'files', secret: 'webhook-signing' }, events })
  const allRows = async (): Promise<NotificationOutboxTable[]> => (database.db as Kysely<NotificationTables>).selectFrom('notification_outbox').selectAll().execute()
  const outbox = async (...eventIds: string[]) => (await allRows()).filter((row) => eventIds.includes((JSON.parse(row.payload) as NotificationPayload).id))
  const genuine = (d: Delivery) => verifyWebhookSignature(SECRET, d.headers['conductor-timestamp'] ?? '', d.body, d.headers['conductor-signature'] ?? '', Date.now())
  const at = (path: string) => receiver.deliveries.filter((d) => d.path === path)

  test('a signed notification answered 500 is retried after a backoff and delivered once, with 2 attempts', async () => {
    const app = await start([jsonHook('/retry')])
    try {
      receiver.answer([500])
      const eventId = await app.notifications.notify({ type: 'request.pending', data: { requestId: 'r-1', principal: 'alice', token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln' } })
      assert.ok(eventId)
      const [row] = await eventually(async () => { const rows = await outbox(eventId); return rows[0]?.delivered_at ? rows : undefined }, { what: 'delivery after a retry' })
      assert.equal(row!.attempts, 2)
      assert.equal(row!.last_error, null)
      const got = at('/retry')
      assert.deepEqual(got.map((d) => d.status), [500, 200], 'one failed attempt, then one delivery')
      assert.ok(got.every(genuine), 'every attempt carries a valid signature')
      assert.ok(Number(got[1]!.headers['conductor-timestamp']) - Number(got[0]!.headers['conductor-timestamp']) >= 1, 'the retry waited for its backoff')
      const body = JSON.parse(got[1]!.body) as NotificationPayload
      assert.deepEqual({ ...body, occurredAt: typeof body.occurredAt }, {
        version: 1, id: eventId, type: 'request.pending', occurredAt: 'string', data: { requestId: 'r-1', principal: 'alice', token: '[redacted]' },
      })
      assert.equal(got[1]!.headers['conductor-event-id'], eventId)
      assert.ok(!JSON.stringify(await allRows()).includes(SECRET), 'the signing secret is not stored')
      assert.equal(await app.notifications.notify({ type: 'shadow.run', data: {} }), null, 'no webhook wants shadow.run: nothing queued')
    } finally {
      await app.close()
    }
  })

  test('a notification raised in a transaction is sent only if the transaction commits', async () => {
    const app = await start([jsonHook('/trx')])
    try {
      const db = app.database.db as Kysely<NotificationTables>
      let rolledBack: string | null = null
      await assert.rejects(db.transaction().execute(async (trx) => {
        rolledBack = await app.notifications.notify({ type: 'request.pending', data: { requestId: 'never' } }, trx)
        throw new Error('the action failed')
      }), /the action failed/)
      const committed = await db.transaction().execute((trx) => app.notifications.notify({ type: 'request.pending', data: { requestId: 'kept' } }, trx))
      await eventually(() => at('/trx').length === 1, { what: 'the committed notification' })
      await app.notifications.deliverDue()
      assert.deepEqual(at('/trx').map((d) => (JSON.parse(d.body) as NotificationPayload).data.requestId), ['kept'])
      assert.equal((await outbox(rolledBack!)).length, 0)
      assert.equal((await outbox(committed!)).length, 1)
    } finally {
      await app.close()
    }
  })

  test('a receiver that keeps failing is given up after maxAttempts, audited as notification.failed without the URL or the secret', async () => {
    const app = await start([jsonHook('/broken')], { maxAttempts: 2 })
    try {
      receiver.answer([503, 503])
      const eventId = (await app.notifications.notify({ type: 'request.expired', data: { requestId: 'r-2' } }))!
      const [row] = await eventually(async () => { const rows = await outbox(eventId); return rows[0]?.failed_at ? rows : undefined }, { what: 'delivery to be given up' })
      assert.equal(row!.attempts, 2)
      assert.equal(row!.delivered_at, null)
      assert.equal(row!.last_error, 'answered 503')
      const events = await eventually(async () => { const e = await app.audit.query({ type: 'notification.failed' }); return e.length ? e : undefined }, { what: 'the audit event' })
      assert.deepEqual(events.map((e) => e.data), [{ webhook: 'ops', eventId, eventType: 'request.expired', attempts: 2, error: 'answered 503' }])
      assert.ok(!JSON.stringify(events).includes(receiver.url) && !JSON.stringify(events).includes(SECRET))
      assert.equal(at('/broken').length, 2)
    } finally {
      await app.close()
    }
  })

  test('a notification left undelivered by a stopped Conductor is delivered by the next one on the same database', async () => {
    const first = await start([jsonHook('/restart')])
    let eventId: string
    try {
      receiver.always(500)
      eventId = (await first.notifications.notify({ type: 'request.approved', data: { requestId: 'r-3' } }))!
      await eventually(async () => (await outbox(eventId))[0]?.last_error === 'answered 500', { what: 'a first failed attempt' })
    } finally {
      await first.close()
      receiver.always(200)
    }
    const second = await start([jsonHook('/restart')])
    try {
      const [row] = await eventually(async () => { const rows = await outbox(eventId); return rows[0]?.delivered_at ? rows : undefined }, { what: 'delivery by the restarted Conductor' })
      assert.equal(row!.attempts, 2)
      assert.deepEqual(at('/restart').map((d) => [d.status, (JSON.parse(d.body) as NotificationPayload).id]), [[500, eventId], [200, eventId]])
    } finally {
      await second.close()
    }
  })

  test('an unreachable receiver is recorded by its error code; a webhook removed from config has its rows given up and audited', async () => {
    const closed = await startWebhookReceiver()
    await closed.close()
    const first = await start([{ ...jsonHook(''), name: 'gone', url: `${closed.url}/hook` }])
    let eventId: string
    try {
      eventId = (await first.notifications.notify({ type: 'request.denied', data: { requestId: 'r-4' } }))!
      const [row] = await eventually(async () => { const rows = await outbox(eventId); return rows[0]?.last_error ? rows : undefined }, { what: 'a failed attempt' })
      assert.equal(row!.last_error, 'unreachable (ECONNREFUSED)')
      assert.equal(row!.delivered_at, null)
    } finally {
      await first.close()
    }
    const second = await start([jsonHook('/other')])
    try {
      await eventually(async () => (await outbox(eventId))[0]?.failed_at, { what: 'the orphaned row to be given up', timeoutMs: 15_000 })
      const failed = (await second.audit.query({ type: 'notification.failed', limit: 1000 })).filter((e) => e.data.eventId === eventId)
      assert.deepEqual(failed.map((e) => [e.data.webhook, e.data.error]), [['gone', 'webhook no longer configured']])
      assert.equal(at('/other').length, 0, 'another webhook is not told of it')
    } finally {
      await second.close()
    }
  })

  test('two Conductors sharing one database deliver each notification exactly once', async () => {
    const [a, b] = await Promise.all([start([jsonHook('/pair')]), start([jsonHook('/pair')])])
    try {
      receiver.delay(15)
      const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).notifications.notify({ type: 'request.pending', data: { requestId: `pair-${i}` } })))
      const rows = await eventually(async () => { const r = await outbox(...(ids as string[])); return r.every((row) => row.delivered_at) ? r : undefined }, { what: '30 deliveries', timeoutMs: 20_000 })
      await Promise.all([a.notifications.deliverDue(), b.notifications.deliverDue()])
      const delivered = at('/pair').map((d) => (JSON.parse(d.body) as NotificationPayload).id)
      assert.equal(delivered.length, 30, 'no notification is sent twice')
      assert.deepEqual([...new Set(delivered)].sort(), [...ids].sort())
      assert.equal(rows.length, 30)
      assert.deepEqual(rows.filter((r) => r.attempts !== 1), [], 'each row took one attempt')
    } finally {
      receiver.delay(0)
      await Promise.all([a.close(), b.close()])
    }
  })

  test('a slack webhook gets a message whose approve and deny buttons link to the console request page', async () => {
    const app = await start([{ name: 'team-chat', url: `${receiver.url}/slack`, events: ['request.pending'], format: 'slack' }])
    try {
      await app.notifications.notify({ type: 'request.pending', data: { requestId: 'r-9', principal: 'alice', action: 'dag:trigger', dag: 'etl_daily', environment: 'prod' } })
      const [delivery] = await eventually(() => at('/slack').length ? at('/slack') : undefined, { what: 'the slack message' })
      const message = JSON.parse(delivery!.body) as SlackMessage
      assert.equal(message.text, 'Request r-9 by alice: dag:trigger etl_daily in prod (pending)')
      const actions = message.blocks.find((b) => b.type === 'actions') as { elements: { text: { text: string }; url: string }[] }
      assert.deepEqual(actions.elements.map((e) => [e.text.text, e.url]), [
        ['Approve…', 'https://conductor.example/requests/r-9'], ['Deny…', 'https://conductor.example/requests/r-9'], ['Open request', 'https://conductor.example/requests/r-9'],
      ])
      const loaded = (await app.audit.query({ type: 'config.loaded', limit: 1000 })).at(-1)!
      assert.deepEqual(loaded.data.notifications, [{ name: 'team-chat', events: ['request.pending'], format: 'slack', signed: false }], 'the audit trail says which webhooks are told what')
      assert.ok(!JSON.stringify(loaded).includes(receiver.url), 'but never their URL')
    } finally {
      await app.close()
    }
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { backoffMs, matchesEvent, renderBody, slackMessage, type NotificationPayload } from './index.ts'

const payload = (type: string, data: Record<string, unknown>): NotificationPayload => ({ version: 1, id: 'evt-1', type, occurredAt: '2026-11-30T08:00:00.000Z', data })
const buttonsOf = (message: ReturnType<typeof slackMessage>) =>
  (message.blocks.find((b) => b.type === 'actions')?.elements as { text: { text: string }; url: string }[] | undefined ?? []).map((b) => [b.text.text, b.url])

describe('notification payloads', () => {
  it('retries after 1 s, 2 s, 4 s … capped at the maximum', () => {
    const retry = { initialDelaySeconds: 1, maxDelaySeconds: 30 }
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffMs(n, retry)), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000])
  })

  it('matches event types against globs', () => {
    assert.equal(matchesEvent(['request.*'], 'request.pending'), true)
    assert.equal(matchesEvent(['request.*'], 'shadow.run'), false)
    assert.equal(matchesEvent(['shadow.run'], 'shadow.runs'), false)
    assert.equal(matchesEvent(['*'], 'notification.anything'), true)
    assert.equal(matchesEvent(['request.*', 'shadow.*'], 'shadow.pause'), true)
    assert.equal(matchesEvent(['request.*'], 'requestXpending'), false, 'a dot in a glob is a dot')
  })

  it('sends the versioned envelope as it is to a json webhook', () => {
    const body = JSON.parse(renderBody(payload('shadow.run', { environment: 'prod' }), 'json', 'https://conductor.example')) as Record<string, unknown>
    assert.deepEqual(body, { version: 1, id: 'evt-1', type: 'shadow.run', occurredAt: '2026-11-30T08:00:00.000Z', data: { environment: 'prod' } })
  })

  it('renders a pending request for Slack with approve and deny buttons that only open the console request page', () => {
    const message = slackMessage(payload('request.pending', { requestId: 'r-42', principal: 'alice', action: 'dag:trigger', dag: 'etl_daily', environment: 'prod', reason: 'backfill <Q3>' }), 'https://conductor.example/')
    assert.match(message.text, /^Request r-42 by alice: dag:trigger etl_daily in prod \(pending\)\. Reason: backfill &lt;Q3&gt;$/)
    const page = 'https://conductor.example/requests/r-42'
    assert.deepEqual(buttonsOf(message), [['Approve…', page], ['Deny…', page], ['Open request', page]])
    assert.equal(JSON.stringify(message).includes('approve?'), false)
  })

  it('links a decided request and shadow activity to their console pages', () => {
    assert.deepEqual(buttonsOf(slackMessage(payload('request.approved', { requestId: 'r 1' }), 'https://c.example/base')), [['Open request', 'https://c.example/base/requests/r%201']])
    const shadow = slackMessage(payload('shadow.pause', { environment: 'prod', dagId: 'etl_daily', actor: 'admin', severity: 'high' }), 'https://c.example')
    assert.equal(shadow.text, 'Shadow activity in prod: pause of etl_daily by admin (high), done in Airflow without Conductor')
    assert.deepEqual(buttonsOf(shadow), [['Open shadow activity', 'https://c.example/environments/prod/shadow']])
  })
})

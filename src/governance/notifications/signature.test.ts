import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { REPLAY_WINDOW_SECONDS, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER, verifyWebhookSignature } from './index.ts'

const SECRET = 'whsec-test-only'
const BODY = '{"version":1,"id":"e1","type":"request.pending","occurredAt":"2026-11-30T08:00:00.000Z","data":{}}'
const NOW = Date.parse('2026-11-30T08:00:00.000Z')

describe('webhook signatures', () => {
  const headers = signWebhook(SECRET, BODY, NOW)
  const timestamp = headers[TIMESTAMP_HEADER]!
  const signature = headers[SIGNATURE_HEADER]!

  it('signs "<timestamp>.<body>" with HMAC-SHA256 as v1=<hex>, the timestamp in Unix seconds', () => {
    assert.equal(timestamp, String(NOW / 1000))
    assert.match(signature, /^v1=[0-9a-f]{64}$/)
    assert.equal(verifyWebhookSignature(SECRET, timestamp, BODY, signature, NOW), true)
  })

  it('refuses a tampered body, another secret, a tampered timestamp and a garbled header', () => {
    assert.equal(verifyWebhookSignature(SECRET, timestamp, BODY.replace('pending', 'approved'), signature, NOW), false)
    assert.equal(verifyWebhookSignature(`${SECRET}x`, timestamp, BODY, signature, NOW), false)
    assert.equal(verifyWebhookSignature(SECRET, String(Number(timestamp) + 1), BODY, signature, NOW), false)
    assert.equal(verifyWebhookSignature(SECRET, timestamp, BODY, signature.slice(0, -2), NOW), false)
    assert.equal(verifyWebhookSignature(SECRET, timestamp, BODY, signature.replace('v1=', 'v0='), NOW), false)
    assert.equal(verifyWebhookSignature(SECRET, 'soon', BODY, signature, NOW), false)
  })

  it('accepts a timestamp within the 5-minute replay window and refuses an older (or far future) one', () => {
    assert.equal(REPLAY_WINDOW_SECONDS, 300)
    assert.equal(verifyWebhookSignature(SECRET, timestamp, BODY, signature, NOW + 300_000), true)
    assert.equal(verifyWebhookSignature(SECRET, timestamp, BODY, signature, NOW + 301_000), false)
    assert.equal(verifyWebhookSignature(SECRET, timestamp, BODY, signature, NOW - 301_000), false)
  })

  it('accepts any one matching entry of several (a secret being rotated)', () => {
    const old = signWebhook('the-old-secret', BODY, NOW)[SIGNATURE_HEADER]!
    assert.equal(verifyWebhookSignature(SECRET, timestamp, BODY, `${old}, ${signature}`, NOW), true)
    assert.equal(verifyWebhookSignature(SECRET, timestamp, BODY, old, NOW), false)
  })
})

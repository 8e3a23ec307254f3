import { createHmac, timingSafeEqual } from 'node:crypto'

/** The header carrying the signing time, in Unix seconds. */
export const TIMESTAMP_HEADER = 'Conductor-Timestamp'
/** The header carrying `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export const SIGNATURE_HEADER = 'Conductor-Signature'
/** How old (or how far in the future) a signed timestamp may be, in seconds, before a receiver refuses it. */
export const REPLAY_WINDOW_SECONDS = 300

const hmac = (secret: string, timestamp: string, body: string) => createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')

/** The two signature headers for `body`, signed at `nowMs` with the webhook's `secret`. */
export function signWebhook(secret: string, body: string, nowMs: number): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000))
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `v1=${hmac(secret, timestamp, body)}` }
}

/**
 * Whether a webhook request is genuine and fresh: `header` (the `Conductor-Signature` value, possibly several
 * comma-separated `v1=` entries, e.g. during a secret rotation) holds the HMAC-SHA256 of `"<timestamp>.<body>"` under
 * `secret`, and `timestamp` (the `Conductor-Timestamp` value) is within {@link REPLAY_WINDOW_SECONDS} of `nowMs`.
 * `body` must be the raw request body, byte for byte as received. Compares in constant time.
 */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string, header: string, nowMs: number = Date.now()): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > REPLAY_WINDOW_SECONDS) return false
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex')
  return header.split(',').map((part) => part.trim()).some((part) => {
    if (!part.startsWith('v1=')) return false
    const given = Buffer.from(part.slice(3), 'hex')
    return given.length === expected.length && timingSafeEqual(given, expected)
  })
}

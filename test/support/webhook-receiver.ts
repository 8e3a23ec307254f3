import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request a {@link WebhookReceiver} got: its headers (lowercased names) and raw body. */
export interface Delivery {
  path: string
  headers: Record<string, string>
  body: string
  /** The status it was answered with. */
  status: number
}

/** A loopback HTTP receiver of webhook notifications. */
export interface WebhookReceiver {
  url: string
  deliveries: Delivery[]
  /** The status the next requests get, one each, before the default (200) resumes, e.g. `[500]`. */
  answer(statuses: number[]): void
  /** Answers every request with `status` until changed (default 200). */
  always(status: number): void
  /** Waits this long before each answer (default 0), so concurrent senders overlap. */
  delay(ms: number): void
  /** Requests read but not yet answered (held back by {@link WebhookReceiver.delay}). */
  waiting(): number
  close(): Promise<void>
}

/** Starts a {@link WebhookReceiver} on a free loopback port. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = []
  let queued: number[] = []
  let fallback = 200
  let delayMs = 0
  let waiting = 0
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const status = queued.shift() ?? fallback
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v ?? '']))
      waiting++
      setTimeout(() => {
        waiting--
        deliveries.push({ path: req.url ?? '/', headers, body: Buffer.concat(chunks).toString('utf8'), status })
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope')
      }, delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries,
    answer: (statuses) => { queued = [...statuses] },
    always: (status) => { fallback = status },
    delay: (ms) => { delayMs = ms },
    waiting: () => waiting,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}

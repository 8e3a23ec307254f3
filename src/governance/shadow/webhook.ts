import type { Logger } from 'pino'
import type { ShadowItem } from './shadow.ts'

/** Posts shadow activity to a configured URL, without ever holding up the sync that found it. */
export interface ShadowWebhook {
  /** Queues `item` for delivery and returns at once; a failed delivery is retried, then logged and dropped. */
  send(item: ShadowItem): void
  /** Waits for deliveries under way (each ends after its last retry). */
  drain(): Promise<void>
}

/** Settings of {@link createShadowWebhook}. */
export interface ShadowWebhookOptions {
  url: string
  /** Attempts per item, the first included (default 3). */
  attempts?: number
  /** Each attempt's timeout (default 5000 ms). */
  timeoutMs?: number
  /** The wait before the second attempt, doubled each time after (default 500 ms). */
  backoffMs?: number
  logger: Logger
}

/**
 * A webhook that POSTs each item as JSON (`{"type": "shadow.run", …item}`), one request per item. A 2xx answer is
 * a delivery; anything else, or no answer in time, is retried up to `attempts` times with a doubling wait; the item
 * is then logged as undelivered and dropped. Deliveries run beside the sync, never inside it.
 */
export function createShadowWebhook(options: ShadowWebhookOptions): ShadowWebhook {
  const { url, logger } = options
  const attempts = options.attempts ?? 3
  const timeoutMs = options.timeoutMs ?? 5_000
  const backoffMs = options.backoffMs ?? 500
  const pending = new Set<Promise<void>>()

  async function deliver(item: ShadowItem): Promise<void> {
    const body = JSON.stringify({ type: `shadow.${item.kind}`, ...item })
    let last = ''
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(timeoutMs) })
        await response.body?.cancel()
        if (response.ok) return
        last = `answered ${response.status}`
      } catch (error) {
        last = error instanceof Error ? error.message : String(error)
      }
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)))
    }
    logger.warn({ environment: item.environment, key: item.key, attempts, err: last }, 'shadow webhook delivery failed')
  }

  return {
    send(item) {
      const delivery = deliver(item).catch((error) => logger.error({ err: error }, 'shadow webhook failed'))
      pending.add(delivery)
      void delivery.finally(() => pending.delete(delivery))
    },
    async drain() {
      await Promise.all([...pending])
    },
  }
}

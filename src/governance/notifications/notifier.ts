import type { Kysely, Transaction } from 'kysely'
import type { Logger } from 'pino'
import { scrubAuditData, type AuditLog } from '../../audit/index.ts'
import type { SecretRef } from '../../config/index.ts'
import { isConductorError, type Clock, type IdGenerator } from '../../core/index.ts'
import { claimRow, insertOutboxRows, listDue, pruneSettled, settleRow } from './outbox.repository.ts'
import type { NotificationOutboxTable, NotificationTables } from './notifications.tables.ts'
import { matchesEvent, PAYLOAD_VERSION, renderBody, type NotificationEvent, type NotificationPayload, type WebhookFormat } from './payload.ts'
import { signWebhook } from './signature.ts'
import type { Fence, Leases } from '../../store/index.ts'
import { createDeliveryLoop } from './delivery-loop.ts'

/** One configured webhook (`notifications.webhooks[]`). */
export interface WebhookSettings {
  name: string
  url: string
  /** The signing secret, a reference to the secrets provider; unsigned without one (allowed for `slack` only). */
  secret?: SecretRef | undefined
  /** Globs of the event types it is told of. */
  events: readonly string[]
  format: WebhookFormat
}

/** Retry settings: the wait after attempt n is `min(initialDelaySeconds · 2^(n-1), maxDelaySeconds)`. */
export interface RetrySettings {
  initialDelaySeconds: number
  maxDelaySeconds: number
  /** Attempts in all, the first included; then delivery is given up and audited (`notification.failed`). */
  maxAttempts: number
}

/** Dependencies of {@link createNotifications}. */
export interface NotificationsDeps {
  db: Kysely<NotificationTables>
  audit: Pick<AuditLog, 'append'>
  clock: Clock
  ids: IdGenerator
  logger: Logger
  webhooks: readonly WebhookSettings[]
  /** Reads a webhook's signing secret (at each attempt, so a rotated secret is used at once). */
  getSecret: (ref: SecretRef) => Promise<string>
  /** Conductor's public URL, which Slack messages link to. */
  publicUrl: string
  retry: RetrySettings
  /** Each attempt's timeout (default 5000 ms). */
  timeoutMs?: number
  /** How long delivered and given-up rows are kept (default 7 days). */
  retentionHours?: number
  /**
   * Shared with the other replicas of the database: the periodic sweep of the outbox (retries, rows left by a replica
   * that died, pruning) runs on the one holding `webhook-outbox`. The round a `notify` starts runs on the replica that
   * raised the event either way: each row is claimed before its attempt, so no row is sent by two replicas at once.
   */
  leases?: Pick<Leases, 'claim'>
}

/** The lease the periodic sweep of the webhook outbox runs under. */
export const OUTBOX_LEASE = 'webhook-outbox'

/** Tells `event` to the webhooks whose `events` match its type. */
export type Notify = (event: NotificationEvent, trx?: Transaction<NotificationTables>) => Promise<string | null>

/** What one delivery round did. */
export interface DeliveryRound {
  delivered: number
  retried: number
  failed: number
}

/** Webhook notifications from the durable outbox. */
export interface Notifications {
  /**
   * Puts `event` in the outbox, one row per matching webhook (its data scrubbed of secrets as audit data is), in `trx` when given (so it is sent only if the caller's
   * transaction commits), and returns the event's id (null when no webhook wants it). Delivery happens beside the
   * caller, never inside it: a failing receiver cannot slow or fail the action that raised the event.
   */
  notify: Notify
  /** Runs one delivery round over every due row (rows other replicas hold are skipped). */
  deliverDue(fence?: Fence): Promise<DeliveryRound>
  /** Delivers now and then every `intervalSeconds` (and soon after each `notify`) until stopped. */
  start(intervalSeconds: number): void
  /** Stops the loop and waits for attempts under way; undelivered rows stay for the next start. */
  stop(): Promise<void>
}

const PAGE = 50
/** How long a claim outlives its attempt's timeout before another replica may take the row. */
const CLAIM_MARGIN_MS = 30_000

/** The wait after attempt number `attempt` (1-based), in ms: doubling from the initial delay, capped. */
export function backoffMs(attempt: number, retry: Pick<RetrySettings, 'initialDelaySeconds' | 'maxDelaySeconds'>): number {
  return Math.min(retry.initialDelaySeconds * 2 ** Math.max(0, attempt - 1), retry.maxDelaySeconds) * 1000
}

/** What a failed delivery attempt is recorded as: the status or an error code; never a URL, body or secret. */
export function failureOf(error: unknown): string {
  if (isConductorError(error)) return `secret unavailable (${error.code})`
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out'
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code
  return typeof code === 'string' ? `unreachable (${code})` : 'unreachable'
}

/** Creates the notifications service over the outbox in `db`. */
export function createNotifications(deps: NotificationsDeps): Notifications {
  const { db, clock, logger, retry } = deps
  const webhooks = new Map(deps.webhooks.map((w) => [w.name, w]))
  const timeoutMs = deps.timeoutMs ?? 5_000
  const retentionMs = (deps.retentionHours ?? 7 * 24) * 3_600_000
  const iso = (ms: number) => new Date(ms).toISOString()
  let lastPrune = 0

  async function attempt(row: NotificationOutboxTable, webhook: WebhookSettings): Promise<string | null> {
    try {
      const payload = JSON.parse(row.payload) as NotificationPayload
      const body = renderBody(payload, webhook.format, deps.publicUrl)
      const signature = webhook.secret ? signWebhook(await deps.getSecret(webhook.secret), body, clock.now()) : {}
      const response = await fetch(webhook.url, {
        method: 'POST', body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs),
        headers: { 'content-type': 'application/json', 'user-agent': 'airflow-conductor', 'conductor-event-id': payload.id, 'conductor-event-type': payload.type, ...signature },
      })
      await response.body?.cancel()
      return response.status >= 200 && response.status < 300 ? null : `answered ${response.status}`
    } catch (error) {
      return failureOf(error)
    }
  }

  async function deliver(row: NotificationOutboxTable, fence?: Fence): Promise<keyof DeliveryRound | null> {
    const attempts = row.attempts + 1
    if (fence && !fence.held()) return null
    if (!await claimRow(db, row, iso(clock.now() + timeoutMs + CLAIM_MARGIN_MS))) return null
    const webhook = webhooks.get(row.webhook)
    const error = webhook ? await attempt(row, webhook) : 'webhook no longer configured'
    const now = clock.now()
    if (error === null) {
      await settleRow(db, row.id, attempts, { delivered_at: iso(now), failed_at: null, next_attempt_at: iso(now), last_error: null })
      return 'delivered'
    }
    if (webhook && attempts < retry.maxAttempts) {
      await settleRow(db, row.id, attempts, { delivered_at: null, failed_at: null, next_attempt_at: iso(now + backoffMs(attempts, retry)), last_error: error })
      logger.info({ webhook: row.webhook, eventType: row.event_type, attempts, err: error }, 'webhook delivery failed; will retry')
      return 'retried'
    }
    if (!await settleRow(db, row.id, attempts, { delivered_at: null, failed_at: iso(now), next_attempt_at: iso(now), last_error: error })) return null
    const eventId = (JSON.parse(row.payload) as NotificationPayload).id
    logger.warn({ webhook: row.webhook, eventType: row.event_type, attempts, err: error }, 'webhook delivery given up')
    await deps.audit.append({ type: 'notification.failed', data: { webhook: row.webhook, eventId, eventType: row.event_type, attempts, error } })
    return 'failed'
  }

  async function deliverDue(fence?: Fence): Promise<DeliveryRound> {
    const round: DeliveryRound = { delivered: 0, retried: 0, failed: 0 }
    const seen = new Set<string>()
    for (;;) {
      const due = (await listDue(db, iso(clock.now()), PAGE)).filter((row) => !seen.has(row.id))
      if (due.length === 0) break
      for (const row of due) seen.add(row.id)
      if (fence && !fence.held()) break
      for (const outcome of await Promise.all(due.map((row) => deliver(row, fence)))) if (outcome) round[outcome]++
    }
    if (clock.now() - lastPrune > 3_600_000) {
      lastPrune = clock.now()
      await pruneSettled(db, iso(clock.now() - retentionMs))
    }
    return round
  }

  const loop = createDeliveryLoop({ lease: OUTBOX_LEASE, leases: deps.leases, logger, what: 'webhook delivery', round: deliverDue })

  return {
    async notify(event, trx) {
      const wanted = [...webhooks.values()].filter((w) => matchesEvent(w.events, event.type))
      if (wanted.length === 0) return null
      const now = clock.now()
      const payload: NotificationPayload = { version: PAYLOAD_VERSION, id: deps.ids.next(), type: event.type, occurredAt: event.occurredAt ?? iso(now), data: scrubAuditData(event.data) }
      const text = JSON.stringify(payload)
      await insertOutboxRows(trx ?? db, wanted.map((w) => ({
        id: deps.ids.next(), webhook: w.name, event_type: event.type, payload: text, attempts: 0,
        next_attempt_at: iso(now), delivered_at: null, failed_at: null, last_error: null, created_at: iso(now),
      })))
      if (loop.started) setImmediate(() => loop.kick(false))
      return payload.id
    },
    deliverDue,
    start: (intervalSeconds) => loop.start(intervalSeconds),
    stop: () => loop.stop(),
  }
}

import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { AuditLog } from '../../audit/index.ts'
import type { SecretRef } from '../../config/index.ts'
import type { Clock } from '../../core/index.ts'
import type { Fence } from '../../store/index.ts'
import { backoffMs, claimRow, failureOf, pruneSettled, settleRow, type DeliveryRound, type RetrySettings } from '../notifications/index.ts'
import type { LineageEndpoint } from './emit.ts'
import { endpointsDue, pendingOf } from './lineage.repository.ts'
import type { LineageOutboxTable, LineageTables } from './lineage.tables.ts'

/** Dependencies of {@link createLineageDelivery}. */
export interface LineageDeliveryDeps {
  db: Kysely<LineageTables>
  audit: Pick<AuditLog, 'append'>
  clock: Clock
  logger: Logger
  endpoints: readonly LineageEndpoint[]
  /** Reads an endpoint's API key (at each attempt, so a rotated key is used at once). */
  getSecret: (ref: SecretRef) => Promise<string>
  retry: RetrySettings
  timeoutMs: number
  /** How long delivered and given-up rows are kept (default 7 days). */
  retentionHours?: number
}

const PAGE = 50
/** How long a claim outlives its attempt's timeout before another replica may take the row. */
const CLAIM_MARGIN_MS = 30_000
const OUTBOX = 'lineage_outbox'

/**
 * Delivers the lineage outbox at least once, in order per endpoint: an endpoint's next event waits until the one
 * before it is delivered (or given up), so a receiver that was down gets START before COMPLETE when it is back.
 */
export function createLineageDelivery(deps: LineageDeliveryDeps): { deliverDue(fence?: Fence): Promise<DeliveryRound> } {
  const { db, clock, logger, retry } = deps
  const byName = new Map(deps.endpoints.map((e) => [e.name, e]))
  const iso = (ms: number) => new Date(ms).toISOString()
  const retentionMs = (deps.retentionHours ?? 7 * 24) * 3_600_000
  let lastPrune = 0

  async function attempt(row: LineageOutboxTable, endpoint: LineageEndpoint): Promise<string | null> {
    try {
      const auth = endpoint.apiKey ? { authorization: `Bearer ${await deps.getSecret(endpoint.apiKey)}` } : {}
      const response = await fetch(endpoint.url, {
        method: 'POST', body: row.payload, redirect: 'manual', signal: AbortSignal.timeout(deps.timeoutMs),
        headers: { 'content-type': 'application/json', 'user-agent': 'airflow-conductor', ...auth },
      })
      await response.body?.cancel()
      return response.status >= 200 && response.status < 300 ? null : `answered ${response.status}`
    } catch (error) {
      return failureOf(error)
    }
  }

  /** One attempt at `row`; 'retried' or null (lost the claim) stops the endpoint's turn, keeping its order. */
  async function deliver(row: LineageOutboxTable): Promise<keyof DeliveryRound | null> {
    const attempts = row.attempts + 1
    if (!await claimRow(db, row, iso(clock.now() + deps.timeoutMs + CLAIM_MARGIN_MS), OUTBOX)) return null
    const endpoint = byName.get(row.endpoint)
    const error = endpoint ? await attempt(row, endpoint) : 'endpoint no longer configured'
    const now = clock.now()
    if (error === null) {
      await settleRow(db, row.id, attempts, { delivered_at: iso(now), failed_at: null, next_attempt_at: iso(now), last_error: null }, OUTBOX)
      return 'delivered'
    }
    if (endpoint && attempts < retry.maxAttempts) {
      await settleRow(db, row.id, attempts, { delivered_at: null, failed_at: null, next_attempt_at: iso(now + backoffMs(attempts, retry)), last_error: error }, OUTBOX)
      logger.info({ endpoint: row.endpoint, eventType: row.event_type, attempts, err: error }, 'lineage delivery failed; will retry')
      return 'retried'
    }
    if (!await settleRow(db, row.id, attempts, { delivered_at: null, failed_at: iso(now), next_attempt_at: iso(now), last_error: error }, OUTBOX)) return null
    logger.warn({ endpoint: row.endpoint, eventType: row.event_type, attempts, err: error }, 'lineage delivery given up')
    const event = JSON.parse(row.payload) as { run?: { runId?: string }; eventType?: string }
    await deps.audit.append({ type: 'lineage.failed', data: { endpoint: row.endpoint, runId: event.run?.runId ?? null, eventType: row.event_type, attempts, error } })
    return 'failed'
  }

  async function endpointTurn(endpoint: string, round: DeliveryRound, fence?: Fence): Promise<void> {
    for (;;) {
      const rows = await pendingOf(db, endpoint, PAGE)
      if (rows.length === 0) return
      for (const row of rows) {
        if (row.next_attempt_at > iso(clock.now()) || (fence && !fence.held())) return
        const outcome = await deliver(row)
        if (outcome === null || outcome === 'retried') {
          if (outcome) round.retried++
          return
        }
        round[outcome]++
      }
    }
  }

  return {
    async deliverDue(fence) {
      const round: DeliveryRound = { delivered: 0, retried: 0, failed: 0 }
      const due = await endpointsDue(db, iso(clock.now()))
      await Promise.all(due.map((endpoint) => endpointTurn(endpoint, round, fence)))
      if (clock.now() - lastPrune > 3_600_000) {
        lastPrune = clock.now()
        await pruneSettled(db, iso(clock.now() - retentionMs), OUTBOX)
      }
      return round
    },
  }
}

import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { systemClock, type Clock } from '../../core/index.ts'
import { createLeasedLoop, type Fence, type LeasedLoop, type Leases } from '../../store/index.ts'
import { selectAuditRows } from '../audit-events.repository.ts'
import { rowToEvent } from '../rows.ts'
import { advanceCursor, eventTime, headSeq, insertCursor, recordFailure, selectCursor, selectCursors, type AuditStreamTables } from './cursors.repository.ts'
import type { AuditSink } from './sink.ts'

/** The lease of one sink's delivery loop: `audit-stream:<sink name>`. */
export const AUDIT_STREAM_LEASE_PREFIX = 'audit-stream:'

/** Batches sent to one sink in one round at most, so a long backlog does not hold the lease's round forever. */
const MAX_BATCHES_PER_ROUND = 50

/** One sink with how it is driven. */
export interface StreamedSink {
  sink: AuditSink
  batchSize: number
  initialRetryDelaySeconds: number
  maxRetryDelaySeconds: number
  /** Where a sink without a cursor starts: the first stored event, or after the last one. */
  startAt: 'beginning' | 'now'
}

/** One sink as `conductor status` shows it. */
export interface AuditSinkStatus {
  name: string
  type: AuditSink['type']
  /** The last audit seq the sink accepted (0: none yet); null before its loop first ran. */
  cursor: number | null
  /** Events appended and not yet accepted by the sink. */
  lagEvents: number
  /** Age of the oldest event not yet accepted, in seconds; 0 when caught up. */
  lagSeconds: number
  /** When the last accepted event was appended. */
  deliveredAt: string | null
  /** Consecutive failed attempts (0 after a success). */
  failures: number
  /** Why the last attempt failed (never a secret), and when; kept after a later success. */
  lastError: string | null
  lastErrorAt: string | null
}

/** This replica's counts for one sink since it started, for metrics. */
export interface AuditSinkCounts {
  name: string
  delivered: number
  failures: number
}

/** Streams the audit trail to its sinks. */
export interface AuditStream {
  /** Starts one loop per sink, each under its lease, every `intervalSeconds`. */
  start(intervalSeconds: number): void
  /** Stops the loops (waiting for rounds under way) and closes the sinks' connections. */
  stop(): Promise<void>
  /** Runs one round for every sink now (under the leases when there are), after any under way. */
  tick(): Promise<void>
  /** Every configured sink's cursor, lag and last error, as stored (the same on every replica). */
  status(): Promise<AuditSinkStatus[]>
  /** Batches delivered and failed by this replica since start, per sink. */
  counts(): AuditSinkCounts[]
}

/** Dependencies of {@link createAuditStream}. */
export interface AuditStreamDeps {
  db: Kysely<AuditStreamTables>
  sinks: StreamedSink[]
  logger: Pick<Logger, 'error' | 'warn' | 'info'>
  clock?: Clock
  leases?: Pick<Leases, 'claim'> | undefined
}

/**
 * Creates the audit stream: per sink, a loop reads the events after its durable cursor in seq order, in batches,
 * sends each batch and moves the cursor only once the sink accepted it (at least once, in order). A failing sink is
 * retried with a doubling delay up to its bound. Appends never wait for a sink: the loops only read the trail.
 */
export function createAuditStream(deps: AuditStreamDeps): AuditStream {
  const clock = deps.clock ?? systemClock
  const db = deps.db
  const iso = () => new Date(clock.now()).toISOString()
  const state = new Map(deps.sinks.map((s) => [s.sink.name, { nextAttemptAt: 0, delaySeconds: s.initialRetryDelaySeconds, delivered: 0, failures: 0 }]))

  async function deliver(streamed: StreamedSink, fence?: Fence): Promise<void> {
    const { sink } = streamed
    const own = state.get(sink.name)!
    if (clock.now() < own.nextAttemptAt) return
    let cursor = (await selectCursor(db, sink.name))?.seq
    if (cursor === undefined) {
      await insertCursor(db, sink.name, streamed.startAt === 'now' ? await headSeq(db) : 0, iso())
      cursor = (await selectCursor(db, sink.name))!.seq
    }
    for (let batch = 0; batch < MAX_BATCHES_PER_ROUND; batch++) {
      if (fence && !fence.held()) return
      const rows = await selectAuditRows(db, {}, cursor, streamed.batchSize)
      if (rows.length === 0) return
      const events = rows.map(rowToEvent)
      try {
        await sink.send(events)
      } catch (error) {
        own.failures++
        const reason = error instanceof Error ? error.message : String(error)
        own.nextAttemptAt = clock.now() + own.delaySeconds * 1000
        deps.logger.warn({ sink: sink.name, afterSeq: cursor, events: events.length, retryInSeconds: own.delaySeconds, error: reason }, 'audit sink failed; the batch will be sent again')
        own.delaySeconds = Math.min(own.delaySeconds * 2, streamed.maxRetryDelaySeconds)
        await recordFailure(db, sink.name, reason, iso())
        return
      }
      const last = events.at(-1)!
      await advanceCursor(db, sink.name, last.seq, last.at, iso())
      cursor = last.seq
      own.delivered += events.length
      own.delaySeconds = streamed.initialRetryDelaySeconds
      own.nextAttemptAt = 0
    }
  }

  const loops: LeasedLoop[] = deps.sinks.map((streamed) => createLeasedLoop({
    name: `${AUDIT_STREAM_LEASE_PREFIX}${streamed.sink.name}`, round: (fence) => deliver(streamed, fence), logger: deps.logger, leases: deps.leases,
  }))

  return {
    start(intervalSeconds) {
      for (const loop of loops) loop.start(intervalSeconds)
    },
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()))
      await Promise.all(deps.sinks.map((s) => s.sink.close().catch(() => {})))
    },
    async tick() {
      await Promise.all(loops.map((loop) => loop.tick()))
    },
    async status() {
      const [cursors, head] = await Promise.all([selectCursors(db), headSeq(db)])
      return Promise.all(deps.sinks.map(async ({ sink }) => {
        const row = cursors.get(sink.name)
        const from = row?.seq ?? 0
        const lagEvents = Math.max(0, head - from)
        const oldest = lagEvents > 0 ? await eventTime(db, from + 1) : undefined
        return {
          name: sink.name, type: sink.type, cursor: row ? row.seq : null, lagEvents,
          lagSeconds: oldest ? Math.max(0, Math.round((clock.now() - Date.parse(oldest)) / 100) / 10) : 0,
          deliveredAt: row?.delivered_at ?? null, failures: row?.failures ?? 0, lastError: row?.last_error ?? null, lastErrorAt: row?.last_error_at ?? null,
        }
      }))
    },
    counts() {
      return deps.sinks.map(({ sink }) => ({ name: sink.name, delivered: state.get(sink.name)!.delivered, failures: state.get(sink.name)!.failures }))
    },
  }
}

import type { Kysely } from 'kysely'
import { ConductorError, isConductorError, systemClock } from '../core/index.ts'
import type { Clock } from '../core/index.ts'
import { transaction } from '../store/index.ts'
import type { Database } from '../store/index.ts'
import { appendIfHeadAt, insertAuditRows, selectAuditRows, selectChainHead } from './audit-events.repository.ts'
import type { AuditRowFilter, AuditTables } from './audit-events.repository.ts'
import { canonicalData, hashCanonicalParts } from './hash.ts'
import { cleanString, scrubAuditData } from './redact.ts'
import { eventToRow, rowToEvent } from './rows.ts'
import type { AuditEventsTable } from './audit-events.repository.ts'
import type { AuditEvent, AuditEventInput, AuditExportFormat, AuditFilter, VerifyOptions, VerifyResult } from './types.ts'
import { verifyAuditChain } from './verify.ts'

/** The largest `data` accepted, as JSON text. */
const MAX_DATA_BYTES = 256 * 1024
const DEFAULT_LIMIT = 100
const MAX_LIMIT = 1000
const EXPORT_BATCH = 500
/** Most events written by one append transaction. */
const MAX_BATCH = 100

/** One event ready to chain: its fields, and the canonical JSON of `data` and `policyIds`, computed before the transaction. */
interface Prepared {
  fields: NormalizedInput
  dataText: string
  policyIdsText: string
}

/** Writes made atomically with audit events (see {@link AuditLog.commit}); gets the audit log's transaction. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the caller's tables are its own business
export type AuditedWrite = (trx: Kysely<any>) => Promise<void>

interface Pending {
  events: Prepared[]
  write: AuditedWrite | undefined
  resolve: (events: AuditEvent[]) => void
  reject: (error: unknown) => void
}

/** The tamper-evident, append-only audit trail. */
export interface AuditLog {
  /**
   * Appends one event at the end of the chain. Resolves only once the event is durably committed; appends from
   * every process sharing the database are serialized, so the chain never forks and seq has no gaps. Appends made
   * while another is being written are committed together in the next transaction (group commit).
   * @throws ConductorError `invalid_input` for a malformed event, `store_unavailable` when the database fails.
   */
  append(event: AuditEventInput): Promise<AuditEvent>
  /**
   * Commits `write` (the caller's own rows, e.g. a request and its state) and `events` (appended in order) in one
   * transaction, sharing the group commit with concurrent appends: either all of it is durable when this resolves,
   * or none of it is. `write` runs in the audit log's database, so the caller's tables must live there too; it may
   * run twice (its first transaction is rolled back when another write of the same batch fails).
   * @throws ConductorError `invalid_input` for a malformed event (nothing written); what `write` throws; `store_unavailable`.
   */
  commit(events: AuditEventInput[], write?: AuditedWrite): Promise<AuditEvent[]>
  /**
   * Events matching every given field of `filter`, ascending by seq; at most `limit` (default 100, capped at 1000).
   * @throws ConductorError `invalid_input` for a malformed filter.
   */
  query(filter?: AuditFilter): Promise<AuditEvent[]>
  /** Verifies the stored chain (see {@link verifyAuditChain}). */
  verify(options?: VerifyOptions): Promise<VerifyResult>
  /**
   * Streams the matching events (all of them unless `filter.limit`) as text chunks: `json` is one JSON array,
   * `csv` is RFC 4180 with a header row, `policyIds` and `data` as JSON. The hash columns allow re-verification.
   */
  exportEvents(filter: AuditFilter, format: AuditExportFormat): AsyncIterable<string>
}

/** Dependencies of {@link createAuditLog}. */
export interface AuditLogDeps {
  /** The migrated database holding the audit tables. */
  database: Pick<Database<AuditTables>, 'db' | 'dialect'>
  /** Where `at` comes from; defaults to the system clock. */
  clock?: Clock
}

/** Creates the audit log over `database`. Several instances (and processes) may share one database. */
export function createAuditLog(deps: AuditLogDeps): AuditLog {
  const { database } = deps
  const clock = deps.clock ?? systemClock
  const db = database.db
  const lockHead = database.dialect === 'postgres'
  // Group commit: appends that arrive while a transaction is in flight share the next one (one lock, one fsync).
  // A flush starts on the next turn of the event loop rather than at once, so that callers woken by the previous
  // commit (and any others ready now) join the same batch instead of one of them going alone.
  const queue: Pending[] = []
  let flushing = false

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      // At most MAX_BATCH events per transaction, but never fewer than one caller's.
      let take = 1
      let size = queue[0]!.events.length
      while (take < queue.length && size + queue[take]!.events.length <= MAX_BATCH) size += queue[take++]!.events.length
      const batch = queue.splice(0, take)
      try {
        const events = await commitBatch(batch)
        batch.forEach((pending, i) => pending.resolve(events[i]!))
      } catch (cause) {
        if (batch.length === 1) {
          batch[0]!.reject(cause)
        } else {
          // One caller's write failed and took the batch with it: commit each caller on its own, so only it fails.
          for (const pending of batch) {
            try {
              pending.resolve((await commitBatch([pending]))[0]!)
            } catch (error) {
              pending.reject(error)
            }
          }
        }
      }
      // Let the callers just answered (and everyone else ready) queue up before the next batch is cut.
      if (queue.length < MAX_BATCH) await new Promise<void>((resolve) => setImmediate(resolve))
    }
    flushing = false
  }

  // The head this process last wrote (PostgreSQL): appends without writes chain onto it in one statement, which
  // stores nothing if another process moved the head meanwhile (then the locked transaction below runs).
  let knownHead: { seq: number; hash: string } | undefined

  /** Chains the batch's events after `head`: the events per caller, and the rows to store. */
  function chain(batch: Pending[], head: { seq: number; hash: string }): { chained: AuditEvent[][]; stored: AuditEventsTable[] } {
    let { hash: prevHash } = head
    let seq = Number(head.seq)
    const at = new Date(clock.now()).toISOString()
    const stored: AuditEventsTable[] = []
    const chained = batch.map(({ events }) => events.map(({ fields, dataText, policyIdsText }) => {
      const unhashed = { seq: ++seq, at, ...fields, prevHash }
      const event: AuditEvent = { ...unhashed, hash: hashCanonicalParts(unhashed, dataText, policyIdsText) }
      stored.push({ ...eventToRow(event), data: dataText, policy_ids: policyIdsText })
      prevHash = event.hash
      return event
    }))
    return { chained, stored }
  }

  async function commitBatch(batch: Pending[]): Promise<AuditEvent[][]> {
    const head = knownHead
    knownHead = undefined
    if (head !== undefined && lockHead && batch.every((p) => p.write === undefined)) {
      try {
        const { chained, stored } = chain(batch, head)
        if (await appendIfHeadAt(db, head, stored)) {
          const last = stored.at(-1)
          knownHead = last ? { seq: last.seq, hash: last.hash } : head
          return chained
        }
      } catch (cause) {
        if (isConductorError(cause)) throw cause
        throw new ConductorError('store_unavailable', 'Cannot append to the audit log', { cause })
      }
    }
    return commitLocked(batch)
  }

  /** One transaction: every caller's write, then their events chained after the locked head. Rejects with a write's own error. */
  async function commitLocked(batch: Pending[]): Promise<AuditEvent[][]> {
    let writing = false
    let pendingHead: { seq: number; hash: string } | undefined
    try {
      const chained = await transaction({ db }, async (trx) => {
        writing = true
        for (const { write } of batch) if (write !== undefined) await write(trx)
        writing = false
        // On PostgreSQL the row lock serializes appenders; on SQLite the transaction already holds the write lock.
        const head = await selectChainHead(trx, lockHead)
        if (head === undefined) throw new ConductorError('store_unavailable', 'The audit chain head is missing: is the database migrated?')
        const { chained, stored } = chain(batch, { seq: Number(head.seq), hash: head.hash })
        await insertAuditRows(trx, stored)
        const last = stored.at(-1)
        pendingHead = last ? { seq: last.seq, hash: last.hash } : { seq: Number(head.seq), hash: head.hash }
        return chained
      })
      // Committed: the head is where this batch left it (until another process appends).
      knownHead = pendingHead
      return chained
    } catch (cause) {
      if (writing || isConductorError(cause)) throw cause
      throw new ConductorError('store_unavailable', 'Cannot append to the audit log', { cause })
    }
  }

  function enqueue(events: Prepared[], write: AuditedWrite | undefined): Promise<AuditEvent[]> {
    return new Promise<AuditEvent[]>((resolve, reject) => {
      queue.push({ events, write, resolve, reject })
      if (!flushing) {
        flushing = true
        setImmediate(() => void flush())
      }
    })
  }

  return {
    async append(input) {
      const [event] = await enqueue([normalizeInput(input)], undefined)
      return event!
    },

    async commit(inputs, write) {
      if (!Array.isArray(inputs)) throw invalid('events', 'events must be an array')
      const prepared = inputs.map(normalizeInput)
      if (prepared.length === 0 && write === undefined) return []
      return enqueue(prepared, write)
    },

    async query(filter = {}) {
      const { rows, afterSeq, limit } = normalizeFilter(filter)
      const found = await selectAuditRows(db, rows, afterSeq, Math.min(limit ?? DEFAULT_LIMIT, MAX_LIMIT))
      return found.map(rowToEvent)
    },

    verify(options) {
      return verifyAuditChain(db, options)
    },

    exportEvents(filter, format) {
      if (format !== 'json' && format !== 'csv') throw invalid('format', 'The export format must be json or csv')
      return exportRows(db, normalizeFilter(filter), format)
    },
  }
}

type NormalizedInput = Omit<AuditEvent, 'seq' | 'at' | 'prevHash' | 'hash'>

function normalizeInput(input: AuditEventInput): Prepared {
  if (input === null || typeof input !== 'object') throw invalid('event', 'An audit event must be an object')
  if (typeof input.type !== 'string' || !/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/.test(input.type) || input.type.length > 100) {
    throw invalid('type', 'An audit event type is a dotted lowercase name like dispatch.sent')
  }
  const text = (field: keyof AuditEventInput): string | null => {
    const value = input[field]
    if (value === undefined || value === null) return null
    if (typeof value !== 'string' || value.length > 1000) throw invalid(field, `The audit event's ${field} must be a string of at most 1000 characters`)
    return cleanString(value)
  }
  const decision = input.decision ?? null
  if (decision !== null && decision !== 'allow' && decision !== 'deny') throw invalid('decision', 'decision must be allow, deny or null')
  const policyIds = input.policyIds ?? []
  if (!Array.isArray(policyIds) || policyIds.some((id) => typeof id !== 'string')) throw invalid('policyIds', 'policyIds must be an array of strings')
  const rawData = input.data ?? {}
  if (rawData === null || typeof rawData !== 'object' || Array.isArray(rawData)) throw invalid('data', 'data must be an object')
  let data: Record<string, unknown>
  let dataText: string
  try {
    data = scrubAuditData(rawData)
    // Canonical JSON once, here: it is both what the hash covers and what is stored.
    dataText = canonicalData(data)
  } catch (cause) {
    throw new ConductorError('invalid_input', 'data must be JSON-serializable', { details: { field: 'data' }, cause })
  }
  if (Buffer.byteLength(dataText) > MAX_DATA_BYTES) throw invalid('data', `data must be at most ${MAX_DATA_BYTES} bytes as JSON`)
  const cleanIds = policyIds.map(cleanString)
  const fields: NormalizedInput = {
    type: input.type,
    principal: text('principal'),
    principalType: text('principalType'),
    environment: text('environment'),
    dag: text('dag'),
    action: text('action'),
    requestId: text('requestId'),
    decision,
    policyIds: cleanIds,
    data,
  }
  return { fields, dataText, policyIdsText: JSON.stringify(cleanIds) }
}

interface NormalizedFilter {
  rows: AuditRowFilter
  afterSeq: number
  limit: number | undefined
}

function normalizeFilter(filter: AuditFilter): NormalizedFilter {
  const rows: AuditRowFilter = {}
  for (const field of ['principal', 'environment', 'dag', 'action', 'type', 'requestId'] as const) {
    const value = filter[field]
    if (value === undefined) continue
    if (typeof value !== 'string') throw invalid(field, `${field} must be a string`)
    rows[field] = value
  }
  if (filter.decision !== undefined) {
    if (filter.decision !== 'allow' && filter.decision !== 'deny') throw invalid('decision', 'decision must be allow or deny')
    rows.decision = filter.decision
  }
  for (const field of ['from', 'to'] as const) {
    const value = filter[field]
    if (value === undefined) continue
    const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN
    if (Number.isNaN(ms)) throw invalid(field, `${field} must be an ISO 8601 date-time`)
    // Stored times are toISOString() text, so comparing the same form orders correctly.
    rows[field] = new Date(ms).toISOString()
  }
  const afterSeq = filter.afterSeq ?? 0
  if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw invalid('afterSeq', 'afterSeq must be a non-negative integer')
  const limit = filter.limit
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) throw invalid('limit', 'limit must be a positive integer')
  return { rows, afterSeq, limit }
}

const CSV_COLUMNS = ['seq', 'at', 'type', 'principal', 'principalType', 'environment', 'dag', 'action', 'requestId', 'decision', 'policyIds', 'data', 'prevHash', 'hash'] as const

async function* exportRows(db: Kysely<AuditTables>, filter: NormalizedFilter, format: AuditExportFormat): AsyncGenerator<string> {
  let remaining = filter.limit ?? Number.POSITIVE_INFINITY
  let afterSeq = filter.afterSeq
  let first = true
  yield format === 'json' ? '[' : CSV_COLUMNS.join(',') + '\r\n'
  while (remaining > 0) {
    const rows = await selectAuditRows(db, filter.rows, afterSeq, Math.min(EXPORT_BATCH, remaining))
    if (rows.length === 0) break
    let chunk = ''
    for (const row of rows) {
      const event = rowToEvent(row)
      if (format === 'json') {
        chunk += (first ? '\n' : ',\n') + JSON.stringify(event)
      } else {
        chunk += CSV_COLUMNS.map((column) => csvCell(event[column])).join(',') + '\r\n'
      }
      first = false
      afterSeq = event.seq
    }
    remaining -= rows.length
    yield chunk
    if (rows.length < EXPORT_BATCH) break
  }
  if (format === 'json') yield first ? ']\n' : '\n]\n'
}

/** One CSV cell (RFC 4180): empty for null, JSON for objects, quoted when it holds a quote, comma or line break. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

function invalid(field: string, message: string): ConductorError {
  return new ConductorError('invalid_input', message, { details: { field } })
}

import type { Kysely } from 'kysely'
import { selectAuditRows, selectAuditRow, selectChainHead } from './audit-events.repository.ts'
import type { AuditEventsTable, AuditTables } from './audit-events.repository.ts'
import { GENESIS_HASH, hashAuditEvent, hashStoredRow } from './hash.ts'
import { rowToEvent } from './rows.ts'
import type { VerifyOptions, VerifyResult } from './types.ts'

/**
 * Checks the stored chain, reading only the database (a CLI can run it without the server): walks events in seq
 * order in batches and reports the first event that is missing (a gap), does not link to its predecessor's hash,
 * or whose content does not hash to its stored hash; then compares the end of the chain with the chain head,
 * catching deleted last events and events written behind the audit log's back. Never throws for a broken chain.
 */
export async function verifyAuditChain(db: Kysely<AuditTables>, options: VerifyOptions = {}): Promise<VerifyResult> {
  const fromSeq = options.anchor !== undefined ? options.anchor.seq + 1 : Math.max(1, Math.floor(options.fromSeq ?? 1))
  const batchSize = Math.max(1, Math.min(10_000, Math.floor(options.batchSize ?? 2000)))
  let count = 0
  // Events are checked in seq order, so those that checked out are exactly the ones before the first bad one.
  const bad = (firstBadSeq: number, reason: string): VerifyResult => ({ ok: false, firstBadSeq, reason, count: Math.max(0, firstBadSeq - fromSeq) })

  let prevHash = GENESIS_HASH
  if (options.anchor !== undefined) {
    prevHash = options.anchor.hash
  } else if (fromSeq > 1) {
    const anchor = await selectAuditRow(db, fromSeq - 1)
    if (anchor === undefined) return bad(fromSeq - 1, `event ${fromSeq - 1}, where verification starts, is missing`)
    prevHash = anchor.hash
  }
  // Rows at or below the head read now were committed before it: all of them must be found by the walk.
  const headBefore = await selectChainHead(db, false)
  let lastSeq = fromSeq - 1
  // Keyset pages in seq order; the next page is read while this one is hashed (PostgreSQL overlaps the two).
  let pending = selectAuditRows(db, {}, lastSeq, batchSize)
  for (;;) {
    const rows = await pending
    const tail = rows.at(-1)
    if (rows.length === batchSize && tail !== undefined) pending = selectAuditRows(db, {}, Number(tail.seq), batchSize)
    for (const row of rows) {
      const problem = checkRow(row, lastSeq + 1, prevHash)
      if (problem !== undefined) {
        if (rows.length === batchSize) await pending.catch(() => undefined)
        return bad(lastSeq + 1, problem)
      }
      lastSeq = row.seq
      prevHash = row.hash
      count++
    }
    if (rows.length < batchSize) break
  }
  if (headBefore === undefined) return bad(lastSeq + 1, 'the chain head is missing')
  if (headBefore.seq > lastSeq) return bad(lastSeq + 1, `events ${lastSeq + 1}..${headBefore.seq} are missing (the chain head is at ${headBefore.seq})`)
  // Read again: appends that committed during the walk moved the head past the rows they added.
  const headAfter = await selectChainHead(db, false)
  if (headAfter === undefined) return bad(lastSeq + 1, 'the chain head is missing')
  if (headAfter.seq < lastSeq) return bad(headAfter.seq + 1, `event ${headAfter.seq + 1} was not appended through the audit log (the chain head is at ${headAfter.seq})`)
  if (headAfter.seq === lastSeq && headAfter.hash !== prevHash) return bad(lastSeq, `event ${lastSeq}'s hash differs from the chain head's`)
  return { ok: true, count, lastSeq, lastHash: prevHash }
}

function checkRow(row: AuditEventsTable, expectedSeq: number, prevHash: string): string | undefined {
  if (row.seq !== expectedSeq) {
    return row.seq > expectedSeq ? `event ${expectedSeq} is missing (the next stored event is ${row.seq})` : `event ${row.seq} is out of order`
  }
  if (row.prev_hash !== prevHash) return `event ${row.seq} does not link to the hash of event ${row.seq - 1}`
  // Fast path: hash the stored JSON text as is (appends store canonical JSON). A match proves the row intact once its
  // JSON columns are each one complete JSON value, so the concatenation parses back into the same fields.
  if (hashStoredRow(row) === row.hash && wholeJson(row.data, '{') && wholeJson(row.policy_ids, '[')) return undefined
  let recomputed: string
  try {
    const { hash: _stored, ...rest } = rowToEvent(row)
    recomputed = hashAuditEvent(rest)
  } catch {
    return `event ${row.seq} holds malformed data`
  }
  if (recomputed !== row.hash) return `event ${row.seq}'s content does not match its hash`
  return undefined
}

/** True when `text` is exactly one JSON value of the kind opened by `open` (an object or an array). */
function wholeJson(text: string, open: '{' | '['): boolean {
  if (text[0] !== open) return false
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

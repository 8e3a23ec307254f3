import type { Kysely } from 'kysely'
import type { AuditLog } from '../audit/index.ts'
import { ConductorError, type Clock } from '../core/index.ts'

/*
 * Idempotency keys (the IETF httpapi draft "The Idempotency-Key HTTP Header Field"), part of the request ledger:
 * a mutating request that carries a key is dispatched once per principal and key; a retry with the same key and
 * the same request gets the first answer again.
 */

/** A row of `idempotency_keys`: one key of one principal, its request's fingerprint and, once answered, the answer. */
export interface IdempotencyKeysTable {
  principal_type: string
  principal_id: string
  key: string
  method: string
  /** The path (and query) the key was first sent to. */
  route: string
  /** SHA-256 (hex) of the canonical JSON of the parsed body. */
  body_hash: string
  state: 'processing' | 'done'
  status: number | null
  /** The first answer's body, exactly as sent. */
  response: string | null
  location: string | null
  /** The HTTP request id of the first attempt. */
  request_id: string
  created_at: string
  expires_at: string
}

/** The tables of idempotency keys. */
export interface IdempotencyTables {
  idempotency_keys: IdempotencyKeysTable
}

/** A request that carries an idempotency key: who sent it, the key, and what identifies the request. */
export interface IdempotentRequest {
  principalType: string
  principalId: string
  key: string
  method: string
  route: string
  bodyHash: string
  /** This attempt's HTTP request id. */
  httpRequestId: string
}

/** An answer as it was sent. */
export interface IdempotentAnswer {
  status: number
  body: string
  location: string | null
}

/** The outcome of {@link IdempotencyKeys.claim}: go ahead (the key is now held by this attempt), or send the first answer again. */
export type IdempotencyClaim =
  | { outcome: 'claimed' }
  | { outcome: 'replay'; answer: IdempotentAnswer; originalHttpRequestId: string }

/** The store of idempotency keys. */
export interface IdempotencyKeys {
  /** How long a key is remembered after its first use. */
  readonly ttlHours: number
  /**
   * Claims `request.key` for this attempt, or finds the answer of an earlier one. A key unused, or last used more than
   * {@link ttlHours} ago, is claimed. Throws `idempotency_key_reused` when the key was first sent with another
   * method, path or body, and `idempotency_key_in_use` while the first attempt is still being processed. A replay is
   * audited as `request.replayed` (with the first attempt's request ids); it writes no request to the ledger.
   */
  claim(request: IdempotentRequest): Promise<IdempotencyClaim>
  /**
   * Records the answer of a claimed attempt. Answers below 500 (successes and client errors) are kept and replayed
   * until the key expires; a 5xx or 429 answer releases the key, so a retry with it is processed afresh, unless it says
   * the dispatch's outcome is unknown (kept, so a retry never dispatches twice).
   */
  settle(request: IdempotentRequest, answer: IdempotentAnswer): Promise<void>
  /** Deletes every expired key; returns how many. */
  purgeExpired(): Promise<number>
}

/** Dependencies of {@link createIdempotencyKeys}. */
export interface IdempotencyKeysDeps {
  db: Kysely<IdempotencyTables>
  audit: Pick<AuditLog, 'append'>
  clock: Clock
  /** `governance.idempotencyKeyHours`. */
  ttlHours: number
}

const HOUR_MS = 3_600_000

/** Creates the store of idempotency keys over `idempotency_keys`. */
export function createIdempotencyKeys(deps: IdempotencyKeysDeps): IdempotencyKeys {
  const { db, audit, clock, ttlHours } = deps
  let lastPurge = clock.now()

  const scope = (r: IdempotentRequest) => ({ principal_type: r.principalType, principal_id: r.principalId, key: r.key })

  const keys: IdempotencyKeys = {
    ttlHours,

    async claim(request) {
      const now = clock.now()
      if (now - lastPurge > HOUR_MS) { lastPurge = now; await keys.purgeExpired() }
      const nowIso = new Date(now).toISOString()
      // The primary key decides between simultaneous attempts: exactly one insert succeeds. The loop only repeats
      // when the row seen was expired (and is deleted here) or vanished (released by a failing first attempt).
      for (let attempt = 0; attempt < 3; attempt++) {
        const inserted = await db.insertInto('idempotency_keys').values({
          ...scope(request), method: request.method, route: request.route, body_hash: request.bodyHash, state: 'processing',
          status: null, response: null, location: null, request_id: request.httpRequestId,
          created_at: nowIso, expires_at: new Date(now + ttlHours * HOUR_MS).toISOString(),
        }).onConflict((oc) => oc.columns(['principal_type', 'principal_id', 'key']).doNothing()).returning('key').executeTakeFirst()
        if (inserted) return { outcome: 'claimed' }
        const row = await db.selectFrom('idempotency_keys').selectAll().where((eb) => eb.and(scope(request))).executeTakeFirst()
        if (!row) continue
        if (row.expires_at <= nowIso) {
          await db.deleteFrom('idempotency_keys').where((eb) => eb.and({ ...scope(request), request_id: row.request_id })).execute()
          continue
        }
        if (row.method !== request.method || row.route !== request.route || row.body_hash !== request.bodyHash) {
          throw new ConductorError('idempotency_key_reused', `Idempotency-Key was first used for another request (${row.method} ${row.route} with ${row.body_hash === request.bodyHash ? 'the same' : 'another'} body); use a new key for a new request`, {
            details: { header: 'Idempotency-Key', firstUsedAt: row.created_at },
          })
        }
        if (row.state !== 'done' || row.status === null || row.response === null) {
          throw new ConductorError('idempotency_key_in_use', 'a request with this Idempotency-Key is still being processed; retry in a moment to get its answer', {
            details: { header: 'Idempotency-Key', firstUsedAt: row.created_at },
          })
        }
        const answer = { status: row.status, body: row.response, location: row.location }
        await audit.append({
          type: 'request.replayed', principal: request.principalId, principalType: request.principalType, requestId: ledgerRequestId(row.response),
          data: { method: request.method, route: request.route, status: row.status, httpRequestId: request.httpRequestId, originalHttpRequestId: row.request_id },
        })
        return { outcome: 'replay', answer, originalHttpRequestId: row.request_id }
      }
      throw new ConductorError('idempotency_key_in_use', 'another request with this Idempotency-Key is being processed; retry in a moment', { details: { header: 'Idempotency-Key' } })
    },

    async settle(request, answer) {
      const attempt = { ...scope(request), request_id: request.httpRequestId }
      if (retryable(answer)) {
        await db.deleteFrom('idempotency_keys').where((eb) => eb.and(attempt)).execute()
        return
      }
      await db.updateTable('idempotency_keys').set({ state: 'done', status: answer.status, response: answer.body, location: answer.location })
        .where((eb) => eb.and(attempt)).execute()
    },

    async purgeExpired() {
      const result = await db.deleteFrom('idempotency_keys').where('expires_at', '<=', new Date(clock.now()).toISOString()).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
  return keys
}

/**
 * Whether a retry with the same key should be processed afresh: a 5xx or a 429 (throttled: nothing was sent), unless
 * the answer says the dispatch's outcome is unknown (it may have reached the orchestrator). Such an answer is kept and
 * replayed, so a retry never starts a second run; the request it names is settled by dispatch recovery.
 */
function retryable(answer: IdempotentAnswer): boolean {
  if (answer.status !== 429 && answer.status < 500) return false
  try {
    const outcome = (JSON.parse(answer.body) as { error?: { details?: { outcome?: unknown } } } | null)?.error?.details?.outcome
    return outcome !== 'unknown'
  } catch {
    return true
  }
}

/** The ledger request an answer names (`request.id` of a governed action's answer), or null. */
function ledgerRequestId(body: string): string | null {
  try {
    const id = (JSON.parse(body) as { request?: { id?: unknown } } | null)?.request?.id
    return typeof id === 'string' ? id : null
  } catch {
    return null
  }
}

import { hash } from 'node:crypto'
import canonicalize from 'canonicalize'
import type { AuditEventsTable } from './audit-events.repository.ts'
import type { AuditEvent } from './types.ts'

/** The `prevHash` of the first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64)

/**
 * The hash of an event: SHA-256 (lowercase hex) over the RFC 8785 canonical JSON of every field except `hash`,
 * `prevHash` included, so each event commits to the whole chain before it.
 */
export function hashAuditEvent(event: Omit<AuditEvent, 'hash'>): string {
  return hashCanonicalParts(event, canonicalData(event.data), canonicalize(event.policyIds) ?? '[]')
}

/** The RFC 8785 canonical JSON of an event's `data` (stored as is, so verification can hash the stored text). */
export function canonicalData(data: Record<string, unknown>): string {
  return canonicalize(data) ?? '{}'
}

/**
 * The event's hash given the canonical JSON of its `data` and `policyIds`: the top-level object is written by hand
 * with its keys in RFC 8785 order (UTF-16 code unit order), so only the nested values go through the canonicalizer.
 */
export function hashCanonicalParts(event: Omit<AuditEvent, 'hash' | 'data' | 'policyIds'>, data: string, policyIds: string): string {
  const body = '{"action":' + str(event.action) + ',"at":' + str(event.at) + ',"dag":' + str(event.dag) + ',"data":' + data
    + ',"decision":' + str(event.decision) + ',"environment":' + str(event.environment) + ',"policyIds":' + policyIds
    + ',"prevHash":' + str(event.prevHash) + ',"principal":' + str(event.principal) + ',"principalType":' + str(event.principalType)
    + ',"requestId":' + str(event.requestId) + ',"seq":' + num(event.seq) + ',"type":' + str(event.type) + '}'
  return hash('sha256', body, 'hex')
}

/**
 * The hash of a stored row computed from its JSON columns as stored, without parsing them: equal to the event's hash
 * exactly when those columns hold the canonical text (as every append writes `data`). A row whose stored text is not
 * canonical (older rows) gives another value; then hash the parsed event with {@link hashAuditEvent}.
 */
export function hashStoredRow(row: AuditEventsTable): string {
  return hashCanonicalParts({
    seq: Number(row.seq), at: row.at, type: row.type, principal: row.principal, principalType: row.principal_type, environment: row.environment,
    dag: row.dag, action: row.action, requestId: row.request_id, decision: row.decision as AuditEvent['decision'], prevHash: row.prev_hash,
  }, row.data, row.policy_ids)
}

function str(value: string | null): string {
  if (value === null) return 'null'
  if (typeof value !== 'string') return canonicalize(value) ?? 'null'
  // RFC 8785 (and the canonicalize package) refuse lone surrogates.
  if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) throw new Error('Lone surrogate is not allowed')
  return JSON.stringify(value)
}

function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error('A sequence number must be finite')
  return JSON.stringify(value)
}

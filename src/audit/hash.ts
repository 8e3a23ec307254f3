import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'
import type { AuditEvent } from './types.ts'

/** The `prevHash` of the first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64)

/**
 * The hash of an event: SHA-256 (lowercase hex) over the RFC 8785 canonical JSON of every field except `hash`,
 * `prevHash` included, so each event commits to the whole chain before it.
 */
export function hashAuditEvent(event: Omit<AuditEvent, 'hash'>): string {
  const body = {
    seq: event.seq,
    at: event.at,
    type: event.type,
    principal: event.principal,
    principalType: event.principalType,
    environment: event.environment,
    dag: event.dag,
    action: event.action,
    requestId: event.requestId,
    decision: event.decision,
    policyIds: event.policyIds,
    data: event.data,
    prevHash: event.prevHash,
  }
  return createHash('sha256').update(canonicalize(body) ?? '', 'utf8').digest('hex')
}

import type { AuditEventsTable } from './audit-events.repository.ts'
import type { AuditEvent } from './types.ts'

/** A stored row as an {@link AuditEvent}. Throws on malformed JSON columns. */
export function rowToEvent(row: AuditEventsTable): AuditEvent {
  return {
    seq: Number(row.seq),
    at: row.at,
    type: row.type,
    principal: row.principal,
    principalType: row.principal_type,
    environment: row.environment,
    dag: row.dag,
    action: row.action,
    requestId: row.request_id,
    decision: row.decision as AuditEvent['decision'],
    policyIds: JSON.parse(row.policy_ids) as string[],
    data: JSON.parse(row.data) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  }
}

/** An {@link AuditEvent} as a row. */
export function eventToRow(event: AuditEvent): AuditEventsTable {
  return {
    seq: event.seq,
    at: event.at,
    type: event.type,
    principal: event.principal,
    principal_type: event.principalType,
    environment: event.environment,
    dag: event.dag,
    action: event.action,
    request_id: event.requestId,
    decision: event.decision,
    policy_ids: JSON.stringify(event.policyIds),
    data: JSON.stringify(event.data),
    prev_hash: event.prevHash,
    hash: event.hash,
  }
}

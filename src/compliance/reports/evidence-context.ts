import type { Kysely } from 'kysely'
import type { AuditEvent, AuditLog, AuditSinkStatus, AuditCheckpoint } from '../../audit/index.ts'
import type { ComplianceHistoryTables } from '../history/index.ts'

/** One piece of evidence: a kind, a summary and the rows behind it (flat values, so they also make a CSV). */
export interface EvidenceSection {
  kind: EvidenceKind
  title: string
  summary: Record<string, string | number | boolean | null>
  rows: Record<string, string | number | boolean | null>[]
  /** What the reader should know about its limits. */
  notes: string[]
}

/** The evidence kinds a report draws on; each built once per report and shared by the controls that cite it. */
export type EvidenceKind =
  | 'access' | 'privileged_access' | 'access_changes' | 'deprovisioning' | 'approvals' | 'policy_versions'
  | 'denied_attempts' | 'shadow_activity' | 'reviews' | 'audit_integrity'

/** An access matrix as the access module computes it (only what reports read). */
export interface AccessMatrixLike {
  classes: {
    principals: { type: string; id: string; displayName?: string | null; groups: string[] }[]
    groups: string[]
    entries: { action: string; environment: string | null; dagIds: string[] | null; policyIds: string[] }[]
  }[]
}

/** What the evidence kinds read. */
export interface EvidenceContext {
  db: Kysely<ComplianceHistoryTables>
  from: string
  to: string
  asOf: string
  /** The period's audit events, oldest first. */
  events: AuditEvent[]
  /** Access as of a moment, recomputed from the history (null: not available in this build, with the reason). */
  accessAsOf: ((at: string) => Promise<AccessMatrixLike>) | null
  audit: Pick<AuditLog, 'verify'>
  checkpoints: AuditCheckpoint[]
  sinks: () => Promise<AuditSinkStatus[]>
}

/** The events of `ctx` whose type is one of `types` or starts with one ending in `.`. */
export function eventsOf(ctx: Pick<EvidenceContext, 'events'>, ...types: string[]): AuditEvent[] {
  return ctx.events.filter((e) => types.some((t) => (t.endsWith('.') ? e.type.startsWith(t) : e.type === t)))
}

/** A scalar for a CSV cell / JSON row: strings, numbers, booleans and null kept, anything else as JSON. */
export function cell(value: unknown): string | number | boolean | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  return JSON.stringify(value)
}

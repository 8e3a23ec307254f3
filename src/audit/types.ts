/** What happened, as a caller reports it to {@link AuditLog.append}. */
export interface AuditEventInput {
  /** Dotted event type, e.g. `auth.failed`, `authz.decision`, `dispatch.sent`, `dispatch.result`, `config.loaded`, `policy.loaded`. */
  type: string
  /** Who acted (principal id), if known. */
  principal?: string | null
  /** `User`, `ServiceAccount`, `Agent`, … */
  principalType?: string | null
  environment?: string | null
  dag?: string | null
  /** e.g. `dag:trigger`. */
  action?: string | null
  requestId?: string | null
  decision?: 'allow' | 'deny' | null
  /** The policies behind the decision. */
  policyIds?: string[]
  /** Further facts, JSON-serializable. Values that look like tokens or sit under secret-sounding keys are stored as `[redacted]`. */
  data?: Record<string, unknown>
}

/** One stored, hash-chained audit event. Absent optional fields are `null` (`[]` and `{}` for policyIds and data). */
export interface AuditEvent {
  /** 1, 2, 3… without gaps. */
  seq: number
  /** When it was appended, ISO 8601 UTC. */
  at: string
  type: string
  principal: string | null
  principalType: string | null
  environment: string | null
  dag: string | null
  action: string | null
  requestId: string | null
  decision: 'allow' | 'deny' | null
  policyIds: string[]
  data: Record<string, unknown>
  /** The previous event's hash (64 zeros for seq 1). */
  prevHash: string
  /** See {@link hashAuditEvent}. */
  hash: string
}

/** Which events to read. Every field narrows; times are ISO 8601. */
export interface AuditFilter {
  principal?: string
  environment?: string
  dag?: string
  action?: string
  type?: string
  decision?: 'allow' | 'deny'
  requestId?: string
  /** Events at or after this instant. */
  from?: string
  /** Events strictly before this instant. */
  to?: string
  /** Only events with a larger seq (for paging: pass the last seq you got). */
  afterSeq?: number
  /** At most this many (query: default 100, at most 1000; export: no limit unless given). */
  limit?: number
}

/** The outcome of {@link verifyAuditChain}. `count` is the number of events that checked out. */
export type VerifyResult =
  | { ok: true; count: number; lastSeq: number; lastHash: string }
  | { ok: false; firstBadSeq: number; reason: string; count: number }

/** Options for verification. */
export interface VerifyOptions {
  /** Start at this seq, trusting the stored hash of the event before it (default 1: the whole chain). */
  fromSeq?: number
  /** Start after this already trusted point (a signed checkpoint), whose event may have been pruned; wins over `fromSeq`. */
  anchor?: { seq: number; hash: string }
  /** Rows read per query (default 1000): memory stays bounded whatever the chain's length. */
  batchSize?: number
}

/** Formats of {@link AuditLog.exportEvents}. */
export type AuditExportFormat = 'json' | 'csv'

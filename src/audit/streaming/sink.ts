import type { AuditEvent } from '../types.ts'

/** A destination audit events are streamed to (syslog, HTTP, OTLP). */
export interface AuditSink {
  /** The sink's name in config, status and metrics. */
  readonly name: string
  readonly type: 'syslog' | 'http' | 'otlp'
  /**
   * Sends `events` (consecutive, ascending by seq) and resolves once the receiver has accepted every one of them; the
   * stream moves the sink's cursor only then. Throws a ConductorError `audit_sink_unavailable` when it did not (the
   * whole batch is sent again later: a receiver may see an event twice, never miss one).
   */
  send(events: readonly AuditEvent[]): Promise<void>
  /** Closes any connection held. */
  close(): Promise<void>
}

/** Reads a secret's current value (the secrets provider's cache); never logged. */
export type GetSecret = (ref: { provider: string; secret: string }) => Promise<string>

/** The event as sinks send it: the stored audit event, already scrubbed of secrets when it was appended. */
export function eventJson(event: AuditEvent): string {
  return JSON.stringify(event)
}

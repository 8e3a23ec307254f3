import { ConductorError } from '../../core/index.ts'
import type { AuditEvent } from '../types.ts'
import { eventJson, type AuditSink, type GetSecret } from './sink.ts'

/** An OTLP sink as configured (`audit.sinks[]` with `type: otlp`). */
export interface OtlpSinkOptions {
  name: string
  endpoint: string
  serviceName: string
  headers: Record<string, { provider: string; secret: string }>
  timeoutSeconds: number
}

/** The instrumentation scope of the log records. */
export const OTLP_SCOPE = 'airflow-conductor.audit'

type AnyValue = { stringValue: string } | { intValue: string }

function attribute(key: string, value: string | number | null): { key: string; value: AnyValue }[] {
  if (value === null) return []
  return [{ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } }]
}

/**
 * A batch as an OTLP `ExportLogsServiceRequest` in the JSON encoding: one log record per event, its body the event's
 * JSON, its attributes the event's seq, type, principal, action, decision, environment, DAG, request and hash.
 */
export function otlpLogsRequest(events: readonly AuditEvent[], serviceName: string): unknown {
  return {
    resourceLogs: [{
      resource: { attributes: attribute('service.name', serviceName) },
      scopeLogs: [{
        scope: { name: OTLP_SCOPE },
        logRecords: events.map((e) => {
          const nanos = `${BigInt(Date.parse(e.at)) * 1_000_000n}`
          return {
            timeUnixNano: nanos,
            observedTimeUnixNano: nanos,
            severityNumber: e.decision === 'deny' ? 13 : 9,
            severityText: e.decision === 'deny' ? 'WARN' : 'INFO',
            body: { stringValue: eventJson(e) },
            attributes: [
              ...attribute('event.name', e.type), ...attribute('conductor.audit.seq', e.seq), ...attribute('conductor.audit.hash', e.hash),
              ...attribute('conductor.principal', e.principal), ...attribute('conductor.principal_type', e.principalType), ...attribute('conductor.action', e.action),
              ...attribute('conductor.decision', e.decision), ...attribute('conductor.environment', e.environment), ...attribute('conductor.dag', e.dag),
              ...attribute('conductor.request_id', e.requestId),
            ],
          }
        }),
      }],
    }],
  }
}

/**
 * An OTLP/HTTP logs sink (JSON encoding): each batch is one POST to the collector's `/v1/logs`; a 2xx answer without
 * `partialSuccess.rejectedLogRecords` accepts it.
 */
export function createOtlpSink(options: OtlpSinkOptions, getSecret: GetSecret): AuditSink {
  const unavailable = (message: string, cause?: unknown) =>
    new ConductorError('audit_sink_unavailable', `audit sink ${options.name}: ${message}`, { details: { sink: options.name }, cause })
  return {
    name: options.name,
    type: 'otlp',
    async send(events: readonly AuditEvent[]) {
      if (events.length === 0) return
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      for (const [header, ref] of Object.entries(options.headers)) headers[header] = await getSecret(ref)
      let response: Response
      try {
        response = await fetch(options.endpoint, {
          method: 'POST', headers, body: JSON.stringify(otlpLogsRequest(events, options.serviceName)), signal: AbortSignal.timeout(options.timeoutSeconds * 1000), redirect: 'error',
        })
      } catch (error) {
        const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${options.timeoutSeconds} s` : `unreachable (${(error as { cause?: { code?: string } }).cause?.code ?? (error instanceof Error ? error.name : 'error')})`
        throw unavailable(reason, error)
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => {})
        throw unavailable(`the collector answered ${response.status}`)
      }
      const text = await response.text().catch(() => '')
      let rejected = 0
      try { rejected = Number((JSON.parse(text || '{}') as { partialSuccess?: { rejectedLogRecords?: string | number } }).partialSuccess?.rejectedLogRecords ?? 0) } catch { /* an empty or non-JSON 2xx accepts */ }
      if (rejected > 0) throw unavailable(`the collector rejected ${rejected} of ${events.length} log records`)
    },
    async close() {},
  }
}

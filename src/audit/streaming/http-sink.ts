import { hostname } from 'node:os'
import { ConductorError } from '../../core/index.ts'
import type { AuditEvent } from '../types.ts'
import { eventJson, type AuditSink, type GetSecret } from './sink.ts'

/** An HTTP sink as configured (`audit.sinks[]` with `type: http`). */
export interface HttpSinkOptions {
  name: string
  url: string
  format: 'jsonl' | 'splunk-hec'
  token?: { provider: string; secret: string } | undefined
  source: string
  sourcetype: string
  index?: string | undefined
  timeoutSeconds: number
}

/** One event as a Splunk HTTP Event Collector event: `time` in epoch seconds (milliseconds as decimals). */
export function hecEvent(event: AuditEvent, options: { host: string; source: string; sourcetype: string; index?: string | undefined }): string {
  return JSON.stringify({
    time: Date.parse(event.at) / 1000, host: options.host, source: options.source, sourcetype: options.sourcetype,
    ...(options.index === undefined ? {} : { index: options.index }), event,
  })
}

/** A body of JSON lines, one event per line (a newline after each). */
export function httpSinkBody(events: readonly AuditEvent[], options: Pick<HttpSinkOptions, 'format' | 'source' | 'sourcetype' | 'index'> & { host: string }): string {
  const line = options.format === 'splunk-hec' ? (e: AuditEvent) => hecEvent(e, options) : eventJson
  return events.map((e) => `${line(e)}\n`).join('')
}

/**
 * An HTTP sink: each batch is one POST of JSON lines (`application/x-ndjson`); any 2xx answer accepts the whole batch.
 * The URL and token never appear in errors.
 */
export function createHttpSink(options: HttpSinkOptions, getSecret: GetSecret): AuditSink {
  const host = hostname()
  const unavailable = (message: string, cause?: unknown) =>
    new ConductorError('audit_sink_unavailable', `audit sink ${options.name}: ${message}`, { details: { sink: options.name }, cause })
  return {
    name: options.name,
    type: 'http',
    async send(events: readonly AuditEvent[]) {
      if (events.length === 0) return
      const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' }
      if (options.token) headers.authorization = `${options.format === 'splunk-hec' ? 'Splunk' : 'Bearer'} ${await getSecret(options.token)}`
      let response: Response
      try {
        response = await fetch(options.url, {
          method: 'POST', headers, body: httpSinkBody(events, { ...options, host }), signal: AbortSignal.timeout(options.timeoutSeconds * 1000), redirect: 'error',
        })
      } catch (error) {
        const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${options.timeoutSeconds} s` : `unreachable (${(error as { cause?: { code?: string } }).cause?.code ?? (error instanceof Error ? error.name : 'error')})`
        throw unavailable(reason, error)
      }
      await response.body?.cancel().catch(() => {})
      if (!response.ok) throw unavailable(`the receiver answered ${response.status}`)
    },
    async close() {},
  }
}

import { startWebhookReceiver } from './webhook-receiver.ts'

/** One span as an OTLP/HTTP JSON export carried it, flattened: ids in hex, attributes as plain values. */
export interface ReceivedSpan {
  traceId: string
  spanId: string
  /** Empty for a root span. */
  parentSpanId: string
  name: string
  /** OTLP `SpanKind`: 1 internal, 2 server, 3 client. */
  kind: number
  attributes: Record<string, string | number | boolean>
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number
  /** The `service.name` of the resource that sent it. */
  serviceName: string
}

/** A loopback OTLP/HTTP traces receiver (`POST /v1/traces`, JSON encoding) that keeps every span it is sent. */
export interface OtlpReceiver {
  /** The traces endpoint, for `tracing.endpoint`. */
  endpoint: string
  /** Every span received so far, in arrival order. */
  spans(): ReceivedSpan[]
  /** The headers of each export request (lowercased names). */
  exports(): Record<string, string>[]
  /** Answers every export with `status` from now on (default 200), e.g. 503 for a collector in trouble. */
  always(status: number): void
  /** Holds each answer back this long (default 0): a collector that hangs. */
  delay(ms: number): void
  /** Exports received but not yet answered. */
  pending(): number
  close(): Promise<void>
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number }
type KeyValue = { key: string; value: AnyValue }
interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] }
    scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: KeyValue[]; status?: { code?: number } }[] }[]
  }[]
}

function plain(value: AnyValue): string | number | boolean {
  if (value.stringValue !== undefined) return value.stringValue
  if (value.intValue !== undefined) return Number(value.intValue)
  if (value.boolValue !== undefined) return value.boolValue
  return value.doubleValue ?? ''
}

function attributesOf(list: KeyValue[] | undefined): Record<string, string | number | boolean> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, plain(kv.value)]))
}

/** Starts an {@link OtlpReceiver} on a free loopback port. Exports that are not JSON fail the decoding loudly. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const receiver = await startWebhookReceiver()
  return {
    endpoint: `${receiver.url}/v1/traces`,
    spans: () => receiver.deliveries.filter((d) => d.status < 300).flatMap((d) => {
      if (!(d.headers['content-type'] ?? '').startsWith('application/json')) throw new Error(`OTLP export not JSON: ${d.headers['content-type']}`)
      const request = JSON.parse(d.body) as ExportRequest
      return (request.resourceSpans ?? []).flatMap((rs) => {
        const serviceName = String(attributesOf(rs.resource?.attributes)['service.name'] ?? '')
        return (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => ({
          traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, kind: s.kind,
          attributes: attributesOf(s.attributes), statusCode: s.status?.code ?? 0, serviceName,
        })))
      })
    }),
    exports: () => receiver.deliveries.map((d) => d.headers),
    always: (status) => receiver.always(status),
    delay: (ms) => receiver.delay(ms),
    pending: () => receiver.waiting(),
    close: () => receiver.close(),
  }
}

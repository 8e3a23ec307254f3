import { ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter, defaultTextMapSetter, trace, type Context, type Span } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base'
import type { TracingConfig } from '../config/index.ts'
import type { RequestSpan, RequestTracer, SpanAttributes, SpanRunner } from '../core/index.ts'

/** Traces for one running Conductor, exported over OTLP/HTTP (JSON) in batches. Nothing here is global. */
export interface Tracing {
  /** A span per incoming API request, for the HTTP face. */
  requests: RequestTracer
  /** Spans around the domains' work (pipeline steps, Airflow calls), children of the span active where they start. */
  spans: SpanRunner
  /** The W3C trace context (`traceparent`) of the active span, to send with an outgoing call; empty outside a trace. */
  outgoingHeaders(): Record<string, string>
  /** The active trace's id (32 hex digits), or undefined outside a sampled trace. */
  activeTraceId(): string | undefined
  /** Ends tracing: the spans still queued are exported, waiting at most `tracing.exportTimeoutSeconds`. */
  shutdown(): Promise<void>
}

/** Dependencies of {@link createTracing}. */
export interface TracingDeps {
  config: TracingConfig & { endpoint: string }
  /** The export headers' values, read from the secrets provider (`tracing.headers`); never logged. */
  headers: Record<string, string>
  /** Conductor's version, as the `service.version` resource attribute. */
  version: string
}

// Bounded so that a collector that is down costs a fixed amount of memory: spans beyond the queue are dropped.
const MAX_QUEUE = 2048
const BATCH = 512
const DELAY_MS = 1000

/** Starts tracing as `tracing` config says; see {@link Tracing}. */
export function createTracing(deps: TracingDeps): Tracing {
  const { config } = deps
  const timeoutMs = config.exportTimeoutSeconds * 1000
  const exporter = new OTLPTraceExporter({ url: config.endpoint, headers: { ...deps.headers }, timeoutMillis: timeoutMs, concurrencyLimit: 2 })
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName, 'service.version': deps.version }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: MAX_QUEUE, maxExportBatchSize: BATCH, scheduledDelayMillis: DELAY_MS, exportTimeoutMillis: timeoutMs })],
  })
  const tracer = provider.getTracer('airflow-conductor', deps.version)
  const contexts = new AsyncLocalStorageContextManager()
  contexts.enable()
  const propagator = new W3CTraceContextPropagator()

  const inSpan: SpanRunner['inSpan'] = (name, attributes, work) => {
    const parent = contexts.active()
    const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes: defined(attributes) }, parent)
    return contexts.with(trace.setSpan(parent, span), async () => {
      try {
        return await work((more) => { span.setAttributes(defined(more)) })
      } catch (error) {
        failed(span, error)
        throw error
      } finally {
        span.end()
      }
    })
  }

  return {
    requests: {
      start(method, headers) {
        const remote = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter)
        const span = tracer.startSpan(`${method} unmatched`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } }, remote)
        const ctx = trace.setSpan(remote, span)
        return requestSpan(span, ctx, method, contexts)
      },
    },
    spans: { inSpan },
    outgoingHeaders() {
      const carrier: Record<string, string> = {}
      propagator.inject(contexts.active(), carrier, defaultTextMapSetter)
      return carrier
    },
    activeTraceId() {
      const span = trace.getSpan(contexts.active())
      return span?.isRecording() ? span.spanContext().traceId : undefined
    },
    async shutdown() {
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs) })
      try {
        await Promise.race([provider.shutdown().catch(() => undefined), late])
      } finally {
        clearTimeout(timer)
        contexts.disable()
      }
    },
  }
}

function requestSpan(span: Span, ctx: Context, method: string, contexts: AsyncLocalStorageContextManager): RequestSpan {
  const { traceId, spanId } = span.spanContext()
  return {
    traceId, spanId,
    enter(next) { contexts.with(ctx, next) },
    end(route, status) {
      span.updateName(`${method} ${route}`)
      span.setAttributes({ 'http.route': route, 'http.response.status_code': status })
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
      span.end()
    },
  }
}

function failed(span: Span, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code
  span.setStatus({ code: SpanStatusCode.ERROR, ...(typeof code === 'string' ? { message: code } : {}) })
  if (typeof code === 'string') span.setAttribute('error.type', code)
}

function defined(attributes: SpanAttributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const [key, value] of Object.entries(attributes)) if (value !== null && value !== undefined) out[key] = value
  return out
}

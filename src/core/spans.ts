/** Attribute values a span may carry: facts about the work, never a token or a secret. Null and undefined are left out. */
export type SpanAttributes = Record<string, string | number | boolean | null | undefined>

/**
 * Opens trace spans around a domain's work without the domain knowing the tracing library: the composition root
 * supplies one when tracing is on (`tracing.enabled`), and domains skip it when absent.
 */
export interface SpanRunner {
  /**
   * Runs `work` in a span named `name`, a child of the span active where it is called, with `attributes`; `annotate`
   * adds attributes learnt on the way (e.g. the decision). A rejection is recorded on the span and passed on unchanged.
   */
  inSpan<R>(name: string, attributes: SpanAttributes, work: (annotate: (attributes: SpanAttributes) => void) => Promise<R>): Promise<R>
}

/** The span of one incoming API request, started by a {@link RequestTracer}. */
export interface RequestSpan {
  /** The trace's id (32 hex digits): the caller's when it sent a `traceparent`, else a new one. */
  readonly traceId: string
  /** This span's id (16 hex digits). */
  readonly spanId: string
  /** Runs `next` (the rest of the request's handling) with this span active, so the spans started under it are its children. */
  enter(next: () => void): void
  /** Ends the span with the route's pattern (never the raw URL) and the status answered; a status of 500 or more marks it failed. */
  end(route: string, status: number): void
}

/** Starts a span per incoming API request, continuing the caller's trace when it sends a W3C `traceparent`. */
export interface RequestTracer {
  start(method: string, headers: Record<string, string | string[] | undefined>): RequestSpan
}

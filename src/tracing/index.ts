/**
 * OpenTelemetry traces (`tracing.enabled`, docs/observability.md): spans per API request, pipeline step and Airflow
 * call, exported over OTLP/HTTP. The composition root imports this front door only when tracing is on, so nothing of
 * OpenTelemetry is loaded otherwise; domains see only the `SpanRunner` port of `core`.
 */
export { createTracing, type Tracing, type TracingDeps } from './tracing.ts'

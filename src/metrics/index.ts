/**
 * Observability: Conductor's Prometheus metrics (docs/observability.md). The only part that knows prom-client; the
 * composition root hands the narrow recorders to the HTTP face and wraps the domains' services with {@link timeCalls}.
 */
export { createMetrics, type AuditRecorder, type CacheStats, type DecisionRecorder, type DispatchRecorder, type GaugeSample, type HttpRecorder, type Metrics, type MetricsOptions } from './metrics.ts'
export { outcomeOf, startMetricsServer, timeCalls, type MetricsServer } from './instrument.ts'

/** Audit streaming: the audit trail delivered, at least once and in order, to syslog, HTTP and OTLP sinks. */
export { AUDIT_STREAM_LEASE_PREFIX, createAuditStream } from './audit-stream.ts'
export type { AuditSinkCounts, AuditSinkStatus, AuditStream, AuditStreamDeps, StreamedSink } from './audit-stream.ts'
export type { AuditSinkCursorsTable, AuditStreamTables } from './cursors.repository.ts'
export { createSinks } from './create-sinks.ts'
export type { AuditSink, GetSecret } from './sink.ts'
export { createSyslogSink, formatSyslogMessage, frameOctetCounted, SYSLOG_SD_ID } from './syslog-sink.ts'
export { createHttpSink, hecEvent } from './http-sink.ts'
export { createOtlpSink, otlpLogsRequest } from './otlp-sink.ts'

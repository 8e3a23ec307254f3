import type { AuditSinkConfig } from '../../config/index.ts'
import type { StreamedSink } from './audit-stream.ts'
import { createHttpSink } from './http-sink.ts'
import { createOtlpSink } from './otlp-sink.ts'
import type { GetSecret } from './sink.ts'
import { createSyslogSink } from './syslog-sink.ts'

/** The sinks of `audit.sinks`, each with its batching and retry. Secrets are read at each connection or batch. */
export function createSinks(configs: readonly AuditSinkConfig[], getSecret: GetSecret): StreamedSink[] {
  return configs.map((c) => {
    const sink = c.type === 'syslog'
      ? createSyslogSink({ name: c.name, host: c.host, port: c.port, tls: c.tls, facility: c.facility, appName: c.appName, timeoutSeconds: c.timeoutSeconds }, getSecret)
      : c.type === 'http'
        ? createHttpSink({ name: c.name, url: c.url, format: c.format, token: c.token, source: c.source, sourcetype: c.sourcetype, index: c.index, timeoutSeconds: c.timeoutSeconds }, getSecret)
        : createOtlpSink({ name: c.name, endpoint: c.endpoint, serviceName: c.serviceName, headers: c.headers, timeoutSeconds: c.timeoutSeconds }, getSecret)
    return { sink, batchSize: c.batchSize, initialRetryDelaySeconds: c.initialRetryDelaySeconds, maxRetryDelaySeconds: Math.max(c.maxRetryDelaySeconds, c.initialRetryDelaySeconds), startAt: c.startAt }
  })
}

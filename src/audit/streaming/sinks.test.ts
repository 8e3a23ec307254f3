import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseConfig } from '../../config/index.ts'
import type { AuditEvent } from '../types.ts'
import { hecEvent } from './http-sink.ts'
import { otlpLogsRequest } from './otlp-sink.ts'
import { formatSyslogMessage, frameOctetCounted } from './syslog-sink.ts'

const event: AuditEvent = {
  seq: 42, at: '2026-11-30T10:00:00.123Z', type: 'authz.decision', principal: 'alice', principalType: 'User', environment: 'prod', dag: 'etl',
  action: 'dag:trigger', requestId: 'r-1', decision: 'deny', policyIds: ['p7'], data: { note: 'ünïcode "quoted" ]' }, prevHash: '0'.repeat(64), hash: 'ab'.repeat(32),
}

test('a syslog message is RFC 5424: priority from facility and severity, the type as MSGID, seq and hash as structured data, the event as JSON after a BOM', () => {
  const message = formatSyslogMessage(event, { facility: 13, appName: 'airflow-conductor', hostname: 'host one', procId: '123' })
  // facility 13 (log audit) * 8 + severity 4 (warning: a denied decision)
  assert.ok(message.startsWith(`<108>1 2026-11-30T10:00:00.123Z host_one airflow-conductor 123 authz.decision [conductor@32473 seq="42" type="authz.decision" hash="${event.hash}"] \u{FEFF}{`))
  assert.deepEqual(JSON.parse(message.slice(message.indexOf('\u{FEFF}') + 1)), event)
  assert.ok(formatSyslogMessage({ ...event, decision: 'allow' }, { facility: 13, appName: 'a', hostname: 'h', procId: '1' }).startsWith('<110>1 '))
})

test('octet-counting frames count bytes, not characters', () => {
  assert.equal(frameOctetCounted('é').toString('utf8'), '2 é')
})

test('a Splunk HEC event carries the time in epoch seconds, host, source, sourcetype, index and the event', () => {
  assert.deepEqual(JSON.parse(hecEvent(event, { host: 'h', source: 's', sourcetype: 'st', index: 'audit' })), { time: 1_796_032_800.123, host: 'h', source: 's', sourcetype: 'st', index: 'audit', event })
})

test('an OTLP log record per event: nanosecond time as a string, seq as intValue, the event as the body, warn for a denial', () => {
  const request = otlpLogsRequest([event], 'svc') as { resourceLogs: { scopeLogs: { logRecords: Record<string, unknown>[] }[] }[] }
  const record = request.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!
  assert.equal(record.timeUnixNano, '1796032800123000000')
  assert.equal(record.severityText, 'WARN')
  assert.deepEqual(JSON.parse((record.body as { stringValue: string }).stringValue), event)
  assert.deepEqual((record.attributes as unknown[]).slice(0, 2), [{ key: 'event.name', value: { stringValue: 'authz.decision' } }, { key: 'conductor.audit.seq', value: { intValue: '42' } }])
})

test('config refuses a sink whose secret names an unknown provider, two sinks of one name, and a CA given twice, each with its path', () => {
  const base = { secrets: { providers: [{ name: 'files', type: 'file', path: '/tmp' }] } }
  const refused = (audit: unknown) => {
    try { parseConfig({ ...base, audit }, { baseDir: '/tmp' }) } catch (error) { return (error as { details: { path: string } }).details.path }
    return 'accepted'
  }
  assert.equal(refused({ sinks: [{ name: 'a', type: 'http', url: 'https://x', token: { provider: 'nope', secret: 's' } }] }), 'audit.sinks[0].token.provider')
  assert.equal(refused({ sinks: [{ name: 'a', type: 'http', url: 'https://x' }, { name: 'a', type: 'otlp', endpoint: 'https://y/v1/logs' }] }), 'audit.sinks[1].name')
  assert.equal(refused({ sinks: [{ name: 'a', type: 'syslog', host: 'h', tls: { ca: { provider: 'files', secret: 'c' }, caFile: 'ca.pem' } }] }), 'audit.sinks[0].tls.caFile')
  assert.equal(refused({ sinks: [{ name: 'a', type: 'kafka' }] }), 'audit.sinks[0].type')
  const config = parseConfig({ ...base, audit: { sinks: [{ name: 's', type: 'syslog', host: 'h', tls: { caFile: 'ca.pem' } }] } }, { baseDir: '/etc/conductor' })
  const sink = config.audit.sinks[0]!
  assert.ok(sink.type === 'syslog' && sink.tls.caFile === '/etc/conductor/ca.pem' && sink.tls.enabled && sink.port === 6514)
})

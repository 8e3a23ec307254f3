import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { StatusView } from '../../contract/api-types.ts'
import { renderTable } from './format.ts'
import { AUDIT_SINK_COLUMNS, ENVIRONMENT_COLUMNS, environmentHealth, formatAge, statusSummary } from './status-commands.ts'

const status: StatusView = {
  version: '1.2.3', startedAt: '2026-11-30T10:00:00.000Z', uptimeSeconds: 5400,
  database: { kind: 'postgres', ready: false, error: 'connection refused' },
  policy: { version: 4, policyCount: 29, lastReloadError: { file: 'team.cedar', line: 3, message: 'unexpected token' } },
  detailed: true,
  environments: [{
    name: 'prod-eu-central-with-a-long-name', kind: 'airflow3', reachable: false, airflowVersion: '3.0.2', dagCount: 12_345, lastSyncAt: '2026-11-30T09:00:00.000Z',
    syncAgeSeconds: 9000, lastError: 'orchestrator_unavailable: Airflow environment "prod-eu-central-with-a-long-name" did not answer within 10 s', circuit: 'half-open', throttled: 2,
    credentials: { provider: 'bao', secret: 'airflow/prod#password', ok: false, stale: true, version: '3', error: 'Secrets provider "bao" is unavailable: Vault at http://127.0.0.1:8200 cannot be reached (ECONNREFUSED)' },
  }],
  scim: { enabled: true },
  replicas: [{ id: 'conductor-7f9c', lastSeenAt: null, leases: ['catalog-sync'] }],
  auditSinks: [
    { name: 'siem', type: 'syslog', cursor: 120, lagEvents: 30, lagSeconds: 400, deliveredAt: '2026-11-30T09:59:00.000Z', failures: 3, lastError: 'audit sink siem: cannot connect to siem.internal:6514: connect ECONNREFUSED', lastErrorAt: '2026-11-30T10:00:00.000Z' },
    { name: 'splunk', type: 'http', cursor: 150, lagEvents: 0, lagSeconds: 0, deliveredAt: '2026-11-30T10:00:00.000Z', failures: 0, lastError: null, lastErrorAt: null },
  ],
}

test('ages read as people say them', () => {
  assert.deepEqual([formatAge(null), formatAge(42), formatAge(300), formatAge(9000), formatAge(400_000)], ['-', '42s', '5m', '3h', '5d'])
})

test('the summary says what is wrong: the database error, the refused reload, SCIM and replicas', () => {
  const lines = statusSummary(status)
  assert.equal(lines[0], 'Conductor 1.2.3, up 90m (since 2026-11-30T10:00:00.000Z)')
  assert.equal(lines[1], 'database  postgres, NOT READY: connection refused')
  assert.match(lines[2]!, /^policy {4}version 4, 29 policies; last reload REFUSED: .*unexpected token/)
  assert.deepEqual(lines.slice(3), ['SCIM      on', 'replicas  conductor-7f9c (catalog-sync)'])
  assert.equal(statusSummary({ ...status, detailed: false, environments: null, scim: null, replicas: null }).at(-1), '(environments, SCIM and replicas need audit:read)')
})

test('the environments table fits 80 columns with a long name and error, keeping health, circuit and sync age whole', () => {
  const lines = renderTable(status.environments!, ENVIRONMENT_COLUMNS, 80)
  assert.ok(lines.every((l) => [...l].length <= 80), lines.join('\n'))
  assert.match(lines[1]!, / down +half-open +3h ago +12345/)
})

test('an environment whose credentials provider has failed past maxStaleSeconds is unhealthy, naming the provider; a stale one keeps its health', () => {
  const env = status.environments![0]!
  assert.equal(environmentHealth(env), 'down')
  const failing = { ...env, reachable: true, credentials: { ...env.credentials!, stale: false } }
  assert.equal(environmentHealth(failing), 'unhealthy')
  const lines = renderTable([failing], ENVIRONMENT_COLUMNS, 200)
  assert.match(lines[1]!, /unhealthy .*Secrets provider "bao" is unavailable/)
})

test('the audit sinks table shows each sink\'s cursor, lag and why it fails', () => {
  const lines = renderTable(status.auditSinks!, AUDIT_SINK_COLUMNS, 200)
  assert.match(lines[0]!, /^SINK\s+TYPE\s+CURSOR\s+LAG\s+STATE\s+LAST ERROR/)
  assert.match(lines[1]!, /^siem\s+syslog\s+120\s+30 \(7m\)\s+failing x3\s+audit sink siem: cannot connect/)
  assert.match(lines[2]!, /^splunk\s+http\s+150\s+0\s+ok\s*$/)
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AuditEvent, DagView, EnvironmentView, RunDetail, RunView } from '../../contract/api-types.ts'
import { AUDIT_COLUMNS, parseTimeOption } from './audit-commands.ts'
import { DAG_COLUMNS, ENVIRONMENT_COLUMNS, mayDo } from './catalog-commands.ts'
import { formatDuration, formatShortTime, formatTime, oneLine, renderFields, renderTable, safeLine, truncate } from './format.ts'
import { RUN_COLUMNS, TASK_COLUMNS, parseConf, progressLine } from './run-commands.ts'

const width = (lines: string[]) => Math.max(...lines.map((l) => [...l].length))

test('truncate cuts with an ellipsis and leaves short text alone', () => {
  assert.equal(truncate('etl_daily', 20), 'etl_daily')
  assert.equal(truncate('etl_daily_with_a_long_name', 10), 'etl_daily…')
  assert.equal([...truncate('etl_daily_with_a_long_name', 10)].length, 10)
  assert.equal(truncate('abc', 1), '…')
})

test('a table of short values keeps natural widths, aligned, without trailing spaces', () => {
  const lines = renderTable([{ a: 'x', n: 5 }, { a: 'longer', n: 123 }], [
    { header: 'NAME', value: (r) => r.a },
    { header: 'COUNT', value: (r) => String(r.n), align: 'right' },
  ])
  assert.deepEqual(lines, ['NAME    COUNT', 'x           5', 'longer    123'])
})

test('a table with long cells fits 80 columns: the widest column is cut with … first, narrow ones stay whole', () => {
  const rows = [{ id: 'etl_daily', description: 'x'.repeat(200), owner: 'data-eng' }]
  const lines = renderTable(rows, [
    { header: 'DAG', value: (r) => r.id },
    { header: 'OWNER', value: (r) => r.owner },
    { header: 'DESCRIPTION', value: (r) => r.description },
  ], 80)
  assert.equal(width(lines), 80)
  assert.ok(lines[1]!.startsWith('etl_daily  data-eng  xxx'))
  assert.ok(lines[1]!.endsWith('x…'))
})

test('droppable columns are left out when even the minimum widths do not fit', () => {
  const lines = renderTable([{ a: 'a'.repeat(60), b: 'b'.repeat(30), c: 'c'.repeat(30) }], [
    { header: 'A', value: (r) => r.a, min: 60 },
    { header: 'B', value: (r) => r.b, min: 10, drop: 0 },
    { header: 'C', value: (r) => r.c, min: 10 },
  ], 80)
  assert.equal(lines[0], `A${' '.repeat(61)}C`)
  assert.equal(width(lines), 80)
  assert.ok(lines[1]!.endsWith('c'.repeat(17) + '…'))
})

test('cells cannot break the layout or the terminal: newlines, tabs and escape sequences are neutralized', () => {
  assert.equal(oneLine('line one\nline two\ttab \x1b[31mred\x1b[0m \x1b]0;title\x07done'), 'line one line two tab red done')
  const lines = renderTable([{ d: 'evil\n\x1b[2Jclear' }], [{ header: 'D', value: (r) => r.d }])
  assert.deepEqual(lines, ['D', 'evil clear'])
  assert.equal(safeLine('\x1b[1mbold\x1b[0m\tand\x07bell'), 'bold\tandbell')
})

test('times and durations are compact', () => {
  assert.equal(formatTime('2026-11-24T14:03:59.123Z'), '2026-11-24 14:03')
  assert.equal(formatTime('2026-11-24T15:03:00+01:00'), '2026-11-24 14:03')
  assert.equal(formatShortTime('2026-11-24T14:03:59Z'), '11-24 14:03')
  assert.equal(formatTime(null), '-')
  assert.equal(formatDuration(42.4), '42s')
  assert.equal(formatDuration(185), '3m05s')
  assert.equal(formatDuration(7380), '2h03m')
  assert.equal(formatDuration(null), '-')
})

test('renderFields pads labels and cuts long values to the width', () => {
  const lines = renderFields([['run', 'r1'], ['note', 'n'.repeat(200)]], 80)
  assert.equal(lines[0], 'run:  r1')
  assert.equal([...lines[1]!].length, 80)
  assert.ok(lines[1]!.endsWith('…'))
})

const runItem = (runId: string, overrides: Partial<RunView> = {}): RunView => ({
  environment: 'local', dagId: 'etl_daily', runId, state: 'success', runType: 'manual', logicalDate: null,
  queuedAt: '2026-11-24T14:00:00Z', startDate: '2026-11-24T14:00:01Z', endDate: '2026-11-24T14:00:43Z', conf: {}, note: null, triggeredBy: 'conductor',
  startedBy: { via: 'conductor', principalType: 'User', principalId: 'alice', requestId: 'r1' }, ...overrides,
})

test('conductor runs fits 80 columns and never cuts a run id, even conductor__<uuid>', () => {
  const rows = [
    runItem('conductor__5b8f9d2e-3c1a-4b7e-9f00-123456789abc'),
    runItem('scheduled__2026-11-24T00:00:00+00:00', { startedBy: { via: 'airflow', runType: 'scheduled', triggeredBy: null }, state: 'running', endDate: null }),
  ]
  const lines = renderTable(rows, RUN_COLUMNS, 80)
  assert.ok(width(lines) <= 80, lines.join('\n'))
  assert.match(lines[0]!, /^RUN ID\s+STATE\s+WHO\s+STARTED UTC$/)
  assert.match(lines[1]!, /^conductor__5b8f9d2e-3c1a-4b7e-9f00-123456789abc {2}success {2}alice\s+11-24 14:00$/)
  assert.match(lines[2]!, /^scheduled__2026-11-24T00:00:00\+00:00\s+running\s+\(schedul…\s+11-24 14:00$/)
  // On a wider terminal the duration comes back.
  const wide = renderTable(rows, RUN_COLUMNS, 120)
  assert.match(wide[0]!, /DURATION$/)
  assert.match(wide[1]!, /42s$/)
})

test('conductor dags, envs, audit and run tasks fit 80 columns with long values', () => {
  const dag: DagView = {
    environment: 'production-eu-west', dagId: 'a_really_long_dag_identifier_for_the_quarterly_finance_rollup', description: 'Rolls up '.repeat(20),
    tags: ['team:data-eng', 'tier:gold', 'pii'], owners: ['data-eng'], paused: false, schedule: '0 3 * * *', syncedAt: '2026-11-24T14:00:00Z', team: null, allowedRunTypes: null,
    permissions: { 'dag:read': { allowed: true, policyIds: [], reasons: [] }, 'dag:trigger': { allowed: true, policyIds: ['p'], reasons: [] }, 'dag:rerun': { allowed: false, policyIds: [], reasons: [] }, 'dag:pause': { allowed: true, policyIds: ['p'], reasons: [] } },
  }
  const dags = renderTable([dag], DAG_COLUMNS, 80)
  assert.ok(width(dags) <= 80, dags.join('\n'))
  assert.match(dags[1]!, /trigger,pause/)
  assert.match(dags[1]!, /…/)

  const env: EnvironmentView = { name: 'production-eu-west-1', kind: 'airflow3', url: 'https://x', zone: 'pci', tier: 'prod', team: null, source: 'config', status: { reachable: false, version: '3.3.2', dagCount: 412, lastSyncAt: '2026-11-24T14:00:00Z', lastError: 'connect ECONNREFUSED 10.0.0.1:8080 after 3 attempts', checkedAt: '2026-11-24T14:00:00Z' } }
  const envs = renderTable([env], ENVIRONMENT_COLUMNS, 80)
  assert.ok(width(envs) <= 80, envs.join('\n'))
  assert.match(envs[1]!, /^production-eu-we…\s+airflow3\s+pci\s+prod\s+down/)

  const event: Omit<AuditEvent, 'prevHash' | 'hash'> = { seq: 12345, at: '2026-11-24T14:00:00Z', type: 'governance.decision', principal: 'someone-with-a-long-name@example.com', principalType: 'User', environment: 'production-eu-west', dag: 'a_really_long_dag_identifier', action: 'dag:trigger', requestId: 'r', decision: 'allow', policyIds: ['data-eng-operate'], data: {} }
  const audit = renderTable([event], AUDIT_COLUMNS, 80)
  assert.ok(width(audit) <= 80, audit.join('\n'))
  assert.equal(audit[1], '12345  11-24 14:00:00  governance.dec…  someone…  dag:trigger  productio…  allow')

  const tasks = renderTable([{ taskId: 'extract_from_a_very_long_named_source_system_and_more', state: 'upstream_failed', tryNumber: 2, mapIndex: 3, startDate: '2026-11-24T14:00:00Z', endDate: null, durationSeconds: 65 }], TASK_COLUMNS, 80)
  assert.ok(width(tasks) <= 80, tasks.join('\n'))
  assert.match(tasks[1]!, /upstream_failed\s+2\s+11-24 14:00\s+1m05s$/)
})

test('mayDo lists the governed actions allowed, or ? when the server does not say', () => {
  assert.equal(mayDo(undefined), '?')
  assert.equal(mayDo({ 'dag:trigger': { allowed: false, policyIds: [], reasons: [] } }), '-')
  assert.equal(mayDo({ 'dag:trigger': { allowed: true, policyIds: [], reasons: [] }, 'dag:rerun': { allowed: true, policyIds: [], reasons: [] } }), 'trigger,rerun')
})

test('progressLine counts finished and failed tasks', () => {
  const run: RunDetail = { ...runItem('r1', { state: 'running', endDate: null, startDate: '2026-11-24T14:00:00Z' }), tasks: [
    { taskId: 'a', state: 'success', tryNumber: 1, mapIndex: -1, startDate: null, endDate: null, durationSeconds: 1 },
    { taskId: 'b', state: 'failed', tryNumber: 1, mapIndex: -1, startDate: null, endDate: null, durationSeconds: 1 },
    { taskId: 'c', state: null, tryNumber: 0, mapIndex: -1, startDate: null, endDate: null, durationSeconds: null },
  ] }
  assert.equal(progressLine(run, new Date('2026-11-24T14:01:02Z')), 'r1  running  2/3 tasks done, 1 failed  1m02s')
})

test('--conf takes a JSON object only; --from takes ISO times, dates and spans ago', () => {
  assert.deepEqual(parseConf('{"day":"2026-11-24"}'), { day: '2026-11-24' })
  assert.throws(() => parseConf('[1]'), /must be a JSON object/)
  assert.throws(() => parseConf('{nope'), /not JSON/)
  assert.throws(() => parseConf('@/nonexistent/conf.json'), /cannot read/)
  const now = new Date('2026-11-24T14:00:00Z')
  assert.equal(parseTimeOption('2h', now), '2026-11-24T12:00:00.000Z')
  assert.equal(parseTimeOption('7d', now), '2026-11-17T14:00:00.000Z')
  assert.equal(parseTimeOption('2026-11-20', now), '2026-11-20T00:00:00.000Z')
  assert.equal(parseTimeOption('2026-11-20T10:00:00+02:00', now), '2026-11-20T08:00:00.000Z')
  assert.throws(() => parseTimeOption('yesterday', now), /expected an ISO 8601 time/)
})

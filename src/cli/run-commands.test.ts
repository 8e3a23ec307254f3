import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiError } from './api-client.ts'
import type { RunDetail } from '../../contract/api-types.ts'
import { waitForRun } from './run-commands.ts'

const run = (state: string, done: number): RunDetail => ({
  environment: 'local', dagId: 'etl_daily', runId: 'r1', state, runType: 'manual', logicalDate: null, queuedAt: null,
  startDate: '2026-11-24T14:00:00Z', endDate: state === 'success' || state === 'failed' ? '2026-11-24T14:00:30Z' : null, conf: {}, note: null, triggeredBy: null,
  startedBy: { via: 'conductor', principalType: 'User', principalId: 'alice', requestId: 'q' },
  tasks: [0, 1].map((i) => ({ taskId: `t${i}`, state: i < done ? 'success' : 'running', tryNumber: 1, mapIndex: -1, startDate: null, endDate: null, durationSeconds: null })),
})
const sequence = (...runs: (RunDetail | Error)[]) => {
  let i = 0
  return async () => {
    const next = runs[Math.min(i++, runs.length - 1)]!
    if (next instanceof Error) throw next
    return next
  }
}
const now = () => new Date('2026-11-24T14:00:10Z')

test('on a terminal, --wait rewrites one progress line and ends it with a newline', async () => {
  let written = ''
  const final = await waitForRun({ fetchRun: sequence(run('queued', 0), run('running', 1), run('success', 2)), stream: { isTTY: true, write: (t) => { written += t } }, intervalMs: 1, now })
  assert.equal(final.state, 'success')
  assert.equal(written.split('\n').length, 2, 'one line, rewritten in place')
  assert.equal(written.split('\r\x1b[2K').length - 1, 3)
  assert.ok(written.endsWith('r1  success  2/2 tasks done  30s\n'))
})

test('without a terminal, --wait prints a line only when the state or the finished tasks change', async () => {
  let written = ''
  await waitForRun({ fetchRun: sequence(run('running', 0), run('running', 0), run('running', 1), run('failed', 1)), stream: { write: (t) => { written += t } }, intervalMs: 1, now })
  assert.deepEqual(written.trimEnd().split('\n'), ['r1  running  0/2 tasks done  10s', 'r1  running  1/2 tasks done  10s', 'r1  failed  1/2 tasks done  30s'])
})

test('--wait rides out a brief outage, but not a denial', async () => {
  const outage = new ApiError(503, 'orchestrator_unavailable', 'down')
  const final = await waitForRun({ fetchRun: sequence(outage, outage, run('success', 2)), stream: { write: () => {} }, intervalMs: 1, now })
  assert.equal(final.state, 'success')
  await assert.rejects(waitForRun({ fetchRun: sequence(new ApiError(403, 'policy_denied', 'no')), stream: { write: () => {} }, intervalMs: 1, now }), /no/)
  await assert.rejects(waitForRun({ fetchRun: sequence(outage), stream: { write: () => {} }, intervalMs: 1, maxErrors: 2, now }), /down/)
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { collectParam, hitlRef, parseHitlTarget } from './hitl-commands.ts'

test('a task is named ENV/DAG/RUN/TASK, with /MAP_INDEX only for a mapped task, and read back the same', () => {
  const unmapped = { environment: 'local', dagId: 'hitl_review', runId: 'manual__2026-01-01T00:00:00+00:00', taskId: 'review', mapIndex: -1 }
  assert.equal(hitlRef(unmapped), 'local/hitl_review/manual__2026-01-01T00:00:00+00:00/review')
  assert.deepEqual(parseHitlTarget(hitlRef(unmapped)), { environment: 'local', dag: 'hitl_review', runId: unmapped.runId, taskId: 'review', mapIndex: -1 })
  assert.equal(parseHitlTarget(hitlRef({ ...unmapped, mapIndex: 3 })).mapIndex, 3)
  for (const bad of ['local/dag/run', 'local/dag/run/task/x', 'local/dag/run/task/1.5', 'local//run/task', 'a/b/c/d/e/f', 'local/dag/run/task/-2']) {
    assert.throws(() => parseHitlTarget(bad), /expected ENV\/DAG\/RUN\/TASK/, bad)
  }
})

test('--param NAME=VALUE reads JSON values as JSON and anything else as text; repeated params add up', () => {
  let params = collectParam('comment=looks good')
  params = collectParam('count=3', params)
  params = collectParam('tags=["a","b"]', params)
  params = collectParam('expr=a=b', params)
  assert.deepEqual(params, { comment: 'looks good', count: 3, tags: ['a', 'b'], expr: 'a=b' })
  assert.throws(() => collectParam('=x'), /NAME=VALUE/)
  assert.throws(() => collectParam('novalue'), /NAME=VALUE/)
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConductorError, fixedClock, isConductorError } from '../core/index.ts'
import { createInMemoryOrchestrator } from './index.ts'

const T0 = Date.UTC(2026, 0, 1)

function orchestrator() {
  return createInMemoryOrchestrator({
    environment: 'mem',
    clock: fixedClock(T0),
    dags: [
      { dagId: 'etl', tags: ['team:data-eng'], owners: ['data-eng'], schedule: '@daily', tasks: ['extract', 'load'], params: { rows: { value: 1, schema: { type: 'integer' }, description: null } } },
      { dagId: 'ml' },
    ],
  })
}

describe('in-memory orchestrator', () => {
  it('lists and reads DAGs with their defaults and params', async () => {
    const o = orchestrator()
    assert.deepEqual((await o.listDags()).map((d) => d.dagId), ['etl', 'ml'])
    assert.deepEqual(await o.getDag('ml'), { dagId: 'ml', description: null, tags: [], owners: [], paused: false, schedule: null })
    assert.deepEqual(await o.getDagParams('etl'), { rows: { value: 1, schema: { type: 'integer' }, description: null } })
    assert.equal((await o.health()).reachable, true)
  })

  it('triggers a run with its conf and note, refuses a taken run id, and lists runs newest first', async () => {
    const o = orchestrator()
    const created = await o.triggerRun('etl', { runId: 'r1', conf: { a: 1 }, logicalDate: null, note: 'by alice' })
    assert.deepEqual(created, {
      dagId: 'etl', runId: 'r1', state: 'queued', runType: 'manual', logicalDate: null, queuedAt: new Date(T0).toISOString(),
      startDate: null, endDate: null, conf: { a: 1 }, note: 'by alice', triggeredBy: null,
    })
    await o.triggerRun('etl', { runId: 'r2', conf: {}, logicalDate: null })
    await assert.rejects(o.triggerRun('etl', { runId: 'r1', conf: {}, logicalDate: null }), (e) => isConductorError(e, 'orchestrator_conflict') && e.details?.environment === 'mem')
    assert.deepEqual((await o.listRuns('etl')).map((r) => r.runId), ['r2', 'r1'])
    assert.deepEqual((await o.listRuns('etl', { limit: 1, offset: 1 })).map((r) => r.runId), ['r1'])
    assert.deepEqual((await o.listTaskInstances('etl', 'r1')).map((t) => [t.taskId, t.state, t.tryNumber]), [['extract', null, 0], ['load', null, 0]])
  })

  it('gives the not-found codes for unknown DAGs, runs and tasks', async () => {
    const o = orchestrator()
    await o.triggerRun('etl', { runId: 'r1', conf: {}, logicalDate: null })
    await assert.rejects(o.getDag('nope'), (e) => isConductorError(e, 'dag_not_found') && e.details?.dagId === 'nope')
    await assert.rejects(o.triggerRun('nope', { runId: 'x', conf: {}, logicalDate: null }), (e) => isConductorError(e, 'dag_not_found'))
    await assert.rejects(o.getRun('etl', 'nope'), (e) => isConductorError(e, 'run_not_found'))
    await assert.rejects(o.getTaskLog('etl', 'r1', 'nope'), (e) => isConductorError(e, 'task_not_found'))
  })

  it('pauses, clears only failed tasks, and serves the log of each try', async () => {
    const o = orchestrator()
    assert.equal((await o.setPaused('etl', true)).paused, true)
    assert.equal((await o.getDag('etl')).paused, true)
    await o.triggerRun('etl', { runId: 'r1', conf: {}, logicalDate: null })
    assert.equal(o.completeRun('etl', 'r1', { load: 'failed' }).state, 'failed')
    o.appendLog('etl', 'r1', 'load', ['boom'])
    assert.deepEqual((await o.clearFailedTasks('etl', 'r1', { onlyFailed: false, dryRun: true })).taskIds, ['extract', 'load'])
    assert.equal((await o.getRun('etl', 'r1')).state, 'failed', 'a dry run changes nothing')
    assert.deepEqual((await o.clearFailedTasks('etl', 'r1')).taskIds, ['load'])
    assert.equal((await o.getRun('etl', 'r1')).state, 'queued')
    assert.equal(o.completeRun('etl', 'r1').state, 'success')
    o.appendLog('etl', 'r1', 'load', ['fine now'])
    const tasks = await o.listTaskInstances('etl', 'r1')
    assert.deepEqual(tasks.map((t) => [t.taskId, t.state, t.tryNumber]), [['extract', 'success', 1], ['load', 'success', 2]])
    assert.deepEqual(await o.getTaskLog('etl', 'r1', 'load'), { tryNumber: 2, lines: ['fine now'], continuationToken: null })
    assert.deepEqual((await o.getTaskLog('etl', 'r1', 'load', { tryNumber: 1 })).lines, ['boom'])
    assert.deepEqual(await o.clearFailedTasks('etl', 'r1'), { taskIds: [], taskInstances: [] })
  })

  it('keeps connections, variables and pools: create, conflict, update by mask, delete, not found', async () => {
    const o = orchestrator()
    await o.createObject('variable', 'k', { key: 'k', value: 'v', description: null })
    await assert.rejects(o.createObject('variable', 'k', { key: 'k' }), (e) => isConductorError(e, 'orchestrator_conflict'))
    assert.deepEqual(await o.updateObject('variable', 'k', { value: 'w', description: 'ignored' }, ['value']), { key: 'k', value: 'w', description: null })
    assert.deepEqual((await o.listObjects('variable')).map((v) => v.key), ['k'])
    assert.deepEqual(await o.listObjects('pool'), [])
    await o.deleteObject('variable', 'k')
    await assert.rejects(o.getObject('variable', 'k'), (e) => isConductorError(e, 'not_found'))
  })

  it('fails on request, once per failNext, and while unavailable; records every call', async () => {
    const o = orchestrator()
    o.failNext('triggerRun', new ConductorError('orchestrator_rejected', 'bad conf'))
    await assert.rejects(o.triggerRun('etl', { runId: 'r1', conf: {}, logicalDate: null }), (e) => isConductorError(e, 'orchestrator_rejected'))
    assert.deepEqual(o.storedRuns('etl'), [], 'a failed trigger creates no run')
    await o.triggerRun('etl', { runId: 'r1', conf: {}, logicalDate: null })
    o.setUnavailable(true)
    await assert.rejects(o.listDags(), (e) => isConductorError(e, 'orchestrator_unavailable') && /"mem"/.test(e.message))
    assert.equal((await o.health()).reachable, false)
    o.setUnavailable(false)
    o.failNext('health', new ConductorError('orchestrator_auth_failed', 'refused'))
    assert.deepEqual(await o.health(), { reachable: false, detail: 'refused' })
    assert.equal((await o.health()).reachable, true)
    assert.equal((await o.listDags()).length, 2)
    assert.equal(o.callCount('triggerRun'), 2)
    assert.deepEqual(o.calls.map((c) => c.method), ['triggerRun', 'triggerRun', 'listDags', 'health', 'health', 'health', 'listDags'])
    assert.deepEqual(o.calls[1]?.args, ['etl', { runId: 'r1', conf: {}, logicalDate: null }])
  })

  it('hands out copies, so a caller cannot change what it holds', async () => {
    const o = orchestrator()
    const run = await o.triggerRun('etl', { runId: 'r1', conf: { a: 1 }, logicalDate: null })
    run.conf.a = 2
    ;(await o.getDag('etl')).tags.push('sneaky')
    assert.deepEqual((await o.getRun('etl', 'r1')).conf, { a: 1 })
    assert.deepEqual((await o.getDag('etl')).tags, ['team:data-eng'])
  })
})

describe('in-memory orchestrator: assets', () => {
  it('keeps the events of its assets, answers those since a time, and posts one as Airflow\'s API does', async () => {
    const clock = fixedClock(T0)
    const o = createInMemoryOrchestrator({ environment: 'mem', clock, assets: ['s3://lake/ready'] })
    o.addAssetEvent('s3://lake/ready', { sourceDagId: 'extract', sourceRunId: 'r1' })
    clock.advance(1000)
    const posted = await o.postAssetEvent('s3://lake/ready', { run: 'r2' })
    assert.deepEqual([posted.id, posted.extra, posted.sourceDagId], ['2', { run: 'r2', from_rest_api: true }, null])
    const since = await o.listAssetEvents('s3://lake/ready', { timestampGte: new Date(T0 + 500).toISOString() })
    assert.deepEqual(since.map((e) => e.id), ['2'])
    assert.equal((await o.listAssetEvents('s3://lake/ready', { timestampGte: null })).length, 2)
    await assert.rejects(o.postAssetEvent('s3://lake/other', {}), (e) => isConductorError(e, 'asset_not_found'))
    assert.deepEqual(o.calls.map((c) => c.method), ['postAssetEvent', 'listAssetEvents', 'listAssetEvents', 'postAssetEvent'])
  })

  it('answers assets_not_supported like Airflow 2 when told it has no assets', async () => {
    const o = createInMemoryOrchestrator({ environment: 'old', assets: false })
    await assert.rejects(o.listAssetEvents('s3://lake/ready', { timestampGte: null }), (e) => isConductorError(e, 'assets_not_supported') && e.details?.environment === 'old')
  })
})

import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import { isConductorError } from '../core/index.ts'
import { createOrchestrator } from './create-orchestrator.ts'
import { AIRFLOW2, AIRFLOW3, dag, fake, JSON_HEADERS, run } from './airflow.test-support.ts'

for (const version of [AIRFLOW3, AIRFLOW2]) {
  describe(`Airflow adapter, either version: ${version.kind} (${version.prefix}, MockAgent)`, () => {
    const t = fake(version)
    const { prefix } = version

    it('retries idempotent calls on 5xx and connection errors, then succeeds', async () => {
      t.signIn(1)
      const pool = t.pool()
      pool.intercept({ path: `${prefix}/dags/etl`, method: 'GET' }).reply(503, { detail: 'busy' }, JSON_HEADERS)
      pool.intercept({ path: `${prefix}/dags/etl`, method: 'GET' }).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
      pool.intercept({ path: `${prefix}/dags/etl`, method: 'GET' }).reply(200, dag('etl'), JSON_HEADERS)
      assert.equal((await t.orchestrator().getDag('etl')).dagId, 'etl')
    })

    it('gives orchestrator_unavailable naming the environment once retries run out', async () => {
      t.signIn(1)
      t.pool().intercept({ path: `${prefix}/dags/etl`, method: 'GET' }).reply(502, 'Bad Gateway').times(3)
      await assert.rejects(t.orchestrator().getDag('etl'), (error) => {
        assert.ok(isConductorError(error, 'orchestrator_unavailable'))
        assert.match(error.message, new RegExp(`"${version.name}"`))
        assert.equal(error.details?.environment, version.name)
        assert.equal(error.details?.status, 502)
        return true
      })
      t.agent.assertNoPendingInterceptors()
    })

    it('retries reads of runs on 5xx, asks for them newest first, and gives orchestrator_unavailable after the last retry', async () => {
      t.signIn(1)
      const pool = t.pool()
      pool.intercept({ path: (p) => p.startsWith(`${prefix}/dags/etl/dagRuns?`), method: 'GET' }).reply(503, 'down').times(2)
      pool.intercept({ path: `${prefix}/dags/etl/dagRuns?limit=100&offset=0&${version.runsOrder}`, method: 'GET' })
        .reply(200, { dag_runs: [run('b', { state: 'success' })], total_entries: 1 }, JSON_HEADERS)
      pool.intercept({ path: `${prefix}/dags/etl/dagRuns?limit=2&offset=0&${version.runsOrder}`, method: 'GET' })
        .reply(200, { dag_runs: [run('b'), run('a')], total_entries: 2 }, JSON_HEADERS)
      const o = t.orchestrator()
      assert.deepEqual((await o.listRuns('etl')).map((r) => r.runId), ['b'])
      assert.deepEqual((await o.listRuns('etl', { limit: 2 })).map((r) => r.runId), ['b', 'a'])
      pool.intercept({ path: `${prefix}/dags/etl`, method: 'GET' }).reply(500, { title: 'Internal Server Error' }, JSON_HEADERS).times(3)
      await assert.rejects(o.getDag('etl'), (e) => isConductorError(e, 'orchestrator_unavailable') && e.details?.environment === version.name)
      t.agent.assertNoPendingInterceptors()
    })

    it('retries the pause PATCH, which is idempotent', async () => {
      t.signIn(1)
      t.pool().intercept({ path: `${prefix}/dags/etl?update_mask=is_paused`, method: 'PATCH' }).reply(500, { detail: 'db locked' }, JSON_HEADERS)
      t.pool().intercept({ path: `${prefix}/dags/etl?update_mask=is_paused`, method: 'PATCH', body: '{"is_paused":true}' })
        .reply(200, dag('etl', { is_paused: true }), JSON_HEADERS)
      assert.equal((await t.orchestrator().setPaused('etl', true)).paused, true)
    })

    it('never retries a trigger or a clear', async () => {
      t.signIn(1)
      const calls = { trigger: 0, clear: 0 }
      t.pool().intercept({ path: `${prefix}/dags/etl/dagRuns`, method: 'POST' })
        .reply(() => { calls.trigger++; return { statusCode: 503, data: { detail: 'busy' }, responseOptions: JSON_HEADERS } }).persist()
      t.pool().intercept({ path: `${prefix}/dags/etl/clearTaskInstances`, method: 'POST' })
        .reply(() => { calls.clear++; return { statusCode: 500, data: { detail: 'boom' }, responseOptions: JSON_HEADERS } }).persist()
      const o = t.orchestrator({ retries: 5 })
      await assert.rejects(o.triggerRun('etl', { runId: 'r1', conf: {}, logicalDate: null }), (e) => isConductorError(e, 'orchestrator_unavailable'))
      await assert.rejects(o.clearFailedTasks('etl', 'r1'), (e) => isConductorError(e, 'orchestrator_unavailable'))
      assert.deepEqual(calls, { trigger: 1, clear: 1 })
    })

    it('follows paging to the end when listing DAGs', async () => {
      t.signIn(1)
      const all = Array.from({ length: 230 }, (_, i) => dag(`dag_${String(i).padStart(3, '0')}`))
      t.pool().intercept({ path: (p) => p.startsWith(`${prefix}/dags?`), method: 'GET' }).reply((opts) => {
        const query = new URL(opts.path, version.origin).searchParams
        const offset = Number(query.get('offset')); const limit = Number(query.get('limit'))
        return { statusCode: 200, data: { dags: all.slice(offset, offset + limit), total_entries: all.length }, responseOptions: JSON_HEADERS }
      }).times(3)
      const dags = await t.orchestrator().listDags()
      assert.equal(dags.length, 230)
      assert.equal(dags[229]?.dagId, 'dag_229')
      t.agent.assertNoPendingInterceptors()
    })

    it('clears only the failed tasks of the run, for real', async () => {
      t.signIn(1)
      let clearBody: Record<string, unknown> = {}
      t.pool().intercept({ path: `${prefix}/dags/etl/clearTaskInstances`, method: 'POST' }).reply((opts) => {
        clearBody = JSON.parse(String(opts.body))
        return { statusCode: 200, data: { task_instances: [{ task_id: 'flaky', map_index: 0 }, { task_id: 'flaky', map_index: 1 }, { task_id: 'load' }], total_entries: 3 }, responseOptions: JSON_HEADERS }
      })
      assert.deepEqual((await t.orchestrator().clearFailedTasks('etl', 'r1')).taskIds, ['flaky', 'load'])
      assert.deepEqual(clearBody, { dry_run: false, dag_run_id: 'r1', only_failed: true, reset_dag_runs: true })
    })

    it('answers what a clear of every task would do without doing it (dry run)', async () => {
      t.signIn(1)
      let clearBody: Record<string, unknown> = {}
      t.pool().intercept({ path: `${prefix}/dags/etl/clearTaskInstances`, method: 'POST' }).reply((opts) => {
        clearBody = JSON.parse(String(opts.body))
        return { statusCode: 200, data: { task_instances: [{ task_id: 'extract', state: 'success', try_number: 1 }] }, responseOptions: JSON_HEADERS }
      })
      const answer = await t.orchestrator().clearFailedTasks('etl', 'r1', { onlyFailed: false, dryRun: true })
      assert.deepEqual(clearBody, { dry_run: true, dag_run_id: 'r1', only_failed: false, reset_dag_runs: false })
      assert.deepEqual(answer.taskIds, ['extract'])
      assert.equal(answer.taskInstances[0]!.state, 'success')
    })

    it('reads every page of connections, writes them as Airflow\'s JSON, and names a missing one', async () => {
      t.signIn(1)
      const pool = t.pool()
      const page = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ connection_id: `c${from + i}`, conn_type: 'http' }))
      pool.intercept({ path: `${prefix}/connections?limit=100&offset=0`, method: 'GET' }).reply(200, { connections: page(100, 0), total_entries: 101 }, JSON_HEADERS)
      pool.intercept({ path: `${prefix}/connections?limit=100&offset=100`, method: 'GET' }).reply(200, { connections: page(1, 100), total_entries: 101 }, JSON_HEADERS)
      const o = t.orchestrator()
      assert.equal((await o.listObjects('connection')).length, 101)
      pool.intercept({ path: `${prefix}/variables`, method: 'POST', body: '{"key":"k","value":"v"}' }).reply(201, { key: 'k', value: 'v' }, JSON_HEADERS)
      assert.deepEqual(await o.createObject('variable', 'k', { key: 'k', value: 'v' }), { key: 'k', value: 'v' })
      pool.intercept({ path: `${prefix}/pools/p1?update_mask=slots`, method: 'PATCH', body: '{"slots":4}' }).reply(200, { name: 'p1', slots: 4 }, JSON_HEADERS)
      assert.equal((await o.updateObject('pool', 'p1', { slots: 4 }, ['slots'])).slots, 4)
      pool.intercept({ path: `${prefix}/variables/k`, method: 'DELETE' }).reply(204, '')
      await o.deleteObject('variable', 'k')
      pool.intercept({ path: `${prefix}/connections/gone`, method: 'GET' }).reply(404, { detail: 'The Connection with connection_id: `gone` was not found' }, JSON_HEADERS)
      await assert.rejects(o.getObject('connection', 'gone'), (e) => isConductorError(e, 'not_found') && /^Connection "gone" not found/.test(e.message))
      t.agent.assertNoPendingInterceptors()
    })

    it('reports an unreachable Airflow as not reachable, naming the environment', async () => {
      t.pool().intercept({ path: version.kind === 'airflow3' ? '/api/v2/monitor/health' : '/api/v1/health', method: 'GET' })
        .replyWithError(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }))
      const health = await t.orchestrator().health()
      assert.equal(health.reachable, false)
      assert.match(health.detail ?? '', new RegExp(version.name))
    })

    it('gives up on a hung Airflow after timeoutMs with orchestrator_unavailable', async () => {
      const server = createServer(() => { /* never answers */ })
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const o = createOrchestrator(t.env({ url, timeoutMs: 200, retries: 1 }), { secrets: t.secrets, retryBaseMs: 1 })
      const started = Date.now()
      try {
        await assert.rejects(o.listDags(), (e) => isConductorError(e, 'orchestrator_unavailable') && e.details?.reason === 'timeout')
        assert.ok(Date.now() - started < 2_000)
      } finally {
        await o.close()
        server.closeAllConnections()
        await new Promise((done) => server.close(done))
      }
    })
  })
}

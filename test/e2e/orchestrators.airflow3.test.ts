import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import type { EnvironmentConfig } from '../../src/config/index.ts'
import { isConductorError } from '../../src/core/index.ts'
import { createOrchestrator, type Orchestrator, type RunInfo } from '../../src/orchestrators/index.ts'
import { createSecrets, type Secrets } from '../../src/secrets/index.ts'
import { useAirflow, type AirflowHandle } from '../../harness/airflow.ts'

function environment(url: string, overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return {
    name: 'e2e-airflow', kind: 'airflow3', url, zone: 'default', tier: 'dev',
    credentials: { provider: 'files', secret: 'airflow-e2e' }, timeoutMs: 15_000, retries: 2, ...overrides,
  }
}

async function waitForRun(orchestrator: Orchestrator, dagId: string, runId: string, states: string[], timeoutMs = 120_000): Promise<RunInfo> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const run = await orchestrator.getRun(dagId, runId)
    if (states.includes(run.state)) return run
    if (Date.now() > deadline) assert.fail(`run ${dagId}/${runId} still "${run.state}" after ${timeoutMs} ms, wanted ${states.join('|')}`)
    await delay(1_000)
  }
}

describe('Airflow 3 orchestrator against a real Airflow', { timeout: 600_000 }, () => {
  let airflow: AirflowHandle
  let secretsFolder: string
  let secrets: Secrets
  let orchestrator: Orchestrator
  const suffix = randomUUID().slice(0, 8)

  before(async () => {
    airflow = await useAirflow()
    secretsFolder = await mkdtemp(join(tmpdir(), 'conductor-e2e-secrets-'))
    await writeFile(join(secretsFolder, 'airflow-e2e'), `${JSON.stringify({ username: airflow.username, password: airflow.password })}\n`)
    secrets = createSecrets({ providers: [{ name: 'files', type: 'file', path: secretsFolder }] })
    orchestrator = createOrchestrator(environment(airflow.url), { secrets })
  })

  after(async () => {
    await orchestrator?.close()
    secrets?.close()
    if (secretsFolder) await rm(secretsFolder, { recursive: true, force: true })
    await airflow?.stop()
  })

  it('reports health and version', async () => {
    const health = await orchestrator.health()
    assert.equal(health.reachable, true)
    assert.equal(health.version, airflow.version)
  })

  it('lists the demo DAGs with their tags, owners and schedule', async () => {
    const dags = await orchestrator.listDags()
    const etl = dags.find((d) => d.dagId === 'etl_daily')
    const ml = dags.find((d) => d.dagId === 'ml_train')
    assert.ok(etl && ml, `got ${dags.map((d) => d.dagId).join(', ')}`)
    assert.deepEqual(etl.tags, ['team:data-eng'])
    assert.deepEqual(etl.owners, ['data-eng'])
    assert.ok(etl.schedule, 'etl_daily has a schedule')
    assert.deepEqual(ml.tags, ['team:ml'])
    assert.deepEqual(ml.owners, ['ml'])
    assert.equal(ml.schedule, null)
    assert.ok(dags.some((d) => d.dagId === 'conductor_fails_once'))
    assert.equal((await orchestrator.getDag('ml_train')).description, ml.description)
  })

  it('triggers a run with run id, conf and note, and Airflow shows them', async () => {
    const runId = `conductor__e2e-${suffix}`
    const created = await orchestrator.triggerRun('etl_daily', { runId, conf: { rows: 7, requestedBy: 'alice' }, logicalDate: null, note: 'triggered by alice via Conductor (request r-1)' })
    assert.equal(created.runId, runId)
    assert.equal(created.runType, 'manual')
    assert.equal(created.triggeredBy, airflow.username)

    // Read back with Airflow's own API, not through the adapter.
    const token = await (await fetch(`${airflow.url}/auth/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: airflow.username, password: airflow.password }),
    })).json() as { access_token: string }
    const raw = await (await fetch(`${airflow.url}/api/v2/dags/etl_daily/dagRuns/${encodeURIComponent(runId)}`, { headers: { authorization: `Bearer ${token.access_token}` } })).json() as Record<string, unknown>
    assert.deepEqual(raw.conf, { rows: 7, requestedBy: 'alice' })
    assert.equal(raw.note, 'triggered by alice via Conductor (request r-1)')

    const runs = await orchestrator.listRuns('etl_daily', { limit: 5 })
    assert.equal(runs[0]?.runId, runId, 'newest run first')
    const done = await waitForRun(orchestrator, 'etl_daily', runId, ['success', 'failed'])
    assert.equal(done.state, 'success')
    const tasks = await orchestrator.listTaskInstances('etl_daily', runId)
    assert.deepEqual(tasks.map((t) => t.taskId).sort(), ['extract', 'load', 'transform'])
    assert.ok(tasks.every((t) => t.state === 'success' && t.tryNumber === 1 && t.mapIndex === -1 && t.durationSeconds !== null))
  })

  it('refuses a duplicate run id with orchestrator_conflict', async () => {
    const runId = `conductor__dup-${suffix}`
    await orchestrator.triggerRun('ml_train', { runId, conf: {}, logicalDate: null })
    await assert.rejects(orchestrator.triggerRun('ml_train', { runId, conf: {}, logicalDate: null }), (error) => {
      assert.ok(isConductorError(error, 'orchestrator_conflict'), String(error))
      assert.match(error.message, new RegExp(runId))
      return true
    })
  })

  it('maps unknown DAGs, runs and tasks to their not-found codes', async () => {
    await assert.rejects(orchestrator.getDag('no_such_dag'), (e) => isConductorError(e, 'dag_not_found'))
    await assert.rejects(orchestrator.triggerRun('no_such_dag', { runId: `x-${suffix}`, conf: {}, logicalDate: null }), (e) => isConductorError(e, 'dag_not_found'))
    await assert.rejects(orchestrator.getRun('etl_daily', 'no_such_run'), (e) => isConductorError(e, 'run_not_found'))
    await assert.rejects(orchestrator.getTaskLog('etl_daily', `conductor__e2e-${suffix}`, 'no_such_task'), (e) => isConductorError(e, 'task_not_found'))
  })

  it('refuses conf that breaks the DAG params with orchestrator_rejected and Airflow\'s reason', async () => {
    await assert.rejects(orchestrator.triggerRun('conductor_params', { runId: `bad-params-${suffix}`, conf: { region: 'mars' }, logicalDate: null }), (error) => {
      assert.ok(isConductorError(error, 'orchestrator_rejected'), String(error))
      assert.match(error.message, /mars/)
      return true
    })
  })

  it('pauses and unpauses a DAG', async () => {
    const paused = await orchestrator.setPaused('ml_train', true)
    assert.equal(paused.paused, true)
    assert.equal((await orchestrator.getDag('ml_train')).paused, true)
    const unpaused = await orchestrator.setPaused('ml_train', false)
    assert.equal(unpaused.paused, false)
    assert.equal((await orchestrator.getDag('ml_train')).paused, false)
  })

  it('reruns the failed task of conductor_fails_once and reads its logs', async () => {
    const runId = `conductor__flaky-${suffix}`
    await orchestrator.triggerRun('conductor_fails_once', { runId, conf: {}, logicalDate: null })
    const failed = await waitForRun(orchestrator, 'conductor_fails_once', runId, ['failed', 'success'])
    assert.equal(failed.state, 'failed')
    const firstLog = await orchestrator.getTaskLog('conductor_fails_once', runId, 'flaky')
    assert.equal(firstLog.tryNumber, 1)
    assert.ok(firstLog.lines.some((l) => l.includes('failing the first try on purpose')), firstLog.lines.join('\n'))

    const cleared = await orchestrator.clearFailedTasks('conductor_fails_once', runId)
    assert.deepEqual(cleared.taskIds, ['flaky'])
    const rerun = await waitForRun(orchestrator, 'conductor_fails_once', runId, ['success', 'failed'])
    assert.equal(rerun.state, 'success')
    const flaky = (await orchestrator.listTaskInstances('conductor_fails_once', runId)).find((t) => t.taskId === 'flaky')
    assert.equal(flaky?.tryNumber, 2)
    const log = await orchestrator.getTaskLog('conductor_fails_once', runId, 'flaky')
    assert.equal(log.tryNumber, 2)
    assert.ok(log.lines.some((l) => l.includes('succeeding now')), log.lines.join('\n'))
    assert.deepEqual((await orchestrator.clearFailedTasks('conductor_fails_once', runId)).taskIds, [], 'nothing left to clear')
  })

  it('keeps working after the credentials secret is rotated to a wrong password, and says why', async () => {
    const rotated = createOrchestrator(environment(airflow.url), { secrets })
    try {
      await writeFile(join(secretsFolder, 'airflow-e2e'), JSON.stringify({ username: airflow.username, password: 'wrong-password-xyz' }))
      await assert.rejects(rotated.listDags(), (error) => {
        assert.ok(isConductorError(error, 'orchestrator_auth_failed'), String(error))
        assert.doesNotMatch(`${error.message} ${JSON.stringify(error.details)}`, /wrong-password-xyz/)
        return true
      })
      await writeFile(join(secretsFolder, 'airflow-e2e'), JSON.stringify({ username: airflow.username, password: airflow.password }))
      assert.ok((await rotated.listDags()).length > 0)
    } finally {
      await writeFile(join(secretsFolder, 'airflow-e2e'), JSON.stringify({ username: airflow.username, password: airflow.password }))
      await rotated.close()
    }
  })

  it('reports an unreachable Airflow as orchestrator_unavailable naming the environment', async () => {
    const down = createOrchestrator(environment('http://127.0.0.1:9', { name: 'down-env', timeoutMs: 2_000, retries: 1 }), { secrets, retryBaseMs: 10 })
    try {
      await assert.rejects(down.listDags(), (error) => {
        assert.ok(isConductorError(error, 'orchestrator_unavailable'), String(error))
        assert.equal(error.details?.environment, 'down-env')
        assert.match(error.message, /down-env/)
        return true
      })
      assert.equal((await down.health()).reachable, false)
    } finally {
      await down.close()
    }
  })
})

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
import { useAirflow2, type Airflow2Handle } from '../../harness/airflow2.ts'

// The Airflow 2 tier: the `airflow2` adapter (/api/v1, basic auth) against a real Airflow 2 (see requirements/airflow2.txt).
// Set CONDUCTOR_SKIP_AIRFLOW2=1 to leave it out; otherwise it runs, and a missing Airflow 2 is a failure.
const skip = process.env.CONDUCTOR_SKIP_AIRFLOW2 === '1' ? 'CONDUCTOR_SKIP_AIRFLOW2=1: the Airflow 2 tier is switched off' : false

function environment(url: string, overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return {
    name: 'e2e-airflow2', kind: 'airflow2', url, zone: 'default', tier: 'dev',
    credentials: { provider: 'files', secret: 'airflow2-e2e' }, timeoutMs: 15_000, retries: 2, ...overrides,
  }
}

// Airflow 2 on SQLite runs one task at a time (SequentialExecutor), a few seconds each.
async function waitForRun(orchestrator: Orchestrator, dagId: string, runId: string, states: string[], timeoutMs = 90_000): Promise<RunInfo> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const run = await orchestrator.getRun(dagId, runId)
    if (states.includes(run.state)) return run
    if (Date.now() > deadline) assert.fail(`run ${dagId}/${runId} still "${run.state}" after ${timeoutMs} ms, wanted ${states.join('|')}`)
    await delay(1_000)
  }
}

describe('Airflow 2 orchestrator against a real Airflow 2', { timeout: 600_000, skip }, () => {
  let airflow: Airflow2Handle
  let secretsFolder: string
  let secrets: Secrets
  let orchestrator: Orchestrator
  const suffix = randomUUID().slice(0, 8)
  const basic = () => `Basic ${Buffer.from(`${airflow.username}:${airflow.password}`).toString('base64')}`

  before(async () => {
    airflow = await useAirflow2()
    secretsFolder = await mkdtemp(join(tmpdir(), 'conductor-e2e-secrets-'))
    await writeFile(join(secretsFolder, 'airflow2-e2e'), `${JSON.stringify({ username: airflow.username, password: airflow.password })}\n`)
    secrets = createSecrets({ providers: [{ name: 'files', type: 'file', path: secretsFolder }] })
    orchestrator = createOrchestrator(environment(airflow.url), { secrets })
  }, { timeout: 25 * 60_000 })

  after(async () => {
    await orchestrator?.close()
    secrets?.close()
    if (secretsFolder) await rm(secretsFolder, { recursive: true, force: true })
    await airflow?.stop()
  })

  it('reports health and version, without flagging the triggerer it does not run', async () => {
    const health = await orchestrator.health()
    assert.deepEqual(health, { reachable: true, version: airflow.version })
    assert.match(airflow.version, /^2\./)
  })

  it('lists the demo DAGs with their tags, owners and schedule', async () => {
    const dags = await orchestrator.listDags()
    const etl = dags.find((d) => d.dagId === 'etl_daily')
    const ml = dags.find((d) => d.dagId === 'ml_train')
    assert.ok(etl && ml, `got ${dags.map((d) => d.dagId).join(', ')}`)
    assert.deepEqual(etl.tags, ['team:data-eng'])
    assert.deepEqual(etl.owners, ['data-eng'])
    assert.equal(etl.schedule, '@daily')
    assert.equal(etl.description, 'Extract, transform and load the daily sales figures')
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
    assert.equal(created.note, 'triggered by alice via Conductor (request r-1)')
    assert.equal(created.triggeredBy, null, 'Airflow 2 does not record who triggered a run')

    // Read back with Airflow's own API, not through the adapter.
    const response = await fetch(`${airflow.url}/api/v1/dags/etl_daily/dagRuns/${encodeURIComponent(runId)}`, { headers: { authorization: basic() } })
    const raw = await response.json() as Record<string, unknown>
    assert.deepEqual(raw.conf, { rows: 7, requestedBy: 'alice' })
    assert.equal(raw.note, 'triggered by alice via Conductor (request r-1)')

    const runs = await orchestrator.listRuns('etl_daily', { limit: 5 })
    assert.equal(runs[0]?.runId, runId, 'newest run first')
    const done = await waitForRun(orchestrator, 'etl_daily', runId, ['success', 'failed'])
    assert.equal(done.state, 'success')
    const tasks = await orchestrator.listTaskInstances('etl_daily', runId)
    assert.deepEqual(tasks.map((t) => t.taskId).sort(), ['extract', 'load', 'transform'])
    assert.ok(tasks.every((t) => t.state === 'success' && t.tryNumber === 1 && t.mapIndex === -1 && t.durationSeconds !== null), JSON.stringify(tasks))
  })

  // Before the duplicate-run test: its ml_train run would otherwise take the single task slot first.
  it('reruns the failed task of conductor_fails_once and reads its logs line by line', async () => {
    const runId = `conductor__flaky-${suffix}`
    await orchestrator.triggerRun('conductor_fails_once', { runId, conf: {}, logicalDate: null })
    const failed = await waitForRun(orchestrator, 'conductor_fails_once', runId, ['failed', 'success'])
    assert.equal(failed.state, 'failed')
    const firstLog = await orchestrator.getTaskLog('conductor_fails_once', runId, 'flaky')
    assert.equal(firstLog.tryNumber, 1)
    // Airflow 2 sends the log as the str() of Python tuples; the adapter must turn it back into lines.
    assert.ok(firstLog.lines.some((l) => l.includes('RuntimeError: conductor_fails_once: failing the first try on purpose')), firstLog.lines.join('\n'))
    assert.ok(firstLog.lines.length > 5 && firstLog.lines.every((l) => !l.startsWith("[('")), firstLog.lines.join('\n'))

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

  it('keeps working after the credentials secret is rotated to a wrong password, and says why', async () => {
    const rotated = createOrchestrator(environment(airflow.url), { secrets })
    try {
      await writeFile(join(secretsFolder, 'airflow2-e2e'), JSON.stringify({ username: airflow.username, password: 'wrong-password-xyz' }))
      await assert.rejects(rotated.listDags(), (error) => {
        assert.ok(isConductorError(error, 'orchestrator_auth_failed'), String(error))
        assert.doesNotMatch(`${error.message} ${JSON.stringify(error.details)}`, /wrong-password-xyz/)
        return true
      })
      await writeFile(join(secretsFolder, 'airflow2-e2e'), JSON.stringify({ username: airflow.username, password: airflow.password }))
      assert.ok((await rotated.listDags()).length > 0)
    } finally {
      await writeFile(join(secretsFolder, 'airflow2-e2e'), JSON.stringify({ username: airflow.username, password: airflow.password }))
      await rotated.close()
    }
  })

  it('reports an unreachable Airflow 2 as orchestrator_unavailable naming the environment', async () => {
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

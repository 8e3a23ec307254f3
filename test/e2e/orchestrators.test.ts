import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { EnvironmentConfig } from '../../src/config/index.ts'
import { isConductorError } from '../../src/core/index.ts'
import { createOrchestrator, type Orchestrator, type RunInfo } from '../../src/orchestrators/index.ts'
import { createSecrets, type Secrets } from '../../src/secrets/index.ts'
import { adminToken, useAirflow, type AirflowHandle, type AirflowMajor } from '../../harness/airflow.ts'
import { eventually } from '../../harness/poll.ts'

// The Airflow adapter against a real Airflow 3 (/api/v2, airflow-token credentials) and a real Airflow 2.11
// (/api/v1, basic credentials): the same cases, with what differs per version in this table.
// Set CONDUCTOR_SKIP_AIRFLOW2=1 to leave Airflow 2 out; otherwise a missing Airflow 2 is a failure.

interface Version {
  major: AirflowMajor
  kind: EnvironmentConfig['kind']
  /** What `triggeredBy` says of a run Conductor triggered: the Airflow user (3.1+), or nothing (Airflow 2 does not record it). */
  triggeredBy: (airflow: AirflowHandle) => string | null
  /** etl_daily's schedule exactly, where this version's summary is known; else only that there is one. */
  etlSchedule: string | null
  /** Whether health has nothing to report: Airflow 2 lists components it does not run with status null, which must not show. */
  cleanHealth: boolean
  /** Airflow's own Authorization header, to read back without the adapter. */
  authorization: (airflow: AirflowHandle) => Promise<string>
  api: string
  /** How long a run of the test DAGs may take: Airflow 2 on SQLite runs one task at a time. */
  runTimeoutMs: number
  skip: string | false
}

const VERSIONS: Version[] = [
  {
    major: 3, kind: 'airflow3', triggeredBy: (airflow) => airflow.username, etlSchedule: null, cleanHealth: false,
    authorization: async (airflow) => `Bearer ${await adminToken(airflow)}`, api: '/api/v2', runTimeoutMs: 120_000, skip: false,
  },
  {
    major: 2, kind: 'airflow2', triggeredBy: () => null, etlSchedule: '@daily', cleanHealth: true,
    authorization: async (airflow) => `Basic ${Buffer.from(`${airflow.username}:${airflow.password}`).toString('base64')}`, api: '/api/v1', runTimeoutMs: 90_000,
    skip: process.env.CONDUCTOR_SKIP_AIRFLOW2 === '1' ? 'CONDUCTOR_SKIP_AIRFLOW2=1: the Airflow 2 tier is switched off' : false,
  },
]

for (const version of VERSIONS) {
  describe(`Airflow adapter against a real Airflow ${version.major}`, { timeout: 600_000, skip: version.skip }, () => {
    let airflow: AirflowHandle
    let secretsFolder: string
    let secrets: Secrets
    let orchestrator: Orchestrator
    const suffix = randomUUID().slice(0, 8)
    const secretName = `airflow${version.major}-e2e`

    const environment = (url: string, overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig => ({
      name: `e2e-airflow${version.major}`, kind: version.kind, url, zone: 'default', tier: 'dev',
      credentials: { provider: 'files', secret: secretName }, timeoutMs: 15_000, retries: 2, limits: { maxConcurrentWrites: 2, writesPerSecond: 5, maxConcurrentReads: 4, readsPerSecond: 20, maxWaitMs: 5_000 }, circuitBreaker: { failureThreshold: 5, openSeconds: 30 }, ...overrides,
    })
    const writeSecret = (name: string, value: unknown) => writeFile(join(secretsFolder, name), typeof value === 'string' ? value : JSON.stringify(value))
    const waitForRun = (dagId: string, runId: string, states: string[]): Promise<RunInfo> =>
      eventually(async () => {
        const run = await orchestrator.getRun(dagId, runId)
        if (!states.includes(run.state)) throw new Error(`state is "${run.state}"`)
        return run
      }, { what: `run ${dagId}/${runId} to be ${states.join('|')}`, timeoutMs: version.runTimeoutMs, intervalMs: 1_000 })

    before(async () => {
      airflow = await useAirflow({ version: version.major })
      secretsFolder = await mkdtemp(join(tmpdir(), 'conductor-e2e-secrets-'))
      await writeSecret(secretName, { username: airflow.username, password: airflow.password })
      secrets = createSecrets({ providers: [{ name: 'files', type: 'file', path: secretsFolder }] })
      orchestrator = createOrchestrator(environment(airflow.url), { secrets })
    }, { timeout: 25 * 60_000 })

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
      assert.match(airflow.version, new RegExp(`^${version.major}\\.`))
      if (version.cleanHealth) assert.deepEqual(health, { reachable: true, version: airflow.version })
    })

    it('lists the demo DAGs with their tags, owners, description and schedule', async () => {
      const dags = await orchestrator.listDags()
      const etl = dags.find((d) => d.dagId === 'etl_daily')
      const ml = dags.find((d) => d.dagId === 'ml_train')
      assert.ok(etl && ml, `got ${dags.map((d) => d.dagId).join(', ')}`)
      assert.deepEqual(etl.tags, ['team:data-eng'])
      assert.deepEqual(etl.owners, ['data-eng'])
      if (version.etlSchedule) assert.equal(etl.schedule, version.etlSchedule)
      else assert.ok(etl.schedule, 'etl_daily has a schedule')
      assert.equal(etl.description, 'Extract, transform and load the daily sales figures')
      assert.deepEqual(ml.tags, ['team:ml'])
      assert.deepEqual(ml.owners, ['ml'])
      assert.equal(ml.schedule, null)
      assert.ok(dags.some((d) => d.dagId === 'conductor_fails_once'))
      assert.equal((await orchestrator.getDag('ml_train')).description, ml.description)
    })

    it('triggers a run with run id, conf and note, and Airflow shows them', async () => {
      const runId = `conductor__e2e-${suffix}`
      const note = 'triggered by alice via Conductor (request r-1)'
      const created = await orchestrator.triggerRun('etl_daily', { runId, conf: { rows: 7, requestedBy: 'alice' }, logicalDate: null, note })
      assert.equal(created.runId, runId)
      assert.equal(created.runType, 'manual')
      assert.equal(created.triggeredBy, version.triggeredBy(airflow))

      // Read back with Airflow's own API, not through the adapter.
      const response = await fetch(`${airflow.url}${version.api}/dags/etl_daily/dagRuns/${encodeURIComponent(runId)}`, { headers: { authorization: await version.authorization(airflow) } })
      const raw = await response.json() as Record<string, unknown>
      assert.deepEqual(raw.conf, { rows: 7, requestedBy: 'alice' })
      assert.equal(raw.note, note)
      assert.equal((await orchestrator.getRun('etl_daily', runId)).note, note)

      const runs = await orchestrator.listRuns('etl_daily', { limit: 5 })
      assert.equal(runs[0]?.runId, runId, 'newest run first')
      const done = await waitForRun('etl_daily', runId, ['success', 'failed'])
      assert.equal(done.state, 'success')
      const tasks = await orchestrator.listTaskInstances('etl_daily', runId)
      assert.deepEqual(tasks.map((t) => t.taskId).sort(), ['extract', 'load', 'transform'])
      assert.ok(tasks.every((t) => t.state === 'success' && t.tryNumber === 1 && t.mapIndex === -1 && t.durationSeconds !== null), JSON.stringify(tasks))
    })

    // Before the duplicate-run test: on Airflow 2 its ml_train run would otherwise take the single task slot first.
    it('reruns the failed task of conductor_fails_once and reads its logs line by line', async () => {
      const runId = `conductor__flaky-${suffix}`
      await orchestrator.triggerRun('conductor_fails_once', { runId, conf: {}, logicalDate: null })
      const failed = await waitForRun('conductor_fails_once', runId, ['failed', 'success'])
      assert.equal(failed.state, 'failed')
      const firstLog = await orchestrator.getTaskLog('conductor_fails_once', runId, 'flaky')
      assert.equal(firstLog.tryNumber, 1)
      // Airflow 3 sends structured records, Airflow 2 the str() of Python tuples; either way, lines of text.
      assert.ok(firstLog.lines.some((l) => l.includes('RuntimeError: conductor_fails_once: failing the first try on purpose')), firstLog.lines.join('\n'))
      assert.ok(firstLog.lines.length > 5 && firstLog.lines.every((l) => !l.startsWith("[('")), firstLog.lines.join('\n'))

      const cleared = await orchestrator.clearFailedTasks('conductor_fails_once', runId)
      assert.deepEqual(cleared.taskIds, ['flaky'])
      const rerun = await waitForRun('conductor_fails_once', runId, ['success', 'failed'])
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
        await writeSecret(secretName, { username: airflow.username, password: 'wrong-password-xyz' })
        await assert.rejects(rotated.listDags(), (error) => {
          assert.ok(isConductorError(error, 'orchestrator_auth_failed'), String(error))
          assert.doesNotMatch(`${error.message} ${JSON.stringify(error.details)}`, /wrong-password-xyz/)
          return true
        })
        await writeSecret(secretName, { username: airflow.username, password: airflow.password })
        assert.ok((await rotated.listDags()).length > 0)
      } finally {
        await writeSecret(secretName, { username: airflow.username, password: airflow.password })
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

    if (version.major === 3) {
      it('reaches Airflow 3 with a bearer token from the secrets provider, and picks up a rotated one after a refusal', async () => {
        const bearer = (name: string) => createOrchestrator(environment(airflow.url, { credentials: { provider: 'files', secret: name, kind: 'bearer' } }), { secrets })
        await writeSecret('bearer-e2e', await adminToken(airflow))
        const valid = bearer('bearer-e2e')
        await writeSecret('bearer-rotated-e2e', 'not-a-valid-token-xyz')
        const rotated = bearer('bearer-rotated-e2e')
        try {
          assert.ok((await valid.listDags()).some((d) => d.dagId === 'etl_daily'))
          await assert.rejects(rotated.listDags(), (error) => {
            assert.ok(isConductorError(error, 'orchestrator_auth_failed'), String(error))
            assert.equal(error.details?.environment, `e2e-airflow${version.major}`)
            assert.doesNotMatch(`${error.message} ${JSON.stringify(error.details)}`, /not-a-valid-token-xyz/)
            return true
          })
          await writeSecret('bearer-rotated-e2e', JSON.stringify({ token: await adminToken(airflow) }))
          assert.ok((await rotated.listDags()).some((d) => d.dagId === 'etl_daily'), 'the rotated token is read after the refusal')
        } finally {
          await valid.close()
          await rotated.close()
        }
      })
    }
  })
}

import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { adminToken, useAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { startTestApp } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'

const SYNC_SECONDS = 2

interface Listed { counts: Record<string, number>; items: { kind: string; runId: string | null; dagId: string | null; actor: string | null; severity: string }[] }

describe('shadow activity in a real Airflow 3', () => {
  let airflow: AirflowHandle
  let app: Awaited<ReturnType<typeof startTestApp>>
  let airflowToken: string
  const dir = mkdtempSync(join(tmpdir(), 'conductor-e2e-shadow-'))

  before(async () => {
    airflow = await useAirflow()
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
      environments: [{ name: 'local', url: airflow.url, username: airflow.username, password: airflow.password }],
      // The test Airflow has one admin account, which Conductor also uses; naming another account as Conductor's
      // makes this one stand for a person acting in Airflow directly with the admin credentials.
      extraConfig: { catalog: { syncIntervalSeconds: SYNC_SECONDS }, shadow: { conductorUsers: ['conductor-service'] } },
      app: { backgroundSync: true },
    })
    await eventually(async () => (await app.governance.catalog.statuses()).some((s) => s.environment === 'local' && s.reachable === 1), { what: 'the first sync', timeoutMs: 30_000 })
    airflowToken = await adminToken(airflow)
  })
  after(async () => {
    await app?.close()
    await airflow?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  // The admin acting directly in Airflow (the setup, not what is tested): a "Database error" 500 from the shared
  // Airflow's SQLite, busy with the other tests' runs, is tried again a few times.
  const airflowApi = async (method: string, path: string, body?: unknown) => {
    let res: Response
    for (let attempt = 1; ; attempt++) {
      res = await fetch(`${airflow.url}/api/v2${path}`, {
        method, headers: { authorization: `Bearer ${airflowToken}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      if (res.status !== 500 || attempt === 5 || !(await res.clone().text()).includes('Database error')) break
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt))
    }
    assert.ok(res.ok, `${method} ${path} answered ${res.status}: ${await res.clone().text()}`)
    return res.json() as Promise<Record<string, unknown>>
  }
  const shadow = async (query = '') => {
    const carol = await app.tokenFor('carol')
    const res = await app.server.inject({ method: 'GET', url: `/api/v1/shadow?environment=local${query}`, headers: { authorization: `Bearer ${carol}` } })
    assert.equal(res.statusCode, 200, res.body)
    return res.json() as Listed
  }

  test('a run created directly in Airflow with admin credentials is shadow activity within a sync interval; a run through Conductor is not', async () => {
    const alice = await app.tokenFor('alice')
    const governed = await app.server.inject({
      method: 'POST', url: '/api/v1/environments/local/dags/etl_daily/runs', headers: { authorization: `Bearer ${alice}` }, payload: { conf: {}, reason: 'shadow e2e' },
    })
    assert.equal(governed.statusCode, 201, governed.body)
    const conductorRunId = governed.json().run.runId as string

    const directRunId = `manual__shadow_e2e_${Date.now()}`
    await airflowApi('POST', '/dags/etl_daily/dagRuns', { dag_run_id: directRunId, logical_date: null, conf: {} })
    const started = Date.now()
    const found = await eventually(async () => (await shadow('&kind=run')).items.find((i) => i.runId === directRunId), {
      what: 'the direct run to be listed as shadow activity', timeoutMs: 30_000, intervalMs: 250,
    })
    const waited = (Date.now() - started) / 1000
    assert.ok(waited <= SYNC_SECONDS + 5, `found after ${waited} s: within one sync interval (${SYNC_SECONDS} s) and the sync's own time`)
    assert.deepEqual({ kind: found.kind, dagId: found.dagId, actor: found.actor, severity: found.severity }, { kind: 'run', dagId: 'etl_daily', actor: airflow.username, severity: 'warning' })

    const all = await shadow()
    assert.equal(all.items.filter((i) => i.runId === conductorRunId).length, 0, 'the run Conductor triggered is not shadow activity')
    assert.equal(all.items.filter((i) => i.runId === directRunId).length, 1, 'recorded once, whatever the number of syncs since')
  })

  test('a pause and unpause done directly in Airflow are shadow.pause, named with the Airflow user', async () => {
    await airflowApi('PATCH', '/dags/ml_train?update_mask=is_paused', { is_paused: true })
    await airflowApi('PATCH', '/dags/ml_train?update_mask=is_paused', { is_paused: false })
    const pauses = await eventually(async () => {
      const items = (await shadow('&kind=pause')).items.filter((i) => i.dagId === 'ml_train')
      return items.length >= 2 ? items : undefined
    }, { what: 'both pause events to be listed', timeoutMs: 30_000, intervalMs: 250 })
    assert.deepEqual([...new Set(pauses.map((p) => p.actor))], [airflow.username])
  })
})

import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { adminToken, useAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { startTestApp } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'

const BURST = 40
const COMPONENTS = ['metadatabase', 'scheduler', 'triggerer', 'dag_processor']

// The test: 40 concurrent triggers through Conductor, with its default limits, into an `airflow standalone`
// on SQLite like the demo's. Without limits this locked Airflow's database and its scheduler, DAG processor and
// triggerer exited, leaving runs queued for ever.
describe('Conductor protects the Airflow behind it', () => {
  let airflow: AirflowHandle
  let app: Awaited<ReturnType<typeof startTestApp>>
  let airflowToken: string
  const dir = mkdtempSync(join(tmpdir(), 'conductor-e2e-protection-'))

  before(async () => {
    airflow = await useAirflow()
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
      environments: [{ name: 'local', url: airflow.url, username: airflow.username, password: airflow.password }],
    })
    await app.governance.catalog.syncAll()
    airflowToken = await adminToken(airflow)
  })
  after(async () => {
    await app?.close()
    await airflow?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const health = async () => {
    const body = await (await fetch(`${airflow.url}/api/v2/monitor/health`, { signal: AbortSignal.timeout(10_000) })).json() as Record<string, { status?: string } | undefined>
    return Object.fromEntries(COMPONENTS.map((c) => [c, body[c]?.status ?? 'missing']))
  }
  const allHealthy = async () => {
    const seen = await health()
    if (COMPONENTS.some((c) => seen[c] !== 'healthy')) throw new Error(`Airflow health: ${JSON.stringify(seen)}`)
    return seen
  }

  test(`a burst of ${BURST} triggers: each is dispatched (201) or throttled (429), and Airflow stays healthy and runs them all`, async (t) => {
    await eventually(allHealthy, { what: 'Airflow to be healthy before the burst', timeoutMs: 60_000, intervalMs: 1000 })
    const alice = await app.tokenFor('alice')
    const answers = await Promise.all(Array.from({ length: BURST }, (_, i) => app.server.inject({
      method: 'POST', url: '/api/v1/environments/local/dags/etl_daily/runs',
      headers: { authorization: `Bearer ${alice}` }, payload: { conf: { burst: i }, reason: 'burst' },
    })))

    const statuses = answers.map((a) => a.statusCode)
    assert.deepEqual(statuses.filter((s) => s !== 201 && s !== 429), [], `every answer is 201 or 429: ${statuses.join(' ')}`)
    const dispatched = answers.filter((a) => a.statusCode === 201).map((a) => a.json().run.runId as string)
    const throttled = answers.filter((a) => a.statusCode === 429)
    t.diagnostic(`${dispatched.length} dispatched, ${throttled.length} throttled`)
    assert.ok(dispatched.length >= 1, 'some triggers were dispatched')
    assert.ok(throttled.length >= 1, 'the limits held some back')
    for (const answer of throttled) {
      assert.equal(answer.json().error.code, 'orchestrator_throttled')
      assert.ok(Number(answer.headers['retry-after']) >= 1, `Retry-After: ${answer.headers['retry-after']}`)
    }
    const ledger = (await app.server.inject({ method: 'GET', url: '/api/v1/requests?environment=local&limit=100', headers: { authorization: `Bearer ${alice}` } })).json().requests as { state: string; error: { code: string } | null }[]
    assert.equal(ledger.filter((r) => r.state === 'succeeded').length, dispatched.length)
    assert.equal(ledger.filter((r) => r.state === 'failed' && r.error?.code === 'orchestrator_throttled').length, throttled.length)

    // Every dispatched run gets scheduled and finishes: the scheduler, the DAG processor and the triggerer stayed up.
    await eventually(async () => {
      const res = await fetch(`${airflow.url}/api/v2/dags/etl_daily/dagRuns?limit=100&run_id_pattern=conductor__%25`, { headers: { authorization: `Bearer ${airflowToken}` } })
      const runs = ((await res.json()) as { dag_runs: { dag_run_id: string; state: string }[] }).dag_runs
      const states = dispatched.map((id) => runs.find((r) => r.dag_run_id === id)?.state ?? 'missing')
      if (!states.every((s) => s === 'success' || s === 'failed')) throw new Error(`run states: ${states.join(' ')}`)
      return states
    }, { what: `the ${dispatched.length} dispatched runs to finish`, timeoutMs: 240_000, intervalMs: 2000 })
    assert.deepEqual(await allHealthy(), Object.fromEntries(COMPONENTS.map((c) => [c, 'healthy'])))
  })
})

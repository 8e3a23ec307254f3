import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { adminToken } from '../../harness/airflow.ts'
import { startAirflowWithConductor, type AirflowWithConductor } from '../../harness/airflow-with-conductor.ts'
import { eventually } from '../../harness/poll.ts'

// A real Airflow 3 running the Conductor auth manager from integrations/airflow/src against a real Conductor:
// Airflow's own API answers each person as Conductor's policy says, and fails closed without Conductor.
describe('Airflow 3 with the Conductor auth manager', () => {
  let pair: AirflowWithConductor
  let aliceToken: string
  let bobToken: string

  before(async () => {
    pair = await startAirflowWithConductor()
    aliceToken = await pair.airflowTokenFor('alice')
    bobToken = await pair.airflowTokenFor('bob')
  })
  after(async () => { await pair?.stop() })

  const airflow = (path: string, token: string, init: RequestInit = {}) => fetch(`${pair.airflow.url}/api/v2${path}`, {
    ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, signal: AbortSignal.timeout(15_000),
  })
  const listDags = async (token: string) => {
    const res = await airflow('/dags?limit=100', token)
    return { status: res.status, ids: res.status === 200 ? ((await res.json()) as { dags: { dag_id: string }[] }).dags.map((d) => d.dag_id).sort() : [] }
  }
  const authorizeEvents = (principal: string) => pair.app.audit.query({ type: 'airflow.authorize', principal, environment: pair.environment, limit: 1000 })
  const counts = (events: Awaited<ReturnType<typeof authorizeEvents>>, action: string) => events.reduce((sum, e) => {
    const c = (e.data as { counts: Record<string, { allowed: number; denied: number }> }).counts[action]
    return { allowed: sum.allowed + (c?.allowed ?? 0), denied: sum.denied + (c?.denied ?? 0) }
  }, { allowed: 0, denied: 0 })

  test('the handle has no admin: adminToken says so instead of asking /auth/token', async () => {
    assert.equal(pair.airflow.username, '')
    await assert.rejects(adminToken(pair.airflow), /no admin user.*Conductor auth manager/)
  })

  test('alice lists DAGs through Airflow\'s own API and sees exactly the ones policy lets her read; Conductor audits the questions', async () => {
    assert.deepEqual(await listDags(aliceToken), { status: 200, ids: ['etl_daily', 'payments_export'] }, 'etl_daily (team:data-eng) and payments_export (sensitive: data-eng may read it)')
    const reads = counts(await authorizeEvents('alice'), 'dag:read')
    assert.ok(reads.allowed >= 1, JSON.stringify(reads))
    assert.ok(reads.denied >= 1, JSON.stringify(reads))
  })

  test('bob (analysts) may read etl_daily but Airflow refuses his trigger (403), and no run is created', async () => {
    assert.equal((await airflow('/dags/etl_daily', bobToken)).status, 200)
    const res = await airflow('/dags/etl_daily/dagRuns', bobToken, { method: 'POST', body: JSON.stringify({ logical_date: null }) })
    assert.equal(res.status, 403, await res.text())
    assert.deepEqual(await pair.airflow.metadata!.query("SELECT run_id FROM dag_run WHERE dag_id = 'etl_daily' AND run_type = 'manual'"), [])
    assert.ok(counts(await authorizeEvents('bob'), 'dag:trigger').denied >= 1)
  })

  test('with Conductor gone, Airflow answers alice with nothing (fails closed)', async () => {
    await pair.stopConductor()
    await eventually(async () => {
      const answer = await listDags(aliceToken)
      if (answer.status !== 403 && !(answer.status === 200 && answer.ids.length === 0)) throw new Error(`still ${JSON.stringify(answer)}`)
      return true
    }, { what: 'Airflow to stop answering alice once Conductor is gone', timeoutMs: 30_000, intervalMs: 500 })
    // Airflow's log says why, and holds neither alice's token nor the manager's Conductor credential.
    const log = readFileSync(join(pair.airflow.home!, 'airflow.log'), 'utf8')
    assert.match(log, /Conductor auth manager: denying \d+ question\(s\) for alice: Conductor unreachable/)
    assert.equal(log.includes(aliceToken), false)
    assert.equal(log.includes(readFileSync(pair.tokenFile, 'utf8').trim()), false)
  })
})

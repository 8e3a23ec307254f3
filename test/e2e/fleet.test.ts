import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { adminToken, useAirflow, type AirflowHandle } from '../../harness/airflow.ts'
import { startTestApp } from '../../harness/app.ts'

// One Conductor in front of a real Airflow 3 and a real Airflow 2 at once: one catalog across both, with each
// environment's health, version, zone, tier and team, filters across them, and Airflow 3.2+'s allowed_run_types honoured.
describe('a fleet: one Conductor over a real Airflow 3 and a real Airflow 2', { timeout: 30 * 60_000, skip: process.env.CONDUCTOR_SKIP_AIRFLOW2 === '1' ? 'CONDUCTOR_SKIP_AIRFLOW2=1: the Airflow 2 tier is switched off' : false }, () => {
  let airflow3: AirflowHandle
  let airflow2: AirflowHandle
  let app: Awaited<ReturnType<typeof startTestApp>>
  let alice: string
  const dir = mkdtempSync(join(tmpdir(), 'conductor-e2e-fleet-'))

  before(async () => {
    airflow3 = await useAirflow()
    airflow2 = await useAirflow({ version: 2 })
    app = await startTestApp({
      databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
      environments: [
        { name: 'eu-airflow3', url: airflow3.url, username: airflow3.username, password: airflow3.password, zone: 'eu', settings: { tier: 'prod', team: 'payments' } },
        {
          name: 'us-airflow2', kind: 'airflow2', url: airflow2.url, username: airflow2.username, password: airflow2.password, credentials: { kind: 'basic' },
          zone: 'us', settings: { tier: 'dev', team: 'platform' },
        },
      ],
    })
    alice = await app.tokenFor('alice')
    await app.governance.catalog.syncAll()
  }, { timeout: 30 * 60_000 })
  after(async () => {
    await app?.close()
    await airflow3?.stop()
    await airflow2?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    app.server.inject({ method, url, headers: { authorization: `Bearer ${alice}` }, ...(payload ? { payload } : {}) })
  type Dag = { environment: string; dagId: string; team: string | null; allowedRunTypes: string[] | null }
  const dags = async (query = '') => (await call('GET', `/api/v1/dags${query}`)).json().dags as Dag[]

  test('the catalog shows both environments with health, version, zone, tier and team, and filters across them', async () => {
    const envs = (await call('GET', '/api/v1/environments')).json().environments as { name: string; kind: string; zone: string; tier: string; team: string; status: { reachable: boolean; version: string } }[]
    assert.deepEqual(envs.map((e) => [e.name, e.kind, e.zone, e.tier, e.team, e.status.reachable, e.status.version]), [
      ['eu-airflow3', 'airflow3', 'eu', 'prod', 'payments', true, airflow3.version],
      ['us-airflow2', 'airflow2', 'us', 'dev', 'platform', true, airflow2.version],
    ])
    assert.match(airflow3.version, /^3\./)
    assert.match(airflow2.version, /^2\./)

    const all = await dags()
    const operatorOnly = all.filter((d) => d.dagId === 'conductor_scheduled_only')
    assert.deepEqual(operatorOnly.map((d) => [d.environment, d.allowedRunTypes, d.team]), [
      ['eu-airflow3', ['backfill', 'scheduled'], null],
      ['us-airflow2', null, null],
    ], 'Airflow 3 reports the DAG\'s allowed_run_types; Airflow 2 has none (and neither reports a DAG\'s team through its REST API)')
    assert.ok(all.some((d) => d.environment === 'eu-airflow3') && all.some((d) => d.environment === 'us-airflow2'))

    const inZone = await dags('?zone=us')
    assert.ok(inZone.length > 0 && inZone.every((d) => d.environment === 'us-airflow2'))
    const ofTeam = await dags('?team=payments')
    assert.ok(ofTeam.length > 0 && ofTeam.every((d) => d.environment === 'eu-airflow3'))
    assert.deepEqual((await dags('?tag=test&zone=eu')).map((d) => d.dagId).includes('conductor_scheduled_only'), true)
    assert.deepEqual(await dags('?zone=eu&team=platform'), [])
  })

  test('a DAG whose allowed_run_types leave out manual is refused before Airflow 3 is asked (Airflow refuses it too); Airflow 2 runs its twin', async () => {
    const refused = await call('POST', '/api/v1/environments/eu-airflow3/dags/conductor_scheduled_only/runs', { conf: {} })
    assert.equal(refused.statusCode, 409, refused.body)
    assert.equal(refused.json().error.code, 'run_type_not_allowed')
    const requestId = refused.json().error.details.requestId as string
    const request = (await call('GET', `/api/v1/requests/${requestId}`)).json()
    assert.deepEqual([request.state, request.error.code], ['refused', 'run_type_not_allowed'])
    assert.deepEqual((await app.audit.query({ requestId })).map((e) => e.type), ['request.refused'])

    const token = await adminToken(airflow3)
    const runs = await (await fetch(`${airflow3.url}/api/v2/dags/conductor_scheduled_only/dagRuns`, { headers: { authorization: `Bearer ${token}` } })).json() as { dag_runs: unknown[] }
    assert.deepEqual(runs.dag_runs, [], 'nothing reached Airflow 3')
    // Airflow itself would have refused the manual run: Conductor's answer matches Airflow's rule.
    const direct = await fetch(`${airflow3.url}/api/v2/dags/conductor_scheduled_only/dagRuns`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ logical_date: null }),
    })
    assert.equal(direct.status, 400, await direct.text())

    const onAirflow2 = await call('POST', '/api/v1/environments/us-airflow2/dags/conductor_scheduled_only/runs', { conf: {} })
    assert.equal(onAirflow2.statusCode, 201, onAirflow2.body)
    assert.equal(onAirflow2.json().request.state, 'succeeded')
  })
})

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startTestApp } from '../../harness/app.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'

// The catalog across environments of different zones, tiers and teams, filtered by the API as the console filters it.
// Loopback stand-ins of Airflow 3 and 2; the real ones are in test/e2e/fleet.test.ts.
forEachEngine((engine) => {
  let database: TestDatabase
  let eu: StubAirflow
  let us: StubAirflow
  before(async () => {
    database = await engine.open()
    eu = await startStubAirflow([
      { dagId: 'etl_daily', tags: ['team:data-eng', 'pii'], owners: ['data-eng'], team: 'analytics', allowedRunTypes: ['scheduled'] },
      { dagId: 'etl_hourly', tags: ['team:data-eng'], owners: ['data-eng'] },
    ])
    us = await startStubAirflow([{ dagId: 'etl_legacy', tags: ['team:data-eng'], owners: ['data-eng'] }], { version: 2 })
  })
  after(async () => {
    await eu?.close()
    await us?.close()
    await database?.close()
  })

  test('GET /dags lists every environment\'s DAGs with team and run types, and filters by zone, tier, team and tag', async () => {
    const app = await startTestApp({
      databaseUrl: database.url,
      environments: [
        { name: 'eu-prod', url: eu.url, zone: 'eu', settings: { tier: 'prod', team: 'payments' } },
        { name: 'us-legacy', url: us.url, kind: 'airflow2', credentials: { kind: 'basic' }, zone: 'us', settings: { tier: 'dev', team: 'platform' } },
      ],
    })
    try {
      await app.governance.catalog.syncAll()
      const alice = await app.tokenFor('alice')
      const list = async (query: string) => {
        const res = await app.server.inject({ method: 'GET', url: `/api/v1/dags${query}`, headers: { authorization: `Bearer ${alice}` } })
        assert.equal(res.statusCode, 200, res.body)
        return res.json().dags as { environment: string; dagId: string; team: string | null; allowedRunTypes: string[] | null }[]
      }
      const ids = async (query: string) => (await list(query)).map((d) => `${d.environment}/${d.dagId}`)

      const all = await list('')
      assert.deepEqual(all.map((d) => [`${d.environment}/${d.dagId}`, d.team, d.allowedRunTypes]), [
        ['eu-prod/etl_daily', 'analytics', ['scheduled']],
        ['eu-prod/etl_hourly', null, null],
        ['us-legacy/etl_legacy', null, null],
      ])
      assert.deepEqual(await ids('?zone=eu'), ['eu-prod/etl_daily', 'eu-prod/etl_hourly'])
      assert.deepEqual(await ids('?tier=dev'), ['us-legacy/etl_legacy'])
      assert.deepEqual(await ids('?team=analytics'), ['eu-prod/etl_daily'], 'the DAG\'s own team in Airflow')
      assert.deepEqual(await ids('?team=payments'), ['eu-prod/etl_hourly'], 'else its environment\'s team')
      assert.deepEqual(await ids('?team=platform&zone=us'), ['us-legacy/etl_legacy'])
      assert.deepEqual(await ids('?tag=pii'), ['eu-prod/etl_daily'])
      assert.deepEqual(await ids('?zone=eu&team=platform'), [])
      const bad = await app.server.inject({ method: 'GET', url: '/api/v1/dags?zone=', headers: { authorization: `Bearer ${alice}` } })
      assert.equal(bad.statusCode, 400)
      assert.equal(bad.json().error.details.field, 'querystring.zone')

      const envs = (await app.server.inject({ method: 'GET', url: '/api/v1/environments', headers: { authorization: `Bearer ${alice}` } })).json().environments
      assert.deepEqual(envs.map((e: { name: string; zone: string; tier: string; team: string; status: { reachable: boolean; version: string } }) => [e.name, e.zone, e.tier, e.team, e.status.reachable, e.status.version]), [
        ['eu-prod', 'eu', 'prod', 'payments', true, '3-stub'],
        ['us-legacy', 'us', 'dev', 'platform', true, envs[1].status.version],
      ])
    } finally {
      await app.close()
    }
  })
})

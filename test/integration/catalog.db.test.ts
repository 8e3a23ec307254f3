import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startTestApp } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'

// The catalog's timing and bookkeeping, against a loopback stand-in whose DAG list the test can change.
// Syncing against the real Airflow is covered by test/e2e.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  const dags = [{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }]
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow(dags)
  })
  after(async () => {
    await stub?.close()
    await database?.close()
  })

  test('syncs at start and periodically: new DAGs appear, removed ones go, an outage is reported', async () => {
    const app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'local', url: stub.url }, { name: 'down', url: 'http://127.0.0.1:1', timeoutMs: 500, retries: 0 }],
      extraConfig: { catalog: { syncIntervalSeconds: 1 } }, app: { backgroundSync: true },
    })
    try {
      const bob = await app.tokenFor('bob')
      const list = async () => (await app.server.inject({ method: 'GET', url: '/api/v1/dags', headers: { authorization: `Bearer ${bob}` } })).json().dags.map((d: { dagId: string }) => d.dagId)
      await eventually(async () => (await list()).includes('etl_daily'), { what: 'etl_daily to be listed', timeoutMs: 15_000 })
      dags.push({ dagId: 'ml_train', tags: ['team:ml'], owners: ['ml'] })
      await eventually(async () => (await list()).includes('ml_train'), { what: 'the new DAG ml_train to be listed', timeoutMs: 15_000 })
      dags.shift()
      await eventually(async () => !(await list()).includes('etl_daily'), { what: 'the removed DAG etl_daily to go', timeoutMs: 15_000 })

      const envs = (await app.server.inject({ method: 'GET', url: '/api/v1/environments', headers: { authorization: `Bearer ${bob}` } })).json().environments
      const local = envs.find((e: { name: string }) => e.name === 'local')
      const down = envs.find((e: { name: string }) => e.name === 'down')
      assert.equal(local.status.reachable, true)
      assert.equal(local.status.version, '3-stub')
      assert.equal(local.status.dagCount, 1)
      assert.equal(down.status.reachable, false)
      assert.match(down.status.lastError, /orchestrator_unavailable|ECONNREFUSED|refused/i)
    } finally {
      await app.close()
    }
  })
})


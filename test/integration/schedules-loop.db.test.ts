import assert from 'node:assert/strict'
import { setTimeout as delay } from 'node:timers/promises'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { eventually } from '../../harness/poll.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { fixedClock } from '../../src/core/index.ts'

// The firing loop as it runs in production: every `governance.scheduleTickSeconds` on the replica holding the
// `schedules` lease, with nobody calling it. Time is pinned and moved by the test; the loop's ticks are real.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  const clock = fixedClock(Date.now())
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'prod', url: stub.url, retries: 0 }], app: { clock },
      extraConfig: { governance: { scheduleTickSeconds: 1 } },
    })
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
  })

  test('a due schedule fires by itself within a tick, once, on the replica holding the schedules lease', async () => {
    const res = await app.server.inject({
      method: 'POST', url: '/api/v1/schedules', headers: { authorization: `Bearer ${await app.tokenFor('alice')}` },
      payload: { environment: 'prod', dagId: 'etl_daily', intervalSeconds: 60 },
    })
    assert.equal(res.statusCode, 201, res.body)
    await delay(1500)
    assert.equal(stub.runs.get('etl_daily')?.length ?? 0, 0, 'not due yet')
    clock.advance(60_000)
    const runs = await eventually(() => stub.runs.get('etl_daily'), { what: 'the scheduled run', timeoutMs: 10_000 })
    assert.match(runs[0]!.note ?? '', /by User alice/)
    await delay(2500)
    assert.equal(stub.runs.get('etl_daily')!.length, 1, 'later ticks at the same time fire nothing more')
    assert.deepEqual((await app.leases.list()).filter((l) => l.name === 'schedules').map((l) => l.holder), [app.leases.holder])
  })
})

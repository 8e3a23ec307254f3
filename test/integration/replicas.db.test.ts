import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'

// Two Conductor apps on one database, as two replicas are: what one records, the other honours at once. The budget
// burst is PostgreSQL's (replicas share PostgreSQL; on SQLite one process holds the budget with its own lock).
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let a: Awaited<ReturnType<typeof startTestApp>>
  let b: Awaited<ReturnType<typeof startTestApp>>

  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    const options = { databaseUrl: database.url, environments: [{ name: 'local', url: stub.url, retries: 0, limits: { maxConcurrentWrites: 50, writesPerSecond: 1000 } }] }
    a = await startTestApp({ ...options, extraConfig: { replicas: { id: 'replica-a' } } })
    b = await startTestApp({ ...options, extraConfig: { replicas: { id: 'replica-b' } } })
    await a.governance.catalog.syncAll()
  })
  after(async () => {
    await b?.close()
    await a?.close()
    await stub?.close()
    await database?.close()
  })

  const call = (app: typeof a, method: 'GET' | 'POST', url: string, bearer: string, payload?: object) => app.server.inject({
    method, url, headers: { authorization: `Bearer ${bearer}` }, ...(payload ? { payload } : {}),
  })

  test('an agent made at one replica acts at the other, a token revoked at one is refused at the other, and the background leases have one holder', async () => {
    const alice = await a.tokenFor('alice')
    assert.equal((await call(a, 'POST', '/api/v1/service-accounts', alice, { name: 'helper-bot', kind: 'agent', owner: { type: 'User', id: 'alice' }, groups: ['data-eng'] })).statusCode, 201)
    const created = await call(a, 'POST', '/api/v1/service-accounts/helper-bot/tokens', alice, { name: 'mcp', expiresInDays: 1 })
    assert.equal(created.statusCode, 201, created.body)
    const { token, accessToken } = created.json() as { token: string; accessToken: { id: string } }
    assert.equal((await call(b, 'GET', '/api/v1/me', token)).statusCode, 200)
    assert.equal((await call(a, 'POST', `/api/v1/tokens/${accessToken.id}/revoke`, alice, { reason: 'rotated' })).statusCode, 200)
    assert.equal((await call(b, 'GET', '/api/v1/me', token)).statusCode, 401)

    const holders = (await b.leases.list()).map((l) => [l.name, l.holder])
    assert.ok(holders.length > 0)
    for (const [name, holder] of holders) assert.equal(holder, 'replica-a', `${name} is held by the replica that started first`)
  })

  test('agents\' budgets hold across replicas: 12 agents with 1 of 3 triggers left, 6 simultaneous triggers each spread over both replicas: exactly 1 more runs per agent', { skip: engine.name !== 'postgres' && 'replicas share PostgreSQL' }, async () => {
    const alice = await a.tokenFor('alice')
    const agents = Array.from({ length: 12 }, (_, i) => `burst-${i + 1}`)
    const trigger = (app: typeof a, token: string) => call(app, 'POST', '/api/v1/environments/local/dags/etl_daily/runs', token, {})
    const tokens: string[] = []
    for (const name of agents) {
      assert.equal((await call(a, 'POST', '/api/v1/service-accounts', alice, {
        name, kind: 'agent', owner: { type: 'User', id: 'alice' }, groups: ['data-eng'], budgets: [{ action: 'dag:trigger', max: 3, perHours: 1 }],
      })).statusCode, 201)
      const { token } = (await call(a, 'POST', `/api/v1/service-accounts/${name}/tokens`, alice, { name: 'burst', expiresInDays: 1 })).json() as { token: string }
      // Two spent one after the other, so the burst's first calls at each replica both meet the last slot.
      for (const app of [a, b]) assert.equal((await trigger(app, token)).statusCode, 201)
      tokens.push(token)
    }
    const answers = await Promise.all(tokens.map((token) => Promise.all(Array.from({ length: 6 }, (_, i) => trigger(i % 2 ? b : a, token)))))
    for (const [i, name] of agents.entries()) {
      const codes = answers[i]!.map((r) => (r.statusCode === 429 ? r.json().error.code : String(r.statusCode))).sort()
      assert.deepEqual(codes, ['201', ...Array(5).fill('budget_exceeded')], `${name}: ${answers[i]!.map((r) => r.body).join('\n')}`)
      assert.equal((await a.database.db.selectFrom('requests').select('id').where('principal_id', '=', name).execute()).length, 3)
    }
    assert.equal((stub.runs.get('etl_daily') ?? []).length, 36)
  })
})

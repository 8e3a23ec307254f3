import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { freePort, startTestApp, TEST_USERS } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'

// The auth manager's decision route and the `conductor_request` claim: an approved trigger of a `sensitive` DAG
// (policies/approvals.cedar) is let through Airflow's own door only for the request Conductor is dispatching, for its
// requester, its DAG and its action; on both engines, with the project's policies.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  const tokens: Record<string, string> = {}
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([
      { dagId: 'payroll', tags: ['sensitive'], owners: ['finance'] },
      { dagId: 'payments_export', tags: ['sensitive'], owners: ['finance'] },
      { dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] },
    ])
    const users = [...TEST_USERS, { username: 'airflow-am', name: 'Airflow auth manager', email: 'am@example.com', groups: ['airflow-auth-managers'] },
      { username: 'erin', name: 'Erin Example', email: 'erin@example.com', groups: ['data-eng'] }]
    app = await startTestApp({
      databaseUrl: database.url, port: await freePort(), environments: [{ name: 'local', url: stub.url, retries: 0 }, { name: 'other', url: stub.url, retries: 0 }],
      extraConfig: { identity: { audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users } } },
    })
    for (const user of ['alice', 'erin', 'dave', 'airflow-am']) tokens[user] = await app.tokenFor(user)
    // Conductor has seen alice and erin (the auth manager answers only for principals it knows) and synced the catalog.
    for (const user of ['alice', 'erin']) assert.equal((await call('GET', '/api/v1/environments', user)).statusCode, 200)
    for (const env of ['local', 'other']) await app.governance.catalog.syncEnvironment(env)
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
  })

  const call = (method: 'GET' | 'POST', url: string, user: string, payload?: unknown) => app.server.inject({
    method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload !== undefined ? { payload: payload as object } : {}),
  })
  const trigger = (dagId: string) => ({ resource: 'dag', method: 'POST', accessEntity: 'RUN', id: dagId })
  const ask = async (user: { id: string; request?: string }, questions: unknown[], env = 'local') => {
    const res = await call('POST', `/api/v1/airflow/${env}/authorize`, 'airflow-am', { user, questions })
    assert.equal(res.statusCode, 200, res.body)
    return (res.json() as { decisions: { allowed: boolean }[] }).decisions.map((d) => d.allowed)
  }
  /** A request of alice's waiting for a data lead, then put in `state` as Conductor's dispatch would. */
  const request = async (dagId: string, state: string) => {
    const res = await call('POST', `/api/v1/environments/local/dags/${dagId}/runs`, 'alice', { conf: { month: '2026-11' }, reason: 'month-end close' })
    assert.equal(res.statusCode, 202, res.body)
    const id = (res.json() as { request: { id: string } }).request.id
    await app.database.db.updateTable('requests').set({ state }).where('id', '=', id).execute()
    return id
  }

  test('without the claim, alice\'s trigger of a sensitive DAG is denied through Airflow (it needs approval); plain allows stay', async () => {
    assert.deepEqual(await ask({ id: 'alice' }, [trigger('payroll'), trigger('etl_daily'), { resource: 'dag', method: 'GET', id: 'payroll' }]), [false, true, true])
  })

  test('while her approved request is dispatching, the token naming it lets exactly that trigger through, and the decision is audited with it', async () => {
    const id = await request('payroll', 'dispatching')
    assert.deepEqual(await ask({ id: 'alice', request: id }, [trigger('payroll'), trigger('payments_export'), trigger('etl_daily'), { resource: 'dag', method: 'PUT', id: 'payroll' }]), [true, false, true, false],
      'its DAG and action only: not another sensitive DAG, nor pausing its DAG')
    const events = await app.audit.query({ type: 'airflow.authorize', principal: 'alice' })
    const event = events.at(-1)!
    assert.equal(event.requestId, id)
    assert.deepEqual(event.data.request, { id, dispatching: true, allowed: 1 })
  })

  test('the claim helps nobody else: another user, another environment, a finished, pending or unknown request', async () => {
    const dispatching = await request('payroll', 'dispatching')
    assert.deepEqual(await ask({ id: 'erin', request: dispatching }, [trigger('payroll')]), [false], 'erin is in data-eng too, but it is alice\'s request')
    assert.deepEqual(await ask({ id: 'alice', request: dispatching }, [trigger('payroll')], 'other'), [false], 'another environment')
    for (const state of ['succeeded', 'failed', 'pending', 'allowed']) {
      const id = await request('payroll', state)
      assert.deepEqual(await ask({ id: 'alice', request: id }, [trigger('payroll')]), [false], state)
    }
    assert.deepEqual(await ask({ id: 'alice', request: 'no-such-request' }, [trigger('payroll')]), [false])
    const res = await call('POST', '/api/v1/airflow/local/authorize', 'airflow-am', { user: { id: 'alice', request: 'no-such-request' }, questions: [trigger('payroll')] })
    assert.ok(!res.body.includes('not found') && !res.body.includes('no-such-request'), 'nothing about the request leaks')
  })

  test('a request that never needed approval (plain allow) carries no approval, so its claim changes nothing', async () => {
    const res = await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', 'alice', { conf: {} })
    assert.ok(res.statusCode < 300, res.body)
    const id = (res.json() as { request: { id: string } }).request.id
    await app.database.db.updateTable('requests').set({ state: 'dispatching' }).where('id', '=', id).execute()
    assert.deepEqual(await ask({ id: 'alice', request: id }, [trigger('etl_daily'), trigger('payroll')]), [true, false])
  })

  test('a malformed claim is refused at the edge with the field at fault', async () => {
    const res = await call('POST', '/api/v1/airflow/local/authorize', 'airflow-am', { user: { id: 'alice', request: '' }, questions: [] })
    assert.equal(res.statusCode, 400)
    assert.match(res.body, /request/)
  })
})

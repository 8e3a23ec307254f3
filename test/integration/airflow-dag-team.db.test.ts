import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { startTestApp, TEST_USERS } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'

// A DAG's team in Airflow's multi-team mode: Airflow 3.3's REST API does not return it, but its auth manager's
// questions do (`DagDetails.team_name`). The team decides that question, and the catalog remembers it, so Conductor's
// own API decides by it too. The project's policies, plus one that lets data-eng run its team's DAGs by team alone.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let policies: string
  const tokens: Record<string, string> = {}
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'team_report', tags: [], owners: ['airflow'] }])
    policies = mkdtempSync(join(tmpdir(), 'conductor-team-policies-'))
    cpSync(join(import.meta.dirname, '..', '..', 'policies'), policies, { recursive: true })
    writeFileSync(join(policies, 'airflow-teams.cedar'), [
      '@id("airflow-team-data-eng")',
      'permit(principal in Group::"data-eng", action in [Action::"dag:read", Action::"dag:trigger"], resource)',
      'when { resource has team && resource.team == "data-eng" };',
    ].join('\n'))
    const users = [...TEST_USERS, { username: 'airflow-am', name: 'Airflow auth manager', email: 'am@example.com', groups: ['airflow-auth-managers'] }]
    app = await startTestApp({
      databaseUrl: database.url, policyFolder: policies, environments: [{ name: 'local', url: stub.url, retries: 0 }],
      extraConfig: { identity: { audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users } } },
    })
    for (const user of ['alice', 'airflow-am']) tokens[user] = await app.tokenFor(user)
    assert.equal((await call('GET', '/api/v1/environments', 'alice')).statusCode, 200)
    await app.governance.catalog.syncEnvironment('local')
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
    if (policies) rmSync(policies, { recursive: true, force: true })
  })

  const call = (method: 'GET' | 'POST', url: string, user: string, payload?: unknown) => app.server.inject({
    method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload !== undefined ? { payload: payload as object } : {}),
  })
  const ask = async (team: string | null | undefined) => {
    const question = { resource: 'dag', method: 'POST', accessEntity: 'RUN', id: 'team_report', ...(team !== undefined ? { team } : {}) }
    const res = await call('POST', '/api/v1/airflow/local/authorize', 'airflow-am', { user: { id: 'alice' }, questions: [question] })
    assert.equal(res.statusCode, 200, res.body)
    return (res.json() as { decisions: { allowed: boolean; policyIds: string[] }[] }).decisions[0]!
  }
  const triggerThroughConductor = async () => (await call('POST', '/api/v1/environments/local/dags/team_report/runs', 'alice', {})).statusCode

  test('the team Airflow names for a DAG decides its question, and Conductor\'s own API decides by it from then on', async () => {
    assert.equal((await ask(undefined)).allowed, false, 'no team known: nothing lets alice run an untagged DAG')
    assert.equal(await triggerThroughConductor(), 403)

    const asked = await ask('data-eng')
    assert.deepEqual([asked.allowed, asked.policyIds], [true, ['airflow-team-data-eng']], 'Airflow says the DAG is data-eng\'s')
    assert.equal(await triggerThroughConductor(), 201, 'the catalog remembers the team for Conductor\'s own decisions')
    await app.governance.catalog.syncEnvironment('local')
    assert.equal(await triggerThroughConductor(), 201, 'a sync whose REST answer names no team keeps it')
    const dag = await call('GET', '/api/v1/environments/local/dags/team_report', 'alice')
    assert.equal((dag.json() as { team: string | null }).team, 'data-eng')

    assert.equal((await ask(null)).allowed, false, 'Airflow says it has no team (any more)')
    assert.equal(await triggerThroughConductor(), 403, 'and Conductor forgets it')
  })

  test('a team is a string of at most 250 characters', async () => {
    const res = await call('POST', '/api/v1/airflow/local/authorize', 'airflow-am', { user: { id: 'alice' }, questions: [{ resource: 'dag', method: 'GET', id: 'team_report', team: 42 }] })
    assert.equal(res.statusCode, 400, res.body)
    assert.match(JSON.stringify(res.json().error.details), /team/)
  })
})

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { useAirflow, type AirflowHandle, type AirflowMajor } from '../../harness/airflow.ts'
import { startTestApp, TEST_USERS } from '../../harness/app.ts'

// Airflow's REST API through Conductor against a real Airflow 3 (/api/v2) and then a real Airflow 2 (/api/v1),
// one at a time: list DAGs, trigger once per Idempotency-Key, clear, and variables for a platform admin only.
const ADMIN = { username: 'dana', name: 'Dana Admin', email: 'dana@example.com', groups: ['platform-admins'] }

for (const major of [3, 2] as const satisfies readonly AirflowMajor[]) {
  describe(`Airflow's REST API through Conductor, against a real Airflow ${major}`, { timeout: 25 * 60_000 }, () => {
    let airflow: AirflowHandle
    let app: Awaited<ReturnType<typeof startTestApp>>
    let alice: string, bob: string, dana: string
    const dir = mkdtempSync(join(tmpdir(), 'conductor-e2e-proxy-'))
    const api = `/airflow/local/api/${major === 3 ? 'v2' : 'v1'}`
    const suffix = randomBytes(4).toString('hex')

    before(async () => {
      airflow = await useAirflow({ version: major })
      app = await startTestApp({
        databaseUrl: `sqlite:${join(dir, 'conductor.db')}`,
        environments: [{ name: 'local', kind: major === 3 ? 'airflow3' : 'airflow2', url: airflow.url, username: airflow.username, password: airflow.password, timeoutMs: 30_000 }],
        extraConfig: { identity: { audience: 'conductor', devIssuer: { enabled: true, host: '127.0.0.1', port: 0, users: [...TEST_USERS, ADMIN] } } },
      })
      const [status] = await app.governance.catalog.syncAll()
      assert.equal(status!.reachable, 1, `Airflow ${major} is reachable through Conductor`)
      alice = await app.tokenFor('alice')
      bob = await app.tokenFor('bob')
      dana = await app.tokenFor('dana')
    }, { timeout: 25 * 60_000 })
    after(async () => {
      await app?.close()
      await airflow?.stop()
      rmSync(dir, { recursive: true, force: true })
    })

    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, token: string, payload?: object, headers: Record<string, string> = {}) =>
      app.server.inject({ method, url: `${api}${path}`, headers: { authorization: `Bearer ${token}`, ...headers }, ...(payload ? { payload } : {}) })
    const runIds = async () => ((await call('GET', '/dags/etl_daily/dagRuns?limit=100', alice)).json().dag_runs as { dag_run_id: string }[]).map((r) => r.dag_run_id)

    test('lists only the DAGs the caller may read, from the real Airflow', async () => {
      const answer = await call('GET', '/dags', alice)
      assert.equal(answer.statusCode, 200, answer.body)
      const ids = (answer.json().dags as { dag_id: string }[]).map((d) => d.dag_id)
      assert.ok(ids.includes('etl_daily'), ids.join(', '))
      assert.ok(!ids.includes('ml_train'), 'ml_train is not alice\'s to read')
    })

    test('a trigger retried with the same Idempotency-Key starts one run in Airflow; the run is cleared through Conductor', async () => {
      const before = await runIds()
      const key = { 'idempotency-key': `e2e-${suffix}` }
      const body = major === 3 ? { logical_date: null, conf: { rows: 2 } } : { conf: { rows: 2 } }
      const first = await call('POST', '/dags/etl_daily/dagRuns', alice, body, key)
      assert.equal(first.statusCode, 200, first.body)
      const retry = await call('POST', '/dags/etl_daily/dagRuns', alice, body, key)
      assert.equal(retry.headers['idempotency-replayed'], 'true')
      assert.equal(retry.json().dag_run_id, first.json().dag_run_id)
      const after = await runIds()
      assert.equal(after.length, before.length + 1, 'one new run in Airflow')
      assert.ok(after.includes(first.json().dag_run_id))
      assert.equal((await call('POST', '/dags/etl_daily/dagRuns', bob, body)).statusCode, 403, 'analysts trigger nothing')

      const runId = first.json().dag_run_id as string
      const dry = await call('POST', `/dags/etl_daily/dagRuns/${runId}/clear`, alice, {})
      assert.equal(dry.statusCode, 200, dry.body)
      const tasks = (dry.json().task_instances as { task_id: string; dag_run_id: string }[])
      assert.ok(tasks.length > 0 && tasks.every((t) => t.dag_run_id === runId), dry.body)
      assert.equal((await call('POST', `/dags/etl_daily/dagRuns/${runId}/clear`, bob, { dry_run: false })).statusCode, 403)
      const cleared = await call('POST', `/dags/etl_daily/dagRuns/${runId}/clear`, alice, { dry_run: false })
      assert.equal(cleared.statusCode, 200, cleared.body)
      assert.equal(cleared.json().dag_run_id, runId)
      const request = await app.database.db.selectFrom('requests').selectAll().where('action', '=', 'dag:rerun').where('run_id', '=', runId).where('state', '=', 'succeeded').execute()
      assert.equal(request.filter((r) => !JSON.parse(r.input).dryRun).length, 1, 'the clear is a dag:rerun in the ledger')
    })

    test('a platform admin creates, reads and deletes a variable in Airflow; an analyst is refused and nothing reaches Airflow', async () => {
      const key = `conductor_e2e_${suffix}`
      const created = await call('POST', '/variables', dana, { key, value: 'eu-west-1', description: 'region' })
      assert.equal(created.statusCode, major === 3 ? 201 : 200, created.body)
      const read = await call('GET', `/variables/${key}`, dana)
      assert.equal(read.statusCode, 200, read.body)
      assert.equal(read.json().value, 'eu-west-1')
      assert.ok((await call('GET', '/variables?limit=100', dana)).json().variables.some((v: { key: string }) => v.key === key))

      assert.equal((await call('GET', `/variables/${key}`, bob)).statusCode, 403)
      assert.deepEqual((await call('GET', '/variables', bob)).json().variables, [])
      assert.equal((await call('POST', '/variables', bob, { key: `${key}_bob`, value: 'x' })).statusCode, 403)
      assert.equal((await call('GET', `/variables/${key}_bob`, dana)).statusCode, 404, 'the refused create never reached Airflow')

      assert.equal((await call('DELETE', `/variables/${key}`, dana)).statusCode, 204)
      assert.equal((await call('GET', `/variables/${key}`, dana)).statusCode, 404)
      const audited = (await app.audit.query({ limit: 500 })).filter((e) => e.type === 'airflow.proxy.write' && e.data.name === key)
      assert.deepEqual(audited.map((e) => [e.data.operation, e.data.outcome]), [['create', 'succeeded'], ['delete', 'succeeded']])
      assert.ok(!JSON.stringify(audited).includes('eu-west-1'), 'no variable value in the audit trail')
    })
  })
}

import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { loadConfig, type Config } from '../../src/config/index.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startTestApp } from '../../harness/app.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'

// Environments come and go by config reload, without a restart: a real Conductor over loopback stand-ins of Airflow
// (one per environment), its config file rewritten between reloads.
forEachEngine((engine) => {
  let database: TestDatabase
  let alpha: StubAirflow
  let beta: StubAirflow
  before(async () => {
    database = await engine.open()
    alpha = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    beta = await startStubAirflow([{ dagId: 'etl_hourly', tags: ['team:data-eng'], owners: ['data-eng'] }])
  })
  after(async () => {
    await alpha?.close()
    await beta?.close()
    await database?.close()
  })

  test('a reload adds and removes environments at once; the removed one answers 404 but its requests and audit stay readable; a bad config changes nothing', async () => {
    let file = ''
    const app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'alpha', url: alpha.url }],
      app: { loadConfig: () => loadConfig(file) },
    })
    file = join(app.dir, 'conductor.yaml')
    // The running config with other environments, written as the file an operator edits (JSON is YAML).
    const writeConfig = (environments: unknown[], more: Record<string, unknown> = {}) => writeFileSync(file, JSON.stringify({ ...plain(app.config), environments, ...more }))
    const environment = (name: string, url: string, zone: string) => ({
      name, kind: 'airflow3', url, zone, tier: 'dev', team: 'platform', credentials: { provider: 'files', secret: `airflow-${name}` }, timeoutMs: 10_000, retries: 1,
    })
    writeFileSync(join(app.dir, 'secrets', 'airflow-beta'), JSON.stringify({ username: 'conductor', password: 'unused' }))
    try {
      const alice = await app.tokenFor('alice')
      const get = async (url: string) => app.server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${alice}` } })
      const dagIds = async () => (await get('/api/v1/dags')).json().dags.map((d: { environment: string; dagId: string }) => `${d.environment}/${d.dagId}`)
      const envNames = async () => (await get('/api/v1/environments')).json().environments.map((e: { name: string }) => e.name)
      await app.governance.catalog.syncAll()
      const triggered = await app.server.inject({ method: 'POST', url: '/api/v1/environments/alpha/dags/etl_daily/runs', headers: { authorization: `Bearer ${alice}` }, payload: { conf: {} } })
      assert.equal(triggered.statusCode, 201, triggered.body)
      const oldRequest = triggered.json().request.id as string
      assert.deepEqual(await dagIds(), ['alpha/etl_daily'])

      writeConfig([environment('beta', beta.url, 'eu')])
      const swapped = await app.reloadConfig()
      assert.deepEqual(swapped, { ok: true, added: ['beta'], changed: [], removed: ['alpha'], restartNeeded: [] })
      assert.deepEqual(await envNames(), ['beta'])
      assert.deepEqual(await dagIds(), ['beta/etl_hourly'], 'the new environment is synced at once; the removed one\'s DAGs are no longer listed')
      const scraped = (await app.metrics!.scrape()).body
      assert.match(scraped, /conductor_environment_reachable\{environment="beta"\} 1/)
      assert.doesNotMatch(scraped, /^conductor_(environment_reachable|catalog_sync_age_seconds)\{environment="alpha"/m, 'the removed environment leaves the gauges (its past calls stay counted)')
      const gone = await app.server.inject({ method: 'POST', url: '/api/v1/environments/alpha/dags/etl_daily/runs', headers: { authorization: `Bearer ${alice}` }, payload: { conf: {} } })
      assert.equal(gone.statusCode, 404)
      assert.equal(gone.json().error.code, 'environment_not_found')
      assert.equal(alpha.runs.get('etl_daily')?.length, 1, 'nothing more reached the removed environment\'s Airflow')
      const old = await get(`/api/v1/requests/${oldRequest}`)
      assert.equal(old.statusCode, 200, old.body)
      assert.deepEqual([old.json().environment, old.json().dagId, old.json().state], ['alpha', 'etl_daily', 'succeeded'])
      assert.ok((await app.audit.query({ requestId: oldRequest })).length > 0, 'the removed environment\'s audit stays')
      const [changedEvent] = await app.audit.query({ type: 'config.environments_changed' })
      assert.deepEqual(changedEvent?.data, { added: ['beta'], changed: [], removed: ['alpha'], restartNeeded: [] })
      const onBeta = await app.server.inject({ method: 'POST', url: '/api/v1/environments/beta/dags/etl_hourly/runs', headers: { authorization: `Bearer ${alice}` }, payload: { conf: {} } })
      assert.equal(onBeta.statusCode, 201, onBeta.body)
      assert.equal(beta.runs.get('etl_hourly')?.length, 1)
      // `conductor secrets check` lists the secrets of the environments in force now.
      const carol = await app.tokenFor('carol')
      const secretsNow = await app.server.inject({ method: 'GET', url: '/api/v1/secrets/status', headers: { authorization: `Bearer ${carol}` } })
      assert.equal(secretsNow.statusCode, 200, secretsNow.body)
      const environmentSecrets = (secretsNow.json().secrets as { usedBy: string; secret: string }[]).filter((r) => r.usedBy.startsWith('environment '))
      assert.deepEqual(environmentSecrets.map((r) => [r.usedBy, r.secret]), [['environment beta', 'airflow-beta']])

      // A bad config (a URL that is none) is refused with its path, audited, and changes nothing.
      writeConfig([environment('beta', 'not a url', 'eu'), environment('gamma', alpha.url, 'us')])
      const refused = await app.reloadConfig()
      assert.equal(refused.ok, false)
      assert.ok(!refused.ok && refused.error.code === 'config_invalid' && refused.error.path === 'environments[0].url', JSON.stringify(refused))
      const [failed] = await app.audit.query({ type: 'config.reload_failed' })
      assert.equal((failed?.data.error as { path: string }).path, 'environments[0].url')
      assert.deepEqual(await envNames(), ['beta'])
      assert.deepEqual(await dagIds(), ['beta/etl_hourly'])

      // A changed environment gets its new settings (here its zone) at once; a changed server section waits for a restart, and says so.
      writeConfig([environment('beta', beta.url, 'pci')], { server: { ...plain(app.config).server as object, bodyLimitBytes: 2048 } })
      assert.deepEqual(await app.reloadConfig(), { ok: true, added: [], changed: ['beta'], removed: [], restartNeeded: ['server'] })
      assert.equal(app.config.server.bodyLimitBytes, 1_048_576)
      assert.equal((await get('/api/v1/environments')).json().environments[0].zone, 'pci')
    } finally {
      await app.close()
    }
  })
})

/** The config as plain data (it is deeply frozen). */
function plain(config: Config): Record<string, unknown> {
  return JSON.parse(JSON.stringify(config)) as Record<string, unknown>
}

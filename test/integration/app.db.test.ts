import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, before, test } from 'node:test'
import { pino } from 'pino'
import { isConductorError } from '../../src/core/index.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startTestApp } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'

const root = new URL('../..', import.meta.url).pathname

forEachEngine((engine) => {
  let database: TestDatabase
  let dir: string
  before(async () => {
    database = await engine.open()
    dir = mkdtempSync(join(tmpdir(), 'conductor-app-test-'))
  })
  after(async () => {
    await database?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('a bad policy file fails start-up naming the file and line', async () => {
    const folder = join(dir, 'bad-policies')
    cpSync(join(root, 'policies'), folder, { recursive: true })
    writeFileSync(join(folder, 'broken.cedar'), '// a comment\n\npermit (principal, action, resource)\nwhen { resource.nonsense == };\n')
    await assert.rejects(
      startTestApp({ databaseUrl: database.url, environments: [], policyFolder: folder }),
      (error) => isConductorError(error, 'policy_invalid') && error.details?.file === 'broken.cedar' && error.details?.line === 4,
    )
  })

  test('policy reload: a bad change is refused, kept out and audited; a good one takes effect', async () => {
    const folder = join(dir, 'policies')
    cpSync(join(root, 'policies'), folder, { recursive: true })
    const app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'local', url: 'http://127.0.0.1:1' }],
      extraConfig: { policy: { folder, reloadIntervalSeconds: 1 } },
    })
    try {
      const bob = await app.tokenFor('bob')
      await app.governance.catalog.remember('local', { dagId: 'etl_daily', description: null, tags: ['team:data-eng'], owners: ['data-eng'], paused: false, schedule: null })
      const ask = async () => (await app.server.inject({ method: 'POST', url: '/api/v1/authorize', headers: { authorization: `Bearer ${bob}` }, payload: { action: 'dag:trigger', environment: 'local', dag: 'etl_daily' } })).json()
      assert.equal((await ask()).decision, 'deny')
      const version = app.policy.current().version

      writeFileSync(join(folder, 'analysts-trigger.cedar'), '@id("analysts-trigger")\npermit (principal in Group::"analysts", action == Action::"dag:trigger", resource) when { resource.nosuchattr == 1 };\n')
      const refused = await eventually(async () => (await app.audit.query({ type: 'policy.reload_failed' }))[0], { what: 'the bad policy file to be refused' })
      assert.equal((refused.data.error as { file: string }).file, 'analysts-trigger.cedar')
      assert.equal(app.policy.current().version, version, 'the old set stays')
      assert.equal((await ask()).decision, 'deny')

      writeFileSync(join(folder, 'analysts-trigger.cedar'), '@id("analysts-trigger")\npermit (principal in Group::"analysts", action == Action::"dag:trigger", resource);\n')
      await eventually(() => app.policy.current().version > version, { what: 'the fixed policy set to load' })
      const allowed = await ask()
      assert.equal(allowed.decision, 'allow')
      assert.deepEqual(allowed.policyIds, ['analysts-trigger'])
      const loads = await app.audit.query({ type: 'policy.loaded' })
      assert.equal(loads.length, 2, 'start-up and the good reload')
    } finally {
      await app.close()
    }
  })

  test('logs carry request ids and principals but never a token or an Airflow password', async () => {
    let logged = ''
    const sink = new Writable({ write(chunk, _enc, done) { logged += chunk; done() } })
    const app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'local', url: 'http://127.0.0.1:1', password: 'hunter2-airflow-secret', timeoutMs: 1000, retries: 0 }],
      app: { logger: pino({ level: 'debug' }, sink) },
    })
    try {
      const alice = await app.tokenFor('alice')
      await app.governance.catalog.remember('local', { dagId: 'etl_daily', description: null, tags: ['team:data-eng'], owners: ['data-eng'], paused: false, schedule: null })
      await app.server.inject({ method: 'POST', url: '/api/v1/environments/local/dags/etl_daily/runs', headers: { authorization: `Bearer ${alice}`, 'x-request-id': 'log-check-1' }, payload: { conf: {} } })
      await app.server.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${alice}x` } })
      await app.governance.catalog.syncAll()
    } finally {
      await app.close()
    }
    assert.match(logged, /log-check-1/)
    assert.match(logged, /User:alice/)
    assert.ok(!logged.includes('hunter2-airflow-secret'), 'no Airflow password in the log')
    assert.ok(!/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/.test(logged), 'no JWT in the log')
  })
})


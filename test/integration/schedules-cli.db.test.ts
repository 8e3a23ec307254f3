import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { conductor } from '../support/cli.ts'

/** The CLI's exit codes (docs/cli.md): success, a refusal by policy or by Conductor, bad input. */
const EXIT = { ok: 0, invalid: 2, denied: 3 } as const

// Owned schedules from the command line, against a real Conductor and a stub Airflow: alice creates, lists, shows,
// suspends and resumes her schedule; she may not hand it over, dave may (to bob only if bob could trigger it); findings.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let url = ''
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([
      { dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'], schedule: '0 2 * * *' },
      { dagId: 'ml_train', tags: ['team:ml'], owners: ['ml'], schedule: '@daily' },
    ])
    app = await startTestApp({ databaseUrl: database.url, environments: [{ name: 'prod', url: stub.url, retries: 0 }], extraConfig: { governance: { scheduleTickSeconds: 0 } } })
    await app.governance.catalog.syncAll()
    url = await app.listen()
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
  })

  const as = async (user: string, args: string[]) => conductor(['--server', url, '--token', await app.tokenFor(user), ...args], { CONDUCTOR_CONFIG_DIR: app.dir })

  test('conductor schedules create|list|show|suspend|resume|transfer|delete|findings', async () => {
    const bad = await as('alice', ['schedules', 'create', 'prod/etl_daily', '--cron', '0 2 * * *', '--timezone', 'Atlantis/Capital'])
    assert.equal(bad.code, EXIT.invalid, bad.stderr)
    assert.match(bad.stderr, /timezone/)

    const created = await as('alice', ['schedules', 'create', 'prod/etl_daily', '--cron', '0 2 * * *', '--timezone', 'Europe/Paris', '--conf', '{"full":true}', '-d', 'nightly'])
    assert.equal(created.code, EXIT.ok, created.stderr)
    const id = /^created schedule (\S+): prod\/etl_daily 0 2 \* \* \* \(Europe\/Paris\) as User:alice; next \S+$/m.exec(created.stdout)?.[1]
    assert.ok(id, created.stdout)

    const list = await as('alice', ['schedules', 'list'])
    assert.equal(list.code, EXIT.ok, list.stderr)
    assert.match(list.stdout, /^SCHEDULE +DAG +OWNER +WHEN +STATE/m)
    assert.match(list.stdout, new RegExp(`^${id} +prod/etl_daily +User:alice +0 2 \\* \\* \\* .* +active`, 'm'))
    assert.equal((await as('bob', ['schedules', 'list'])).stdout.trim(), 'no schedules', 'bob may not see alice\'s schedule')

    const show = await as('alice', ['schedules', 'show', id])
    assert.match(show.stdout, /^owner: +User:alice$/m)
    assert.match(show.stdout, /^when: +0 2 \* \* \* \(Europe\/Paris\)$/m)
    assert.match(show.stdout, /^conf: +\{"full":true\}$/m)

    assert.match((await as('alice', ['schedules', 'suspend', id])).stdout, new RegExp(`^schedule ${id} suspended$`, 'm'))
    assert.match((await as('alice', ['schedules', 'resume', id])).stdout, new RegExp(`^schedule ${id} active; next \\S+$`, 'm'))

    const byAlice = await as('alice', ['schedules', 'transfer', id, '--to', 'user:bob'])
    assert.equal(byAlice.code, EXIT.denied)
    assert.match(byAlice.stderr, /policy_denied/)
    const toBob = await as('dave', ['schedules', 'transfer', id, '--to', 'user:bob'])
    assert.equal(toBob.code, EXIT.denied)
    assert.match(toBob.stderr, /schedule_owner_not_allowed/)

    const findings = await as('bob', ['schedules', 'findings'])
    assert.equal(findings.code, EXIT.ok, findings.stderr)
    assert.match(findings.stdout, /^prod\/ml_train +@daily +ml$/m)
    assert.doesNotMatch(findings.stdout, /etl_daily/, 'alice\'s schedule owns etl_daily')

    assert.equal((await as('alice', ['schedules', 'delete', id])).stdout.trim(), `deleted schedule ${id}`)
    assert.equal((await as('alice', ['schedules', 'show', id])).code, 4)
  })
})

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { conductor } from '../support/cli.ts'

/** The CLI's exit codes (docs/cli.md): success, a refusal by policy or by Conductor, bad input, not found. */
const EXIT = { ok: 0, invalid: 2, denied: 3, notFound: 4 } as const

// Cross-deployment links from the command line, against a real Conductor and two stub Airflows: alice links a
// staging DAG to a prod DAG, a staging run succeeds, the firing shows in `links firings`; bob may not link to it.
forEachEngine((engine) => {
  let database: TestDatabase
  let staging: StubAirflow
  let prod: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let url = ''
  before(async () => {
    database = await engine.open()
    staging = await startStubAirflow([{ dagId: 'extract_orders', tags: ['team:data-eng'], owners: ['data-eng'] }], { assets: ['s3://data-eng/orders/ready', 's3://data-eng/reports/daily'] })
    prod = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }], { version: 2 })
    app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'prod', url: prod.url, kind: 'airflow2' as const, retries: 0 }, { name: 'staging', url: staging.url, retries: 0 }],
      extraConfig: { governance: { scheduleTickSeconds: 0, linkPollSeconds: 0 } },
    })
    await app.governance.catalog.syncAll()
    url = await app.listen()
  })
  after(async () => {
    await app?.close()
    await prod?.close()
    await staging?.close()
    await database?.close()
  })

  const as = async (user: string, args: string[]) => conductor(['--server', url, '--token', await app.tokenFor(user), ...args], { CONDUCTOR_CONFIG_DIR: app.dir })

  test('conductor links create|list|show|firings|suspend|resume|delete', async () => {
    const bad = await as('alice', ['links', 'create', 'staging/extract_orders', 'prod/etl_daily', '--conf', '{"x":"{{source.secret}}"}'])
    assert.equal(bad.code, EXIT.invalid, bad.stderr)
    assert.match(bad.stderr, /confTemplate/)
    const bob = await as('bob', ['links', 'create', 'staging/extract_orders', 'prod/etl_daily'])
    assert.equal(bob.code, EXIT.denied, bob.stderr)
    assert.match(bob.stderr, /link_owner_not_allowed/)

    const created = await as('alice', ['links', 'create', 'staging/extract_orders', 'prod/etl_daily', '--conf', '{"upstream":"{{source.run_id}}"}', '-d', 'orders feed'])
    assert.equal(created.code, EXIT.ok, created.stderr)
    const id = /^created link (\S+): staging\/extract_orders → prod\/etl_daily as User:alice$/m.exec(created.stdout)?.[1]
    assert.ok(id, created.stdout)

    const list = await as('alice', ['links', 'list'])
    assert.match(list.stdout, /^LINK +SOURCE → TARGET +OWNER +STATE/m)
    assert.match(list.stdout, new RegExp(`^${id} +staging/\\S+ +User:alice +active`, 'm'), 'at 80 columns the source → target is cut, never the id')
    assert.equal((await as('bob', ['links', 'list'])).stdout.trim(), 'no links', 'bob may not see alice\'s link')

    staging.runs.set('extract_orders', [{ dag_run_id: 'manual__1', conf: {}, note: null, state: 'success', end_date: new Date(Date.now() + 1000).toISOString() }])
    assert.equal((await app.links.poll()).fired, 1)
    assert.deepEqual(prod.runs.get('etl_daily')?.map((r) => r.conf), [{ upstream: 'manual__1' }], 'the Airflow 2 target got the conf filled in')
    const firings = await as('alice', ['links', 'firings', id])
    assert.equal(firings.code, EXIT.ok, firings.stderr)
    assert.match(firings.stdout, /^\S.* +fired +manual__1 /m)
    const show = await as('alice', ['links', 'show', id])
    assert.match(show.stdout, /^owner: +User:alice$/m)
    assert.match(show.stdout, /^firing: +\S+ fired source run manual__1 request \S+$/m)

    assert.match((await as('alice', ['links', 'suspend', id])).stdout, new RegExp(`^link ${id} suspended \\(suspended_by_user\\)$`, 'm'))
    assert.match((await as('alice', ['links', 'resume', id])).stdout, new RegExp(`^link ${id} active$`, 'm'))
    assert.equal((await as('alice', ['links', 'delete', id])).stdout.trim(), `deleted link ${id}`)
    assert.equal((await as('alice', ['links', 'show', id])).code, EXIT.notFound)
  })

  test('conductor links create --source-asset / --target-asset: asset ends as ENV/URI', async () => {
    const usage = await as('alice', ['links', 'create', 'staging/extract_orders'])
    assert.notEqual(usage.code, EXIT.ok)
    assert.match(usage.stderr, /give a source .* and a target/)
    const airflow2 = await as('alice', ['links', 'create', '--source-asset', 'prod/s3://data-eng/orders/ready', 'staging/extract_orders'])
    assert.equal(airflow2.code, EXIT.invalid, airflow2.stderr)
    assert.match(airflow2.stderr, /assets_not_supported: .*Airflow 2/)

    const fromAsset = await as('alice', ['links', 'create', '--source-asset', 'staging/s3://data-eng/orders/ready', 'prod/etl_daily', '--conf', '{"event":"{{source.event_id}}"}'])
    assert.equal(fromAsset.code, EXIT.ok, fromAsset.stderr)
    const id = /^created link (\S+): staging asset s3:\/\/data-eng\/orders\/ready → prod\/etl_daily as User:alice$/m.exec(fromAsset.stdout)?.[1]
    assert.ok(id, fromAsset.stdout)
    const toAsset = await as('alice', ['links', 'create', 'staging/extract_orders', '--target-asset', 'staging/s3://data-eng/reports/daily'])
    assert.equal(toAsset.code, EXIT.ok, toAsset.stderr)
    assert.match(toAsset.stdout, /^created link \S+: staging\/extract_orders → staging asset s3:\/\/data-eng\/reports\/daily as User:alice$/m)

    const event = staging.addAssetEvent('s3://data-eng/orders/ready', { timestamp: new Date(Date.now() + 1000).toISOString() })
    assert.equal((await app.links.poll()).fired, 1)
    assert.ok(prod.runs.get('etl_daily')?.some((r) => JSON.stringify(r.conf) === JSON.stringify({ event: String(event.id) })), 'the target got the event id')
    const firings = await as('alice', ['links', 'firings', id])
    assert.match(firings.stdout, new RegExp(`^\\S.* +fired +asset event ${event.id} `, 'm'))
    assert.match((await as('alice', ['links', 'show', id])).stdout, new RegExp(`^source: +staging asset s3://data-eng/orders/ready$`, 'm'))
  })
})

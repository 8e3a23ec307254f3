import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { conductor } from '../support/cli.ts'

/** The CLI's exit codes (docs/cli.md): success, a refusal, bad input, not found, a conflict. */
const EXIT = { ok: 0, invalid: 2, denied: 3, notFound: 4 } as const

// Access reviews from the command line, against a real Conductor and a stub Airflow: carol (auditors) starts a
// campaign over the data-eng DAGs, dave (data-leads) certifies and revokes, which completes it; the finding shows.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let url = ''
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }, { dagId: 'train_model', tags: ['team:ml'], owners: ['ml'] }])
    app = await startTestApp({ databaseUrl: database.url, environments: [{ name: 'local', url: stub.url, retries: 0 }] })
    await app.governance.catalog.syncAll()
    url = await app.listen()
    // Conductor learns of a principal (and its groups) when it signs in.
    for (const user of ['alice', 'carol', 'dave']) assert.equal((await fetch(`${url}/api/v1/environments`, { headers: { authorization: `Bearer ${await app.tokenFor(user)}` } })).status, 200)
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
  })

  const as = async (user: string, args: string[]) => conductor(['--server', url, '--token', await app.tokenFor(user), ...args], { CONDUCTOR_CONFIG_DIR: app.dir })

  test('conductor reviews start|list|show|items|certify|revoke|findings|cancel', async () => {
    const refused = await as('alice', ['reviews', 'start', '--name', 'nope', '--due', '14d'])
    assert.equal(refused.code, EXIT.denied, refused.stderr)
    const started = await as('carol', ['reviews', 'start', '--name', 'Q4 data-eng', '--due', '14d', '--env', 'local', '--tag', 'team:data-eng'])
    assert.equal(started.code, EXIT.ok, started.stderr)
    const id = /^started campaign (\S+) "Q4 data-eng": (\d+) items, due /m.exec(started.stdout)?.[1]
    assert.ok(id, started.stdout)

    const list = await as('carol', ['reviews', 'list'])
    assert.match(list.stdout, new RegExp(`${id}\\s+Q4 data-eng\\s+open`))
    const show = await as('carol', ['reviews', 'show', id])
    assert.match(show.stdout, /scope:\s+environments local; tags team:data-eng/)

    const mine = await as('dave', ['reviews', 'items', id, '--pending', '--mine', '-o', 'json'])
    assert.equal(mine.code, EXIT.ok, mine.stderr)
    const items = (JSON.parse(mine.stdout) as { items: { id: string; principal: { id: string }; action: string }[] }).items
    const alice = items.filter((i) => i.principal.id === 'alice')
    const trigger = alice.find((i) => i.action === 'dag:trigger')!
    const reads = alice.filter((i) => i.action !== 'dag:trigger').map((i) => i.id)
    assert.ok(trigger && reads.length > 0)

    const noComment = await as('dave', ['reviews', 'revoke', id, trigger.id])
    assert.equal(noComment.code, EXIT.invalid, 'a revoke needs --comment')
    const certified = await as('dave', ['reviews', 'certify', id, ...reads, '--comment', 'still on the team'])
    assert.equal(certified.code, EXIT.ok, certified.stderr)
    assert.match(certified.stdout, new RegExp(`^certified ${reads.length} items; campaign open`, 'm'))
    const unknown = await as('dave', ['reviews', 'certify', id, 'no-such-item'])
    assert.equal(unknown.code, EXIT.notFound, unknown.stderr)
    assert.match(unknown.stderr, /review_item_not_found/)
    assert.equal(items.length, reads.length + 1, 'dave reviews every item of this campaign')
    const revoked = await as('dave', ['reviews', 'revoke', id, trigger.id, '--comment', 'moved to ML'])
    assert.equal(revoked.code, EXIT.ok, revoked.stderr)
    assert.match(revoked.stdout, new RegExp(`^revoked 1 item; campaign completed: 0 pending, ${reads.length} certified, 1 revoked`, 'm'), 'the last decision completes the campaign')

    const findings = await as('carol', ['reviews', 'findings', '--open'])
    assert.match(findings.stdout, /User:alice\s+dag:trig.*\s+open$/m)
    const json = JSON.parse((await as('carol', ['reviews', 'findings', '-o', 'json'])).stdout) as { findings: { source: { groups: string[]; policies: string[] } }[] }
    assert.deepEqual(json.findings[0]!.source.groups, ['data-eng'])
    assert.deepEqual(json.findings[0]!.source.policies, ['data-eng-operate'])
    const table = await as('carol', ['reviews', 'items', id])
    assert.match(table.stdout, /User:alice\s+dag:trig.*\s+revoked/)

    const completed = (await app.audit.query({ type: 'review.campaign_completed' })).at(-1)!
    assert.deepEqual((completed.data as { counts: unknown }).counts, { certified: reads.length, revoked: 1, undecided: 0 })
    const again = await as('carol', ['reviews', 'cancel', id])
    assert.notEqual(again.code, EXIT.ok)
    assert.match(again.stderr, /campaign_closed/)
  })
})

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { conductor } from '../support/cli.ts'

/** The CLI's exit codes (docs/cli.md): success, a refusal, and an authentication failure. */
const EXIT = { ok: 0, usage: 2, denied: 3, unauthenticated: 6 } as const

// Service accounts and tokens from the command line, against a real Conductor: alice (data-eng) creates an account and an
// agent, mints a token, the token works through $CONDUCTOR_TOKEN, and is revoked.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let url = ''
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    app = await startTestApp({ databaseUrl: database.url, environments: [{ name: 'local', url: stub.url, retries: 0 }] })
    await app.governance.catalog.syncAll()
    url = await app.listen()
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
  })

  const as = async (user: string, args: string[]) => conductor(['--server', url, '--token', await app.tokenFor(user), ...args], { CONDUCTOR_CONFIG_DIR: app.dir })
  const withToken = (token: string, args: string[]) => conductor(['--server', url, ...args], { CONDUCTOR_CONFIG_DIR: app.dir, CONDUCTOR_TOKEN: token })

  test('conductor service-accounts create/list/show/disable/enable/delete, and an agent with a budget', async () => {
    const created = await as('alice', ['service-accounts', 'create', 'etl-ci', '--owner', 'group:data-eng', '--group', 'data-eng', '--description', 'CI of the ETL repo'])
    assert.equal(created.code, EXIT.ok, created.stderr)
    assert.equal(created.stdout.trim(), 'created service account etl-ci, owner group:data-eng')
    const agent = await as('alice', ['sa', 'create', 'etl-bot', '--owner', 'user:alice', '--agent', '--tool', 'list_dags', '--budget', 'dag:trigger=20/1h'])
    assert.equal(agent.code, EXIT.ok, agent.stderr)
    assert.equal(agent.stdout.trim(), 'created agent etl-bot (sponsor alice), owner user:alice')
    const badBudget = await as('alice', ['sa', 'create', 'x', '--owner', 'user:alice', '--agent', '--budget', 'dag:trigger=20'])
    assert.equal(badBudget.code, EXIT.usage)
    assert.match(badBudget.stderr, /ACTION=MAX\/HOURSh/)

    const list = await as('alice', ['service-accounts', 'list'])
    assert.equal(list.code, EXIT.ok, list.stderr)
    assert.match(list.stdout, /^NAME +KIND +STATE +OWNER/m)
    assert.match(list.stdout, /^etl-bot +agent +active +user:alice/m)
    assert.match(list.stdout, /^etl-ci +service +active +group:data-eng/m)
    assert.equal((await as('bob', ['service-accounts', 'list'])).stdout.trim(), 'no service accounts')

    const show = await as('alice', ['service-accounts', 'show', 'etl-bot'])
    assert.match(show.stdout, /^sponsor: +alice$/m)
    assert.match(show.stdout, /^budgets: +dag:trigger=20\/1h$/m)

    const outsider = await as('bob', ['service-accounts', 'disable', 'etl-ci', '--reason', 'mine'])
    assert.equal(outsider.code, EXIT.denied, outsider.stderr)
    assert.equal((await as('alice', ['service-accounts', 'disable', 'etl-ci', '--reason', 'rotation'])).stdout.trim(), 'disabled etl-ci')
    assert.equal((await as('alice', ['service-accounts', 'enable', 'etl-ci'])).stdout.trim(), 'enabled etl-ci')
    assert.equal((await as('alice', ['service-accounts', 'delete', 'etl-bot'])).stdout.trim(), 'deleted etl-bot')
  })

  test('conductor service-accounts token prints the token once on stdout; it works as $CONDUCTOR_TOKEN; conductor tokens revoke stops it', async () => {
    const minted = await as('alice', ['service-accounts', 'token', 'etl-ci', '--name', 'ci', '--expires', '30d', '--action', 'dag:read', '--action', 'environment:read'])
    assert.equal(minted.code, EXIT.ok, minted.stderr)
    const token = minted.stdout.trim()
    assert.match(token, /^cdt_[a-z0-9]+_[A-Za-z0-9_-]{43}$/)
    assert.match(minted.stderr, /shown once/)
    assert.match(minted.stderr, /scope: actions dag:read,environment:read/)

    const dags = await withToken(token, ['dags'])
    assert.equal(dags.code, EXIT.ok, dags.stderr)
    assert.match(dags.stdout, /etl_daily/)
    const listed = await as('alice', ['service-accounts', 'tokens', 'etl-ci'])
    assert.match(listed.stdout, /^ID +NAME +STATE +EXPIRES UTC/m)
    assert.ok(!listed.stdout.includes(token.split('_').slice(2).join('_')), 'never the secret')
    const id = token.split('_')[1]!
    assert.match(listed.stdout, new RegExp(`^${id} +ci +active`, 'm'))

    const personal = await as('alice', ['tokens', 'create', '--name', 'laptop', '--expires', '7'])
    assert.equal(personal.code, EXIT.ok, personal.stderr)
    assert.match((await as('alice', ['tokens', 'list'])).stdout, /^\S+ +laptop +active/m)
    const nested = await withToken(personal.stdout.trim(), ['tokens', 'create', '--name', 'again', '--expires', '1'])
    assert.equal(nested.code, EXIT.denied)
    assert.match(nested.stderr, /credential_not_interactive/)

    const revoked = await as('alice', ['tokens', 'revoke', id, '--reason', 'rotated'])
    assert.equal(revoked.code, EXIT.ok, revoked.stderr)
    assert.equal(revoked.stdout.trim(), `revoked token ${id} (ci of ServiceAccount etl-ci)`)
    const refused = await withToken(token, ['dags'])
    assert.equal(refused.code, EXIT.unauthenticated)
    assert.match(refused.stderr, /token_revoked/)
  })
})

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { eventually } from '../../harness/poll.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { conductor } from '../support/cli.ts'

/** The CLI's exit codes (docs/cli.md): success, and a refusal by policy or by Conductor. */
const EXIT = { ok: 0, denied: 3 } as const

// Grants from the command line, against a real Conductor: bob asks and waits, dave approves, bob lists and revokes.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let url = ''
  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'etl_daily', tags: [], owners: ['data-eng'] }])
    app = await startTestApp({ databaseUrl: database.url, environments: [{ name: 'prod', url: stub.url, retries: 0, settings: { tier: 'prod' } }] })
    url = await app.listen()
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
  })

  const as = async (user: string, args: string[]) => conductor(['--server', url, '--token', await app.tokenFor(user), ...args], { CONDUCTOR_CONFIG_DIR: app.dir })

  test('conductor grant request --wait waits for dave; conductor grants shows the time left; conductor grant revoke ends it', async () => {
    const waiting = as('bob', ['grant', 'request', 'jit-prod-rerun', '--hours', '2', '--reason', 'incident 4411', '--wait', '--interval', '1'])
    const dave = await app.tokenFor('dave')
    const pending = await eventually(async () => {
      const res = await app.server.inject({ method: 'GET', url: '/api/v1/requests?toApprove=true', headers: { authorization: `Bearer ${dave}` } })
      return (res.json().requests as { id: string; action: string }[]).find((r) => r.action === 'grant:request')
    }, { timeoutMs: 20_000, what: 'bob\'s grant request waiting for dave' })
    const approve = await as('dave', ['approve', pending.id])
    assert.equal(approve.code, EXIT.ok, approve.stderr)

    const asked = await waiting
    assert.equal(asked.code, EXIT.ok, asked.stderr)
    assert.match(asked.stderr, new RegExp(`waiting for approval: request ${pending.id} needs 1 of data-leads`))
    assert.match(asked.stdout, new RegExp(`^granted: jit-prod-rerun until \\S+ \\S+ UTC \\((1h 59m|2h 0m) left\\), grant ${pending.id}$`, 'm'))

    const list = await as('bob', ['grants'])
    assert.equal(list.code, EXIT.ok, list.stderr)
    assert.match(list.stdout, /^GRANT +GROUP +STATE +LEFT/m)
    assert.match(list.stdout, new RegExp(`^${pending.id} +jit-prod-rerun +active +(1h 59m|2h 0m)`, 'm'))

    const stranger = await as('alice', ['grant', 'revoke', pending.id])
    assert.equal(stranger.code, EXIT.denied)
    assert.match(stranger.stderr, /grant_revoke_not_allowed/)
    const revoke = await as('bob', ['grant', 'revoke', pending.id, '--reason', 'incident closed'])
    assert.equal(revoke.code, EXIT.ok, revoke.stderr)
    assert.equal(revoke.stdout.trim(), `revoked grant ${pending.id} (jit-prod-rerun of bob)`)
    assert.equal((await as('bob', ['grants'])).stdout.trim(), 'no active grants')
    assert.match((await as('bob', ['grants', '--all'])).stdout, new RegExp(`^${pending.id} +jit-prod-rerun +revoked +-$`, 'm'))
  })

  test('a refused ask exits 3 with the reason; one without a reason names the field', async () => {
    const refused = await as('carol', ['grant', 'request', 'jit-prod-rerun', '--hours', '1', '--reason', 'audit'])
    assert.equal(refused.code, EXIT.denied)
    assert.match(refused.stderr, /policy_denied/)
    const noReason = await as('bob', ['grant', 'request', 'jit-prod-rerun', '--hours', '1'])
    assert.equal(noReason.code, 2, noReason.stderr)
    assert.match(noReason.stderr, /reason_required/)
  })
})

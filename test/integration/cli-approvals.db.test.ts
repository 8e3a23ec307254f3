import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { forEachEngine } from '../../harness/databases.ts'
import { useApprovalsApp } from './approvals-support.ts'
import { conductor } from '../support/cli.ts'

/** The CLI's exit codes (docs/cli.md): success, and a refusal by policy or by Conductor. */
const EXIT = { ok: 0, denied: 3 } as const

// The approval flow from the command line: alice's trigger of a sensitive DAG waits, dave sees it and approves it.
forEachEngine((engine) => {
  const f = useApprovalsApp(engine)
  let url = ''
  before(async () => { url = await f.app.listen() })

  const as = async (user: string, args: string[]) => conductor(['--server', url, '--token', await f.app.tokenFor(user), ...args], { CONDUCTOR_CONFIG_DIR: f.app.dir })

  test('conductor trigger waits for approval; conductor requests --to-approve lists it for dave; approve refuses alice and runs it for dave', async () => {
    const trigger = await as('alice', ['trigger', 'local/payroll', '--reason', 'month-end', '--conf', '{"month":"2026-11"}'])
    assert.equal(trigger.code, EXIT.ok, trigger.stderr)
    const id = /request (\S+) needs 1 of data-leads/.exec(trigger.stdout)?.[1]
    assert.ok(id, trigger.stdout)

    const inbox = await as('dave', ['requests', '--to-approve'])
    assert.equal(inbox.code, EXIT.ok, inbox.stderr)
    // 80 columns without a terminal: the request id is never cut; the target and what it waits for may be.
    assert.match(inbox.stdout, new RegExp(`^${id} +pending +alice +local/payro\\S* +1 of data`, 'm'))
    const json = await as('dave', ['requests', '--to-approve', '--output', 'json'])
    assert.deepEqual(JSON.parse(json.stdout).requests.map((r: { id: string; approval: { groups: unknown } }) => [r.id, r.approval.groups]), [[id, [{ group: 'data-leads', count: 1 }]]])

    const self = await as('alice', ['approve', id])
    assert.equal(self.code, EXIT.denied)
    assert.match(self.stderr, /approval_self/)

    const approve = await as('dave', ['approve', id, '--comment', 'checked'])
    assert.equal(approve.code, EXIT.ok, approve.stderr)
    assert.match(approve.stdout, new RegExp(`approved request ${id} \\(dag:trigger local/payroll by alice\\): now succeeded; run conductor__${id}`))
    assert.equal(f.stub.runs.get('payroll')?.length, 1)

    const mine = await as('alice', ['requests', '--pending'])
    assert.ok(!mine.stdout.includes(id), 'no longer pending')
  })
})

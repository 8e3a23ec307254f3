import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Kysely } from 'kysely'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startTestApp } from '../../harness/app.ts'
import type { PolicyImpactView } from '../../contract/api-types.ts'
import type { GovernanceTables } from '../../src/governance/index.ts'
import { conductor } from '../support/cli.ts'

const root = new URL('../..', import.meta.url).pathname
const BOB_TRIGGERS = '@id("bob-triggers-etl")\npermit (principal in Group::"analysts", action == Action::"dag:trigger", resource) when { resource.dagId == "etl_daily" };\n'

// The impact of a proposed policy change through the real server, on each database engine: who gains and who loses
// what over the catalog and the principals seen, who may ask, and `conductor policy diff` / `conductor policy test`.
forEachEngine((engine) => {
  let database: TestDatabase
  let app: Awaited<ReturnType<typeof startTestApp>>
  let base: string
  const tokens: Record<string, string> = {}
  const impact = (who: string, body: unknown) => fetch(`${base}/api/v1/policies/impact`, {
    method: 'POST', headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  })

  before(async () => {
    database = await engine.open()
    app = await startTestApp({ databaseUrl: database.url, environments: [{ name: 'local', url: 'http://127.0.0.1:1' }] })
    base = await app.listen()
    const db = app.database.db as unknown as Kysely<GovernanceTables>
    const row = (dagId: string, tags: string[]) => ({
      environment: 'local', dag_id: dagId, description: null, tags: JSON.stringify(tags), owners: '["airflow"]', paused: 0, schedule: null, synced_at: new Date().toISOString(), team: null, allowed_run_types: null,
    })
    await db.insertInto('catalog_dags').values([row('etl_daily', ['team:data-eng']), row('etl_hourly', ['team:data-eng']), row('train', ['team:ml'])]).execute()
    for (const user of ['alice', 'bob', 'carol']) {
      tokens[user] = await app.tokenFor(user)
      // Conductor learns of a principal (and its groups) when it signs in.
      assert.equal((await fetch(`${base}/api/v1/policies`, { headers: { authorization: `Bearer ${tokens[user]}` } })).status, 200)
    }
  })
  after(async () => {
    await app?.close()
    await database?.close()
  })

  test('a file that grants bob trigger on etl_daily shows bob gaining dag:trigger on it, and nothing else changing', async () => {
    const res = await impact('carol', { files: { 'bob.cedar': BOB_TRIGGERS } })
    assert.equal(res.status, 200)
    const body = await res.json() as PolicyImpactView
    assert.deepEqual(body.principals.map((p) => [p.id, p.groups, p.actions.map((a) => [a.action, a.gains.map((g) => `${g.environment}/${g.dagId}`), a.losses.length])]), [
      ['bob', ['analysts'], [['dag:trigger', ['local/etl_daily'], 0]]],
    ])
    assert.deepEqual(body.principals[0]!.actions[0]!.gains[0]!.after, ['bob-triggers-etl'])
    assert.equal(body.counts.gains, 1)
    const events = await app.audit.query({ type: 'policy.impact_computed' })
    assert.ok(events.some((e) => e.principal === 'carol'))
    assert.ok(!JSON.stringify(events).includes('permit ('), 'the audit trail keeps no policy text')
  })

  test('removing a policy file shows the losses, with the policy that decided before', async () => {
    const res = await impact('carol', { files: { 'data-eng.cedar': '' } })
    assert.equal(res.status, 200)
    const body = await res.json() as PolicyImpactView
    const alice = body.principals.find((p) => p.id === 'alice')!
    const trigger = alice.actions.find((a) => a.action === 'dag:trigger')!
    assert.deepEqual(trigger.losses.map((t) => t.dagId), ['etl_daily', 'etl_hourly'])
    assert.deepEqual(trigger.losses[0]!.before, ['data-eng-operate'])
    assert.equal(body.counts.gains, 0)
    assert.ok(body.counts.losses >= 2 * 6)
  })

  test('a policy that does not validate is a 400 naming the file and line; a bad file name is a 400 naming the field', async () => {
    const res = await impact('carol', { files: { 'broken.cedar': '// new\npermit (principal, action == Action::"dag:fly", resource);\n' } })
    assert.equal(res.status, 400)
    const { error } = await res.json() as { error: { code: string; details: { file: string; line: number } } }
    assert.equal(error.code, 'policy_invalid')
    assert.equal(error.details.file, 'broken.cedar')
    assert.equal(error.details.line, 2)
    const named = await impact('carol', { files: { '../etc.cedar': '' } })
    assert.equal(named.status, 400)
    assert.equal((await named.json() as { error: { code: string } }).error.code, 'invalid_input')
  })

  test('someone with neither policy:write nor audit:read is refused (403) and nothing is computed', async () => {
    const before = (await app.audit.query({ type: 'policy.impact_computed' })).length
    const res = await impact('alice', { files: { 'bob.cedar': BOB_TRIGGERS } })
    assert.equal(res.status, 403)
    assert.equal((await res.json() as { error: { code: string } }).error.code, 'policy_denied')
    assert.equal((await app.audit.query({ type: 'policy.impact_computed' })).length, before)
  })

  test('conductor policy diff FOLDER prints the gains and losses; -o json is the API answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conductor-policy-diff-'))
    try {
      // The proposed folder: the project's policies without ml.cedar, plus bob.cedar.
      const { readdirSync, readFileSync } = await import('node:fs')
      for (const f of readdirSync(join(root, 'policies')).filter((n) => n.endsWith('.cedar') && n !== 'ml.cedar')) writeFileSync(join(dir, f), readFileSync(join(root, 'policies', f)))
      writeFileSync(join(dir, 'bob.cedar'), BOB_TRIGGERS)
      const text = await conductor(['--server', base, '--token', tokens.carol!, 'policy', 'diff', dir])
      assert.equal(text.code, 0, text.stderr)
      assert.match(text.stdout, /^bob \(User; analysts\)$/m)
      assert.match(text.stdout, /^ {2}\+ dag:trigger on local\/etl_daily {2}\(default deny → bob-triggers-etl\)$/m)
      assert.match(text.stdout, /1 gain, 0 losses for 1 principal/)
      const json = await conductor(['--server', base, '--token', tokens.carol!, 'policy', 'diff', dir, '-o', 'json'])
      assert.equal((JSON.parse(json.stdout) as PolicyImpactView).counts.gains, 1)
      const denied = await conductor(['--server', base, '--token', tokens.alice!, 'policy', 'diff', dir])
      assert.equal(denied.code, 3)
      assert.match(denied.stderr, /policy_denied/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

test('conductor policy test: a failing case fails the command with what differed; a schema error names file, case and field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conductor-policy-test-'))
  try {
    writeFileSync(join(dir, 'cases.yaml'), [
      '- name: data-eng triggers its DAG', '  principal: { id: bob, groups: [data-eng] }', '  action: dag:trigger', '  environment: { name: local }', '  dag: { id: etl_daily, tags: [team:data-eng] }', '  expect: allow',
      '- name: analysts trigger', '  principal: { id: alice, groups: [analysts] }', '  action: dag:trigger', '  environment: { name: local }', '  dag: { id: etl_daily, tags: [team:data-eng] }', '  expect: allow',
    ].join('\n'))
    const run = await conductor(['policy', 'test', '--folder', join(root, 'policies'), join(dir, 'cases.yaml')])
    assert.equal(run.code, 1)
    assert.match(run.stdout, /^PASS {2}.*cases\.yaml: data-eng triggers its DAG$/m)
    assert.match(run.stdout, /^FAIL {2}.*cases\.yaml: analysts trigger\n {8}expected allow, got deny$/m)
    assert.match(run.stdout, /2 cases: 1 passed, 1 failed/)
    const demo = await conductor(['policy', 'test', '--folder', join(root, 'policies')])
    assert.equal(demo.code, 0, demo.stdout)
    writeFileSync(join(dir, 'bad.yaml'), '- name: typo\n  principal: { id: bob }\n  action: dag:trigger\n  expect: alow\n')
    const bad = await conductor(['policy', 'test', '--folder', join(root, 'policies'), join(dir, 'bad.yaml')])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /invalid_input: .*bad\.yaml: case "typo" \(1\): expect:/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

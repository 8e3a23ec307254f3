import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { startTestApp } from '../../harness/app.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startStubAirflow, type StubAirflow } from '../../harness/stub-airflow.ts'
import { conductor } from '../support/cli.ts'

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const CHROMIUM = existsSync('/usr/bin/chromium')

interface Row { [key: string]: string | number | boolean | null }
interface Control { id: string; sections: { kind: string; summary: Row; rows: Row[] }[] }
interface Access { policy: { hash: string }; classes: { principals: { id: string }[]; entries: { action: string; environment: string | null; dagIds: string[] | null }[] }[] }

// An auditor's evidence: real activity (sign-ins, an allowed and a denied trigger, an approval, a SCIM deprovisioning,
// a policy reload with a change), exported as a bundle through the API and CLI, and verified offline.
forEachEngine((engine) => {
  let database: TestDatabase
  let stub: StubAirflow
  let app: Awaited<ReturnType<typeof startTestApp>>
  let url: string
  let scimToken: string
  let beforeChange: string
  let start: string
  const tokens: Record<string, string> = {}
  const work = mkdtempSync(join(tmpdir(), 'conductor-evidence-'))
  const policies = join(work, 'policies')
  cpSync(new URL('../../policies', import.meta.url).pathname, policies, { recursive: true })
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()

  before(async () => {
    database = await engine.open()
    stub = await startStubAirflow([{ dagId: 'payroll', tags: ['sensitive'], owners: ['finance'] }, { dagId: 'etl_daily', tags: ['team:data-eng'], owners: ['data-eng'] }])
    app = await startTestApp({
      databaseUrl: database.url, environments: [{ name: 'local', url: stub.url, retries: 0 }], policyFolder: policies, scim: { enabled: true }, secrets: { 'audit-key': pem },
      extraConfig: { policy: { folder: policies, reloadIntervalSeconds: 1 }, audit: { checkpoints: { key: { provider: 'files', secret: 'audit-key' }, intervalSeconds: 0 } } },
    })
    url = await app.listen()
    start = new Date(Date.now() - 1000).toISOString()
    await app.governance.catalog.syncAll()
    for (const user of ['alice', 'bob', 'carol', 'dave']) tokens[user] = await app.tokenFor(user)
    scimToken = (await app.scim!.tokens.create('okta')).token
  })
  after(async () => {
    await app?.close()
    await stub?.close()
    await database?.close()
    rmSync(work, { recursive: true, force: true })
  })

  const call = (method: 'GET' | 'POST', path: string, user: string, payload?: object) => app.server.inject({ method, url: path, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload ? { payload } : {}) })
  const scim = (method: string, path: string, body: unknown) => app.server.inject({
    method: method as 'POST', url: `/scim/v2${path}`, headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' }, payload: JSON.stringify(body),
  })
  const cli = (user: string, args: string[]) => conductor(['--server', url, '--token', tokens[user]!, ...args], { CONDUCTOR_CONFIG_DIR: app.dir })
  const canTrigger = (access: Access, who: string) => access.classes.some((c) => c.principals.some((p) => p.id === who) && c.entries.some((e) => e.action === 'dag:trigger' && (e.dagIds ?? []).includes('etl_daily')))
  const versions = async () => (await app.database.db.selectFrom('policy_versions' as never).select('hash' as never).execute()).length

  test('activity is recorded; access as of a moment before a policy change differs from after it', async () => {
    for (const user of ['alice', 'bob', 'carol', 'dave']) assert.equal((await call('GET', '/api/v1/me', user)).statusCode, 200)
    assert.equal((await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', 'alice', { conf: {} })).statusCode < 300, true)
    assert.equal((await call('POST', '/api/v1/environments/local/dags/etl_daily/runs', 'bob', { conf: {} })).statusCode, 403)
    const pending = await call('POST', '/api/v1/environments/local/dags/payroll/runs', 'alice', { conf: {}, reason: 'month-end' })
    assert.equal(pending.statusCode, 202, pending.body)
    const approve = await call('POST', `/api/v1/requests/${(pending.json() as { request: { id: string } }).request.id}/approve`, 'dave', { comment: 'looks right' })
    assert.equal(approve.statusCode < 300, true, approve.body)
    // The IdP takes alice away: provisioned, then deactivated.
    const user = await scim('POST', '/Users', { schemas: [SCIM_USER], userName: 'alice', active: true })
    assert.equal(user.statusCode, 201, user.body)
    const off = await scim('PATCH', `/Users/${(user.json() as { id: string }).id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] })
    assert.equal(off.statusCode, 200, off.body)

    assert.equal(await versions(), 1)
    await new Promise((resolve) => setTimeout(resolve, 20))
    beforeChange = new Date().toISOString()
    await new Promise((resolve) => setTimeout(resolve, 20))
    writeFileSync(join(policies, 'analysts-trigger.cedar'), `@id("analysts-trigger-etl")
permit (principal in Group::"analysts", action == Action::"dag:trigger", resource) when { resource.tags.contains("team:data-eng") };
`)
    for (let i = 0; i < 100 && await versions() < 2; i++) await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(await versions(), 2, 'the watcher records the reloaded policy set')

    const then = await call('GET', `/api/v1/compliance/access?asOf=${encodeURIComponent(beforeChange)}`, 'carol')
    assert.equal(then.statusCode, 200, then.body)
    const now = await call('GET', '/api/v1/compliance/access', 'carol')
    assert.equal(now.statusCode, 200, now.body)
    assert.equal(canTrigger(then.json() as Access, 'bob'), false)
    assert.equal(canTrigger(now.json() as Access, 'bob'), true)
    assert.notEqual((then.json() as Access).policy.hash, (now.json() as Access).policy.hash)
    // alice was deactivated before the change: she is in neither.
    assert.equal(canTrigger(then.json() as Access, 'alice'), false)

    const printed = await cli('carol', ['access', '--as-of', beforeChange])
    assert.equal(printed.code, 0, printed.stderr)
    assert.match(printed.stdout, /access as of .*policy version/)
    const early = await call('GET', '/api/v1/compliance/access?asOf=2000-01-01T00:00:00Z', 'carol')
    assert.equal(early.statusCode, 400)
    assert.equal(early.json().error.code, 'history_unavailable')
    assert.ok(early.json().error.details.earliest)
    assert.equal((await call('GET', '/api/v1/compliance/access', 'bob')).statusCode, 403)
  })

  test('conductor evidence export writes a bundle whose controls hold the facts, and verify passes', async () => {
    const out = join(work, 'bundle')
    const to = new Date(Date.now() + 60_000).toISOString()
    const exported = await cli('carol', ['evidence', 'export', '--from', start, '--to', to, '--out', out])
    assert.equal(exported.code, 0, exported.stderr)
    const control = (id: string) => JSON.parse(readFileSync(join(out, 'controls', `${id}.json`), 'utf8')) as Control
    const section = (id: string, kind: string) => control(id).sections.find((s) => s.kind === kind)!

    const deprovisioning = section('CC6.3', 'deprovisioning')
    const alice = deprovisioning.rows.find((r) => r.principal === 'alice' && r.idpEvent === 'scim_deactivated_or_deleted')
    assert.ok(alice, JSON.stringify(deprovisioning.rows))
    assert.equal(typeof alice.seconds, 'number')
    assert.ok((alice.seconds as number) >= 0 && alice.revokedAt !== null)
    assert.equal(deprovisioning.summary.maxSeconds !== null, true)
    assert.match(readFileSync(join(out, 'controls', 'CC6.3.csv'), 'utf8'), /^deprovisioning,.*,alice,.*scim_deactivated_or_deleted,[^,]+,[^,]+,[\d.]+,/m)

    const diffs = section('CC8.1', 'policy_versions').rows
    const added = diffs.find((r) => r.file === 'analysts-trigger.cedar')
    assert.ok(added, JSON.stringify(diffs.map((r) => r.file)))
    assert.equal(added.change, 'added')
    assert.match(String(added.diff), /\+permit \(principal in Group::"analysts"/)

    const approvals = section('CC6.2', 'approvals').rows
    assert.ok(approvals.some((r) => r.outcome === 'request.approved' && r.approver === 'dave' && r.requester === 'alice'))
    const denied = section('CC7.2', 'denied_attempts').rows
    assert.ok(denied.some((r) => r.principal === 'bob' && r.action === 'dag:trigger' && r.dag === 'etl_daily'))
    assert.equal(section('A.8.15', 'audit_integrity').summary.chainOk, true)
    const privileged = section('A.8.2', 'privileged_access').rows
    assert.ok(privileged.some((r) => r.principal === 'carol' && r.action === 'audit:read'))
    for (const id of ['CC6.1', 'CC6.2', 'CC6.3', 'CC7.2', 'CC8.1', 'A.5.15', 'A.5.16', 'A.5.17', 'A.5.18', 'A.8.2', 'A.8.15']) {
      assert.ok(existsSync(join(out, 'controls', `${id}.json`)) && existsSync(join(out, 'controls', `${id}.csv`)), id)
    }
    const html = readFileSync(join(out, 'summary.html'), 'utf8')
    assert.match(html, /CC6\.3/)
    assert.doesNotMatch(html, /<script|src="http|href="http/)
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { pdf: { rendered: boolean; reason: string | null }; checkpoint: { seq: number }; generatedBy: { id: string } }
    assert.equal(manifest.generatedBy.id, 'carol')
    if (CHROMIUM) {
      assert.equal(manifest.pdf.rendered, true, manifest.pdf.reason ?? '')
      assert.equal(readFileSync(join(out, 'summary.pdf')).subarray(0, 4).toString(), '%PDF')
    } else assert.match(manifest.pdf.reason ?? '', /Chromium/)

    const verified = await conductor(['evidence', 'verify', out])
    assert.equal(verified.code, 0, verified.stdout + verified.stderr)
    assert.match(verified.stdout, /ok {3}manifest signature/)
    assert.match(verified.stdout, /bundle intact/)
    const exportedEvents = await app.audit.query({ type: 'compliance.evidence_exported' })
    assert.equal(exportedEvents.length, 1)
    assert.equal(exportedEvents[0]!.principal, 'carol')

    // A changed byte in a CSV, a dropped file and a tampered event each fail, naming what changed.
    const copy = (name: string) => { const dir = join(work, name); cpSync(out, dir, { recursive: true }); return dir }
    const csv = copy('csv')
    const csvFile = join(csv, 'controls', 'CC6.1.csv')
    const bytes = readFileSync(csvFile)
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 1
    writeFileSync(csvFile, bytes)
    const badCsv = await conductor(['evidence', 'verify', csv])
    assert.notEqual(badCsv.code, 0)
    assert.match(badCsv.stdout + badCsv.stderr, /FAIL file controls\/CC6\.1\.csv: changed/)
    const dropped = copy('dropped')
    unlinkSync(join(dropped, 'summary.html'))
    const badDrop = await conductor(['evidence', 'verify', dropped])
    assert.notEqual(badDrop.code, 0)
    assert.match(badDrop.stdout, /FAIL file summary\.html: missing/)
    const tampered = copy('tampered')
    const events = join(tampered, 'audit', 'events.jsonl')
    writeFileSync(events, readFileSync(events, 'utf8').replace('"principal":"bob"', '"principal":"eve"'))
    const badEvent = await conductor(['evidence', 'verify', tampered])
    assert.notEqual(badEvent.code, 0)
    assert.match(badEvent.stdout, /FAIL file audit\/events\.jsonl/)
    assert.match(badEvent.stdout, /FAIL audit events chain: event \d+'s content does not match its hash/)
    const otherKey = join(work, 'other.jwk')
    writeFileSync(otherKey, JSON.stringify(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' })))
    const pinned = await conductor(['evidence', 'verify', out, '--key', otherKey])
    assert.notEqual(pinned.code, 0)
    assert.match(pinned.stdout, /FAIL manifest signature: does not verify with the pinned key/)
  })

  test('bad periods are refused with the field, and nothing is written or audited', async () => {
    const count = (await app.audit.query({ type: 'compliance.evidence_exported' })).length
    for (const [body, field] of [
      [{ from: '2026-02-01', to: '2026-01-01' }, 'from'], [{ from: 'yesterday', to: '2026-01-01' }, 'from'], [{ from: '2026-01-01', to: '2026-13-45' }, 'to'],
      [{ from: '2026-01-01', to: '2026-02-01', asOf: 'soon' }, 'asOf'],
    ] as const) {
      const res = await call('POST', '/api/v1/compliance/evidence', 'carol', body)
      assert.equal(res.statusCode, 400, res.body)
      assert.equal(res.json().error.details.field, field, res.body)
    }
    assert.equal((await call('POST', '/api/v1/compliance/evidence', 'bob', { from: '2026-01-01', to: '2026-02-01' })).statusCode, 403)
    const out = join(work, 'refused')
    const refused = await cli('carol', ['evidence', 'export', '--from', '2026-02-01', '--to', '2026-01-01', '--out', out])
    assert.notEqual(refused.code, 0)
    assert.equal(existsSync(out), false)
    assert.equal((await app.audit.query({ type: 'compliance.evidence_exported' })).length, count)
  })
})

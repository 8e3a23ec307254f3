import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, test } from 'node:test'
import { parse, stringify } from 'yaml'
import { createAuditLog } from '../../src/audit/index.ts'
import { openDatabase } from '../../src/store/index.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { TEST_USERS } from '../../harness/app.ts'
import { eventually } from '../../harness/poll.ts'
import { conductor } from '../support/cli.ts'

const root = new URL('../..', import.meta.url).pathname
const cliMain = join(root, 'src/cli/main.ts')

/** Starts `conductor serve` and resolves with its URLs once it listens. */
async function serve(configFile: string): Promise<{ child: ChildProcess; url: string; issuer: string }> {
  const child = spawn(process.execPath, [cliMain, '--config', configFile, 'serve'], { env: { ...process.env, NODE_NO_WARNINGS: '1', DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout! })
  let url = '', issuer = ''
  for await (const line of lines) {
    url ||= /^Conductor listening on (\S+)/.exec(line)?.[1] ?? ''
    issuer ||= /^Development issuer at (\S+)/.exec(line)?.[1] ?? ''
    if (url && issuer) break
  }
  return { child, url, issuer }
}

function writeConfig(dir: string, databaseUrl: string): string {
  mkdirSync(join(dir, 'secrets'), { recursive: true })
  writeFileSync(join(dir, 'secrets', 'airflow'), JSON.stringify({ username: 'conductor', password: 'unused' }))
  const file = join(dir, 'conductor.yaml')
  writeFileSync(file, stringify({
    server: { port: 0 },
    database: { url: databaseUrl },
    identity: { devIssuer: { enabled: true, port: 0, users: TEST_USERS } },
    policy: { folder: join(root, 'policies'), reloadIntervalSeconds: 0 },
    secrets: { providers: [{ name: 'files', type: 'file', path: 'secrets' }] },
    environments: [{ name: 'local', url: 'http://127.0.0.1:1', credentials: { provider: 'files', secret: 'airflow' } }],
    catalog: { syncIntervalSeconds: 0 },
    logging: { level: 'silent' },
  }))
  return file
}

forEachEngine((engine) => {
  let database: TestDatabase
  let dir: string
  let configFile: string
  before(async () => {
    database = await engine.open()
    dir = mkdtempSync(join(tmpdir(), 'conductor-cli-'))
    configFile = writeConfig(dir, database.url)
  })
  after(async () => {
    await database?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('dev-token and can-i against a running server: yes for alice, no for bob', async () => {
    const { child, url, issuer } = await serve(configFile)
    try {
      const env = { CONDUCTOR_URL: url }
      const alice = (await conductor(['--config', configFile, 'dev-token', '--user', 'alice', '--issuer', issuer])).stdout.trim()
      const bob = (await conductor(['--config', configFile, 'dev-token', '--user', 'bob', '--issuer', issuer])).stdout.trim()
      const yes = await conductor(['can-i', 'environment:read', 'local', '--token', alice], env)
      assert.equal(yes.code, 0, yes.stderr)
      assert.match(yes.stdout, /^yes: User alice may environment:read local/)
      const no = await conductor(['can-i', 'audit:read', 'local', '--token', bob, '--output', 'json'], env)
      assert.equal(no.code, 3)
      assert.equal(JSON.parse(no.stdout).decision, 'deny')
      const anonymous = await conductor(['can-i', 'environment:read', 'local'], { ...env, CONDUCTOR_TOKEN: '' })
      assert.equal(anonymous.code, 6)
      assert.match(anonymous.stderr, /token_missing/)
    } finally {
      child.kill('SIGTERM')
    }
  })

  test('SIGHUP reloads the config file: a new set of environments takes effect without a restart; a bad file is refused and audited', async () => {
    const reloadDir = join(dir, 'reload')
    const file = writeConfig(reloadDir, database.url)
    const { child, url, issuer } = await serve(file)
    try {
      const alice = (await conductor(['--config', file, 'dev-token', '--user', 'alice', '--issuer', issuer])).stdout.trim()
      const carol = (await conductor(['--config', file, 'dev-token', '--user', 'carol', '--issuer', issuer])).stdout.trim()
      const names = async () => ((await (await fetch(`${url}/api/v1/environments`, { headers: { authorization: `Bearer ${alice}` } })).json()) as { environments: { name: string }[] }).environments.map((e) => e.name)
      const audited = async (type: string) => ((await (await fetch(`${url}/api/v1/audit?type=${type}`, { headers: { authorization: `Bearer ${carol}` } })).json()) as { events: { data: Record<string, unknown> }[] }).events
      assert.deepEqual(await names(), ['local'])

      writeFileSync(file, stringify({ ...parse(readFileSync(file, 'utf8')), environments: [{ name: 'second', url: 'http://127.0.0.1:1', zone: 'eu', credentials: { provider: 'files', secret: 'airflow' } }] }))
      child.kill('SIGHUP')
      await eventually(async () => (await names()).join() === 'second', { what: 'the reloaded environments', timeoutMs: 15_000 })
      const [changed] = await audited('config.environments_changed')
      assert.deepEqual(changed?.data, { added: ['second'], changed: [], removed: ['local'], restartNeeded: [] })

      writeFileSync(file, 'database: { url: "postgres://u:hunter2@db/c" } }\nenvironments: []\n')
      child.kill('SIGHUP')
      const [failed] = await eventually(async () => { const events = await audited('config.reload_failed'); return events.length > 0 ? events : undefined }, { what: 'the refused reload to be audited', timeoutMs: 15_000 })
      assert.match(String((failed!.data.error as { message: string }).message), /not valid YAML/)
      assert.doesNotMatch(JSON.stringify(failed), /hunter2/, 'no line of the file, which may hold a password, reaches the audit trail')
      assert.deepEqual(await names(), ['second'], 'the running environments stay')
      assert.equal(child.exitCode, null, 'still serving')
    } finally {
      child.kill('SIGTERM')
    }
  })

  test('every event acknowledged to a caller survives kill -9 of the server', async () => {
    const { child, url } = await serve(configFile)
    const acknowledged: string[] = []
    let stop = false
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const id = `k9-${w}-${i}`
        try {
          const res = await fetch(`${url}/api/v1/me`, { headers: { authorization: 'Bearer not-a-token', 'x-request-id': id } })
          if (res.status === 401) acknowledged.push(id)
        } catch { return }
      }
    }
    const workers = [0, 1, 2, 3].map(worker)
    await eventually(() => acknowledged.length >= 60, { what: '60 audited requests acknowledged', timeoutMs: 30_000, intervalMs: 10 })
    child.kill('SIGKILL')
    stop = true
    await Promise.all(workers)
    await new Promise((r) => child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r))

    const reopened = await openDatabase({ url: database.url })
    try {
      const audit = createAuditLog({ database: reopened })
      const stored = new Set((await audit.query({ type: 'auth.failed', limit: 1000 })).map((e) => e.data.httpRequestId))
      const lost = acknowledged.filter((id) => !stored.has(id))
      assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged events lost`)
      assert.equal((await audit.verify()).ok, true)
    } finally {
      await reopened.close()
    }
    const verify = await conductor(['--config', configFile, 'audit', 'verify'], { DATABASE_URL: '' })
    assert.equal(verify.code, 0, verify.stderr)
    assert.match(verify.stdout, /audit trail intact/)
  })

  test('conductor audit verify names the first altered event and exits non-zero', async () => {
    const db = await openDatabase({ url: database.url })
    try {
      const audit = createAuditLog({ database: db })
      const events = await audit.query({ limit: 5 })
      const victim = events[2]!
      await db.db.updateTable('audit_events' as never).set({ type: 'tampered' } as never).where('seq' as never, '=', victim.seq as never).execute()
    } finally {
      await db.close()
    }
    const res = await conductor(['--config', configFile, 'audit', 'verify'], { DATABASE_URL: '' })
    assert.equal(res.code, 7)
    assert.match(res.stdout, /BROKEN at seq 3/)
  })
})

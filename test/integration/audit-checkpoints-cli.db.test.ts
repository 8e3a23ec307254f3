import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import aws4 from 'aws4'
import { stringify } from 'yaml'
import { createAuditCheckpoints, createAuditLog, loadCheckpointKey } from '../../src/audit/index.ts'
import type { AuditCheckpointTables } from '../../src/audit/index.ts'
import { fixedClock } from '../../src/core/index.ts'
import { openDatabase } from '../../src/store/index.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { TEST_USERS } from '../../harness/app.ts'
import { startMoto } from '../../harness/moto.ts'
import { conductor } from '../support/cli.ts'

const root = new URL('../..', import.meta.url).pathname
const T0 = Date.parse('2026-03-01T10:00:00.000Z')

function writeConfig(dir: string, databaseUrl: string, keySecret: string, name = 'conductor.yaml', archive: Record<string, unknown> = {}): string {
  const file = join(dir, name)
  writeFileSync(file, stringify({
    server: { port: 0 },
    database: { url: databaseUrl },
    identity: { devIssuer: { enabled: true, port: 0, users: TEST_USERS } },
    policy: { folder: join(root, 'policies'), reloadIntervalSeconds: 0 },
    secrets: { providers: [{ name: 'files', type: 'file', path: 'secrets' }] },
    environments: [{ name: 'local', url: 'http://127.0.0.1:1', credentials: { provider: 'files', secret: 'airflow' } }],
    catalog: { syncIntervalSeconds: 0 },
    logging: { level: 'silent' },
    audit: { checkpoints: { key: { provider: 'files', secret: keySecret }, intervalSeconds: 0 }, archive },
  }))
  return file
}

forEachEngine((engine) => {
  let database: TestDatabase
  let dir: string
  let configFile: string
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  const key = loadCheckpointKey(pem)

  before(async () => {
    database = await engine.open()
    dir = mkdtempSync(join(tmpdir(), 'conductor-checkpoints-cli-'))
    mkdirSync(join(dir, 'secrets'))
    writeFileSync(join(dir, 'secrets', 'airflow'), JSON.stringify({ username: 'conductor', password: 'unused' }))
    writeFileSync(join(dir, 'secrets', 'audit-key'), pem)
    writeFileSync(join(dir, 'secrets', 'rsa-key'), generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }))
    writeFileSync(join(dir, 'public.jwk'), JSON.stringify(key.publicJwk))
    configFile = writeConfig(dir, database.url, 'audit-key')
    const db = await openDatabase<AuditCheckpointTables>({ url: database.url })
    try {
      const clock = fixedClock(T0)
      const log = createAuditLog({ database: db, clock })
      const checkpoints = createAuditCheckpoints({ database: db, auditLog: log, clock })
      for (let i = 0; i < 8; i++) await log.append({ type: 'dispatch.sent', principal: 'alice', data: { i } })
      await checkpoints.create(key)
      clock.advance(30 * 86_400_000)
      for (let i = 0; i < 3; i++) await log.append({ type: 'dispatch.sent', principal: 'bob', data: { i } })
      await checkpoints.create(key)
    } finally {
      await db.close()
    }
  })
  after(async () => {
    await database?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('conductor audit verify checks the signed checkpoints; archive prunes; verify-archive checks the file alone and names a changed line', async () => {
    const verify = await conductor(['--config', configFile, 'audit', 'verify'], { DATABASE_URL: '' })
    assert.equal(verify.code, 0, verify.stderr)
    assert.match(verify.stdout, /audit trail intact: 13 events, 2 signed checkpoints/)

    const file = join(dir, 'audit-2026-03.jsonl')
    const archive = await conductor(['--config', configFile, 'audit', 'archive', '--before', '2026-03-15', '--to', file], { DATABASE_URL: '' })
    assert.equal(archive.code, 0, archive.stderr)
    assert.match(archive.stdout, /archived events 1\.\.8 \(8\)/)
    const after = await conductor(['--config', configFile, 'audit', 'verify'], { DATABASE_URL: '' })
    assert.equal(after.code, 0, after.stderr)
    assert.match(after.stdout, /audit trail intact: 6 events, 2 signed checkpoints/)

    const alone = await conductor(['audit', 'verify-archive', file, '--key', join(dir, 'public.jwk')], {})
    assert.equal(alone.code, 0, alone.stderr)
    assert.match(alone.stdout, /archive intact: events 1\.\.8 \(8\), 1 signed checkpoints/)
    writeFileSync(file, readFileSync(file, 'utf8').replace('"principal":"alice"', '"principal":"mallory"'))
    const changed = await conductor(['audit', 'verify-archive', file], {})
    assert.notEqual(changed.code, 0)
    assert.match(changed.stdout, /archive BROKEN: event 1's content does not match its hash/)
  })

  test('an archive to an S3 object store (moto): an existing object is never overwritten and nothing is pruned; the archive and its manifest are uploaded, then pruned; verify-archive reads it back and catches a changed object', { timeout: 120_000 }, async () => {
    const moto = await startMoto()
    try {
      const credentials = { accessKeyId: 'AKIAARCHIVETEST00001', secretAccessKey: 'archive-test-secret-key' }
      const s3 = async (method: string, path: string, body?: string) => {
        const signed = aws4.sign({ host: new URL(moto.url).host, path, method, service: 's3', region: 'us-east-1', ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/octet-stream' } }) }, credentials)
        const response = await fetch(new URL(path, moto.url), { method, headers: signed.headers as Record<string, string>, ...(body === undefined ? {} : { body }) })
        return { status: response.status, text: await response.text() }
      }
      assert.equal((await s3('PUT', '/conductor-audit')).status, 200)
      assert.equal((await s3('PUT', '/conductor-audit/taken.jsonl', 'someone else\'s\n')).status, 200)
      const s3Config = writeConfig(dir, database.url, 'audit-key', 's3.yaml', { s3: { region: 'us-east-1', endpoint: moto.url } })
      const env = { DATABASE_URL: '', AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey }
      const before = (await conductor(['--config', s3Config, 'audit', 'verify'], env)).stdout

      const taken = await conductor(['--config', s3Config, 'audit', 'archive', '--before', '1d', '--to', 's3://conductor-audit/taken.jsonl'], env)
      assert.notEqual(taken.code, 0)
      assert.match(taken.stderr, /s3:\/\/conductor-audit\/taken\.jsonl exists already/)
      assert.equal((await s3('GET', '/conductor-audit/taken.jsonl')).text, 'someone else\'s\n')
      assert.equal((await conductor(['--config', s3Config, 'audit', 'verify'], env)).stdout, before, 'nothing was pruned')

      const to = 's3://conductor-audit/2026/audit-2026-03.jsonl'
      const archive = await conductor(['--config', s3Config, 'audit', 'archive', '--before', '1d', '--to', to], env)
      assert.equal(archive.code, 0, archive.stderr)
      assert.match(archive.stdout, /archived events 9\.\.12 \(4\) to s3:\/\/conductor-audit\/2026\/audit-2026-03\.jsonl, manifest s3:\/\/conductor-audit\/2026\/audit-2026-03\.jsonl\.manifest\.json; pruned/)
      const stored = await s3('GET', '/conductor-audit/2026/audit-2026-03.jsonl')
      assert.deepEqual(stored.text.trim().split('\n').map((line) => (JSON.parse(line) as { seq: number }).seq), [9, 10, 11, 12])
      assert.equal(JSON.parse((await s3('GET', '/conductor-audit/2026/audit-2026-03.jsonl.manifest.json')).text).lastSeq, 12)
      assert.match((await conductor(['--config', s3Config, 'audit', 'verify'], env)).stdout, /audit trail intact/)

      const intact = await conductor(['--config', s3Config, 'audit', 'verify-archive', to, '--key', join(dir, 'public.jwk')], env)
      assert.equal(intact.code, 0, intact.stderr)
      assert.match(intact.stdout, /archive intact: events 9\.\.12 \(4\)/)
      assert.equal((await s3('PUT', '/conductor-audit/2026/audit-2026-03.jsonl', stored.text.replace('"principal":"bob"', '"principal":"mallory"'))).status, 200)
      const changed = await conductor(['--config', s3Config, 'audit', 'verify-archive', to], env)
      assert.notEqual(changed.code, 0)
      assert.match(changed.stdout, /archive BROKEN: event 10's content does not match its hash/)
      const missing = await conductor(['--config', s3Config, 'audit', 'verify-archive', 's3://conductor-audit/none.jsonl'], env)
      assert.notEqual(missing.code, 0)
      assert.match(missing.stderr, /no object s3:\/\/conductor-audit\/none\.jsonl/)
      assert.ok(!(archive.stdout + archive.stderr + changed.stderr + missing.stderr).includes(credentials.secretAccessKey))
    } finally {
      await moto.stop()
    }
  })

  test('a key that is not Ed25519 refuses with a config error naming the field, without quoting the key', async () => {
    const wrong = writeConfig(dir, database.url, 'rsa-key', 'wrong-key.yaml')
    const res = await conductor(['--config', wrong, 'audit', 'verify'], { DATABASE_URL: '' })
    assert.notEqual(res.code, 0)
    assert.match(res.stderr, /Ed25519/)
    assert.ok(!(res.stdout + res.stderr).includes('PRIVATE KEY'))
    const missing = writeConfig(dir, database.url, 'no-such-key', 'missing-key.yaml')
    const gone = await conductor(['--config', missing, 'audit', 'verify'], { DATABASE_URL: '' })
    assert.notEqual(gone.code, 0)
    assert.match(gone.stderr, /no-such-key|not found/i)
  })
})

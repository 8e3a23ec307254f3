import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { sql } from 'kysely'
import {
  archiveAuditEvents, createAuditCheckpoints, createAuditLog, hashAuditEvent, loadCheckpointKey, verifyAuditArchive, verifyAuditChain,
  verifyCheckpointSignature,
} from '../../src/audit/index.ts'
import type { AuditCheckpointTables, AuditLog } from '../../src/audit/index.ts'
import { fixedClock, isConductorError } from '../../src/core/index.ts'
import { forEachEngine } from '../../harness/databases.ts'
import type { TestDatabase } from '../../harness/databases.ts'

const T0 = Date.parse('2026-03-01T10:00:00.000Z')
const DAY = 86_400_000

function ed25519Pem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
}

async function seed(log: AuditLog, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await log.append({ type: 'dispatch.sent', principal: `user-${i % 3}`, dag: `dag_${i}`, action: 'dag:trigger', data: { i } })
}

async function setup(engine: { open(): Promise<TestDatabase> }) {
  const database = await engine.open()
  const clock = fixedClock(T0)
  const log = createAuditLog({ database, clock })
  const checkpoints = createAuditCheckpoints({ database: database as unknown as TestDatabase & { db: import('kysely').Kysely<AuditCheckpointTables> }, auditLog: log, clock })
  return { database, clock, log, checkpoints, db: database.db as import('kysely').Kysely<AuditCheckpointTables> }
}

test('the checkpoint key: PEM and JWK load, an RSA key or garbage is refused as a config error naming the field, never quoting it', () => {
  const pem = ed25519Pem()
  const fromPem = loadCheckpointKey(pem)
  const jwk = JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }))
  const fromJwk = loadCheckpointKey(jwk)
  assert.match(fromPem.keyId, /^[A-Za-z0-9_-]{43}$/)
  assert.notEqual(fromPem.keyId, fromJwk.keyId)
  assert.deepEqual(Object.keys(fromPem.publicJwk).sort(), ['crv', 'kid', 'kty', 'x'])
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  for (const bad of [rsa, 'not a key at all', '{"kty":"OKP"}']) {
    assert.throws(() => loadCheckpointKey(bad), (error: unknown) => {
      assert.ok(isConductorError(error))
      assert.equal(error.code, 'config_invalid')
      assert.deepEqual(error.details, { field: 'audit.checkpoints.key' })
      assert.ok(!error.message.includes('not a key at all') && !error.message.includes('BEGIN'))
      return true
    })
  }
})

forEachEngine((engine) => {
  test('a checkpoint signs the chain head, is audited, verifies with the published key and not with another', async () => {
    const { database, log, checkpoints } = await setup(engine)
    try {
      const key = loadCheckpointKey(ed25519Pem())
      await seed(log, 5)
      const checkpoint = await checkpoints.create(key, { principal: 'alice' })
      assert.ok(checkpoint)
      assert.equal(checkpoint.seq, 5)
      assert.equal(checkpoint.keyId, key.keyId)
      assert.ok(verifyCheckpointSignature(checkpoint, key.publicJwk))
      assert.ok(!verifyCheckpointSignature({ ...checkpoint, seq: 4 }, key.publicJwk))
      const [event] = await log.query({ type: 'audit.checkpoint' })
      assert.deepEqual([event?.seq, event?.principal, event?.data], [6, 'alice', { seq: 5, hash: checkpoint.hash, keyId: key.keyId }])
      // Idle: only the checkpoint's own event since, so the periodic round signs nothing new.
      assert.equal(await checkpoints.create(key, { skipIfIdle: true }), undefined)
      assert.deepEqual(await checkpoints.list(), [checkpoint])
      const ok = await checkpoints.verify(key.publicJwk)
      assert.deepEqual([ok.ok, ok.checkpoints, ok.ok && ok.lastSeq], [true, 1, 6])
      const other = loadCheckpointKey(ed25519Pem())
      const wrong = await checkpoints.verify(other.publicJwk)
      assert.equal(wrong.ok, false)
      assert.match(!wrong.ok ? wrong.reason : '', /checkpoint 5's signature/)
    } finally {
      await database.close()
    }
  })

  test('a chain rewritten after a checkpoint (every hash recomputed) passes the plain walk but not the signed checkpoint', async () => {
    const { database, log, checkpoints, db } = await setup(engine)
    try {
      const key = loadCheckpointKey(ed25519Pem())
      await seed(log, 4)
      await checkpoints.create(key)
      // Rewrite event 3 and re-hash 3..5 and the head, as someone with write access to the database could.
      const rows = await db.selectFrom('audit_events').selectAll().where('seq', '>=', 3).orderBy('seq').execute()
      let prev = rows[0]!.prev_hash
      for (const row of rows) {
        const data = Number(row.seq) === 3 ? { i: 999 } : JSON.parse(row.data) as Record<string, unknown>
        const hash = hashAuditEvent({ seq: Number(row.seq), at: row.at, type: row.type, principal: row.principal, principalType: row.principal_type, environment: row.environment, dag: row.dag, action: row.action, requestId: row.request_id, decision: row.decision as 'allow' | null, policyIds: JSON.parse(row.policy_ids) as string[], data, prevHash: prev })
        await db.updateTable('audit_events').set({ data: JSON.stringify(data), prev_hash: prev, hash }).where('seq', '=', row.seq).execute()
        prev = hash
      }
      await db.updateTable('audit_chain_head').set({ hash: prev }).where('id', '=', 1).execute()
      assert.equal((await verifyAuditChain(db)).ok, true)
      const result = await checkpoints.verify(key.publicJwk)
      assert.equal(result.ok, false)
      assert.deepEqual(!result.ok && [result.firstBadSeq, result.reason], [4, "event 4's hash differs from its signed checkpoint's"])
    } finally {
      await database.close()
    }
  })

  test('archive and prune: the archive verifies alone, the trail left verifies from the kept checkpoint, and tampering is caught', async () => {
    const { database, clock, log, checkpoints, db } = await setup(engine)
    const dir = await mkdtemp(join(tmpdir(), 'audit-archive-'))
    try {
      const key = loadCheckpointKey(ed25519Pem())
      await seed(log, 10)
      await checkpoints.create(key) // at 10 (event 11 audits it)
      await seed(log, 5)
      await checkpoints.create(key) // at 16 (event 17)
      clock.advance(10 * DAY)
      await seed(log, 4) // 18..21
      await checkpoints.create(key) // at 21, after the cut date
      const file = join(dir, 'audit-2026-03.jsonl')
      // No checkpoint before this date: refused, nothing written or deleted.
      await assert.rejects(archiveAuditEvents({ database: { db }, auditLog: log, publicJwk: key.publicJwk }, { before: '2026-02-01T00:00:00.000Z', file }),
        (error: unknown) => isConductorError(error) && error.code === 'invalid_input' && (error.details as { field: string }).field === 'before')
      // An audit sink that has not received the events yet holds the prune back.
      await sql`insert into audit_sink_cursors (sink, seq, updated_at) values ('siem', 12, '2026-03-01T00:00:00.000Z')`.execute(db)
      await assert.rejects(archiveAuditEvents({ database: { db }, auditLog: log, publicJwk: key.publicJwk }, { before: new Date(T0 + 5 * DAY).toISOString(), file }),
        (error: unknown) => isConductorError(error) && error.code === 'invalid_input' && /siem has received events up to 12 only/.test(error.message))
      await sql`update audit_sink_cursors set seq = 40`.execute(db)
      const archived = await archiveAuditEvents({ database: { db }, auditLog: log, publicJwk: key.publicJwk }, { before: new Date(T0 + 5 * DAY).toISOString(), file, principal: 'ops' })
      assert.deepEqual([archived.firstSeq, archived.lastSeq, archived.count], [1, 16, 16])
      assert.equal((await db.selectFrom('audit_events').select('seq').orderBy('seq').executeTakeFirst())?.seq !== undefined, true)
      assert.equal(Number((await db.selectFrom('audit_events').select('seq').orderBy('seq').executeTakeFirstOrThrow()).seq), 17)
      assert.deepEqual((await checkpoints.list()).map((c) => c.seq), [16, 21])
      assert.equal((await log.query({ type: 'audit.archived' }))[0]?.data.count, 16)

      const alone = await verifyAuditArchive(file)
      assert.deepEqual(alone, { ok: true, count: 16, firstSeq: 1, lastSeq: 16, checkpoints: 2 })
      assert.equal((await verifyAuditArchive(file, { publicJwk: loadCheckpointKey(ed25519Pem()).publicJwk })).ok, false)
      const kept = await checkpoints.verify(key.publicJwk)
      assert.equal(kept.ok, true, !kept.ok ? kept.reason : '')

      // A second archive continues from the kept checkpoint and verifies alone too.
      clock.advance(DAY)
      await checkpoints.create(key) // at 23
      const second = join(dir, 'audit-2026-04.jsonl')
      const next = await archiveAuditEvents({ database: { db }, auditLog: log, publicJwk: key.publicJwk }, { before: new Date(T0 + 20 * DAY).toISOString(), file: second })
      assert.deepEqual([next.firstSeq, next.lastSeq], [17, 23])
      assert.equal((await verifyAuditArchive(second)).ok, true)
      assert.equal((await checkpoints.verify(key.publicJwk)).ok, true)

      // A changed line in the archive is caught (even with the manifest's hash left alone).
      const text = await readFile(file, 'utf8')
      await writeFile(file, text.replace('"i":3}', '"i":4}'))
      const changed = await verifyAuditArchive(file)
      assert.deepEqual(!changed.ok && [changed.line, changed.reason], [4, "event 4's content does not match its hash"])
      await writeFile(file, text)
      assert.equal((await verifyAuditArchive(file)).ok, true)

      await seed(log, 4) // 25..28 (24 audits the second archive)
      const expectBroken = async (why: RegExp) => {
        const result = await checkpoints.verify(key.publicJwk)
        assert.equal(result.ok, false)
        assert.match(!result.ok ? result.reason : '', why)
      }
      // Altered.
      await sql`update audit_events set principal = 'mallory' where seq = 26`.execute(db)
      await expectBroken(/event 26's content does not match its hash/)
      await sql`update audit_events set principal = 'user-0' where seq = 26`.execute(db)
      assert.equal((await checkpoints.verify(key.publicJwk)).ok, true)
      // Swapped (two events trade places).
      await sql`update audit_events set seq = 1000 where seq = 25`.execute(db)
      await sql`update audit_events set seq = 25 where seq = 26`.execute(db)
      await sql`update audit_events set seq = 26 where seq = 1000`.execute(db)
      await expectBroken(/event 25/)
      await sql`update audit_events set seq = 1000 where seq = 25`.execute(db)
      await sql`update audit_events set seq = 25 where seq = 26`.execute(db)
      await sql`update audit_events set seq = 26 where seq = 1000`.execute(db)
      assert.equal((await checkpoints.verify(key.publicJwk)).ok, true)
      // Deleted: the first event left (right after the kept checkpoint), then one in the middle.
      const first = await db.selectFrom('audit_events').selectAll().where('seq', '=', 24).executeTakeFirstOrThrow()
      await sql`delete from audit_events where seq = 24`.execute(db)
      await expectBroken(/events before 25 are missing and no kept checkpoint ends at 24/)
      await db.insertInto('audit_events').values(first).execute()
      await sql`delete from audit_events where seq = 27`.execute(db)
      await expectBroken(/event 27 is missing/)
    } finally {
      await rm(dir, { recursive: true, force: true })
      await database.close()
    }
  })
})

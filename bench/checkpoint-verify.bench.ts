import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import {
  archiveAuditEvents, canonicalData, createAuditCheckpoints, createAuditLog, GENESIS_HASH, hashAuditEvent, loadCheckpointKey, signCheckpoint,
  verifyAuditArchive, verifyCheckpointSignature,
} from '../src/audit/index.ts'
import type { AuditCheckpointTables, AuditEvent, AuditEventsTable } from '../src/audit/index.ts'
import { fixedClock } from '../src/core/index.ts'
import { transaction } from '../src/store/index.ts'
import type { Database } from '../src/store/index.ts'
import { engines } from '../harness/databases.ts'
import { printTable, writeResults } from './results.ts'

// Checkpoint verification speed (issue 14): events/s verifying the trail from a signed checkpoint after an archive
// and prune, events/s verifying the archive file on its own, and the cost of signing and checking a checkpoint.
// Usage: node bench/checkpoint-verify.bench.ts   (set DATABASE_URL=postgres://… for the PostgreSQL rows)
const EVENTS = 20_000
const ARCHIVED = 10_000
const SIGNATURES = 2000
const T0 = Date.parse('2026-03-01T00:00:00Z')

const sample = (i: number) => ({
  type: 'dispatch.sent', principal: `user-${i % 50}`, principalType: 'User', environment: 'prod', dag: `dag_${i % 200}`,
  action: 'dag:trigger', requestId: `req-${i}`, decision: 'allow' as const, policyIds: ['p7'], data: { runId: `manual__${i}`, conf: { n: i } },
})

// A valid chain written straight into the tables as appends write them (as bench/audit.bench.ts does).
async function seedChain(database: Database, count: number): Promise<void> {
  await transaction(database, async (trx) => {
    let prevHash = GENESIS_HASH
    for (let start = 1; start <= count; start += 500) {
      const rows: AuditEventsTable[] = []
      for (let seq = start; seq < Math.min(start + 500, count + 1); seq++) {
        const { type, principal, principalType, environment, dag, action, requestId, decision, policyIds, data } = sample(seq)
        const unhashed: Omit<AuditEvent, 'hash'> = { seq, at: new Date(T0 + seq).toISOString(), type, principal, principalType, environment, dag, action, requestId, decision, policyIds, data, prevHash }
        const hash = hashAuditEvent(unhashed)
        rows.push({ seq, at: unhashed.at, type, principal, principal_type: principalType, environment, dag, action, request_id: requestId, decision, policy_ids: JSON.stringify(policyIds), data: canonicalData(data), prev_hash: prevHash, hash })
        prevHash = hash
      }
      await trx.insertInto('audit_events').values(rows).execute()
    }
    await trx.updateTable('audit_chain_head').set({ seq: count, hash: prevHash }).where('id', '=', 1).execute()
  })
}

const key = loadCheckpointKey(generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())
const rows: Record<string, string | number>[] = []
const figures: Record<string, unknown> = {}

// Signing and checking alone (no database).
let started = performance.now()
const signed = Array.from({ length: SIGNATURES }, (_, i) => signCheckpoint(key, { seq: i + 1, hash: 'a'.repeat(64), at: new Date(T0).toISOString() }))
const signUs = ((performance.now() - started) * 1000) / SIGNATURES
started = performance.now()
for (const checkpoint of signed) if (!verifyCheckpointSignature(checkpoint, key.publicJwk)) throw new Error('a signature does not verify')
const checkUs = ((performance.now() - started) * 1000) / SIGNATURES
rows.push({ engine: '-', measure: 'sign a checkpoint (Ed25519)', count: SIGNATURES, 'per second': 1e6 / signUs, 'each': `${signUs.toFixed(1)} µs` })
rows.push({ engine: '-', measure: 'check a checkpoint signature', count: SIGNATURES, 'per second': 1e6 / checkUs, 'each': `${checkUs.toFixed(1)} µs` })
figures.signMicroseconds = signUs
figures.checkSignatureMicroseconds = checkUs

const dir = await mkdtemp(join(tmpdir(), 'checkpoint-bench-'))
const available = engines()
try {
  for (const engine of available) {
    const database = await engine.open() as unknown as Database<AuditCheckpointTables>
    try {
      await seedChain(database as unknown as Database, EVENTS)
      const clock = fixedClock(T0 + 60_000)
      const auditLog = createAuditLog({ database, clock })
      const checkpoints = createAuditCheckpoints({ database, auditLog, clock })
      // A checkpoint at ARCHIVED (written as the loop would have then), then the cost of taking one end to end.
      const at = signCheckpoint(key, { seq: ARCHIVED, hash: (await database.db.selectFrom('audit_events').select('hash').where('seq', '=', ARCHIVED).executeTakeFirstOrThrow()).hash, at: new Date(T0 + ARCHIVED).toISOString() })
      await database.db.insertInto('audit_checkpoints').values({ seq: at.seq, hash: at.hash, at: at.at, key_id: at.keyId, signature: at.signature }).execute()
      started = performance.now()
      const takes = 20
      for (let i = 0; i < takes; i++) await checkpoints.create(key)
      const takeMs = (performance.now() - started) / takes
      const file = join(dir, `${engine.name}.jsonl`)
      started = performance.now()
      const archived = await archiveAuditEvents({ database, auditLog, publicJwk: key.publicJwk }, { before: new Date(T0 + ARCHIVED + 1).toISOString(), file })
      const archiveMs = performance.now() - started
      started = performance.now()
      const result = await checkpoints.verify(key.publicJwk)
      const verifyMs = performance.now() - started
      if (!result.ok) throw new Error(`the trail left does not verify: ${result.reason}`)
      started = performance.now()
      const alone = await verifyAuditArchive(file)
      const archiveVerifyMs = performance.now() - started
      if (!alone.ok) throw new Error(`the archive does not verify: ${alone.reason}`)
      rows.push({ engine: engine.name, measure: 'take a checkpoint (sign + store + audit)', count: takes, 'per second': 1000 / takeMs, each: `${takeMs.toFixed(2)} ms` })
      rows.push({ engine: engine.name, measure: 'archive + prune', count: archived.count, 'per second': archived.count / (archiveMs / 1000), each: `${archiveMs.toFixed(0)} ms total` })
      rows.push({ engine: engine.name, measure: 'verify the trail from the kept checkpoint', count: result.count, 'per second': result.count / (verifyMs / 1000), each: `${verifyMs.toFixed(0)} ms total, ${result.checkpoints} checkpoints` })
      rows.push({ engine: engine.name, measure: 'verify the archive alone', count: alone.count, 'per second': alone.count / (archiveVerifyMs / 1000), each: `${archiveVerifyMs.toFixed(0)} ms total` })
      figures[engine.name] = { takeCheckpointMs: takeMs, archiveMs, archived: archived.count, verifyFromCheckpointPerSecond: result.count / (verifyMs / 1000), verifiedEvents: result.count, verifyArchivePerSecond: alone.count / (archiveVerifyMs / 1000) }
    } finally {
      await database.close()
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true })
}
if (!available.some((e) => e.name === 'postgres')) {
  rows.push({ engine: 'postgres', measure: 'skipped: DATABASE_URL not set', count: 0, 'per second': '-', each: '-' })
  figures.postgres = { skipped: 'DATABASE_URL not set' }
}
printTable('Audit checkpoints: signing, and verification from a signed checkpoint after an archive and prune', rows)
writeResults('checkpoint-verify', figures)

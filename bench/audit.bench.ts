import { performance } from 'node:perf_hooks'
import { canonicalData, createAuditLog, GENESIS_HASH, hashAuditEvent } from '../src/audit/index.ts'
import type { AuditEvent, AuditEventsTable } from '../src/audit/index.ts'
import { transaction } from '../src/store/index.ts'
import type { Database } from '../src/store/index.ts'
import { engines } from '../harness/databases.ts'
import { percentile, printTable, writeResults } from './results.ts'

// Durable appends per second (sequential, and 16 concurrent callers), and verification speed, on each engine.
// Usage: node bench/audit.bench.ts   (set DATABASE_URL=postgres://… for the PostgreSQL rows)
const SEQUENTIAL = 1000
const CONCURRENT_CALLERS = 16
const CONCURRENT_TOTAL = 2000
const VERIFY_EVENTS = 20_000

const sample = (i: number) => ({
  type: 'dispatch.sent', principal: `user-${i % 50}`, principalType: 'User', environment: 'prod', dag: `dag_${i % 200}`,
  action: 'dag:trigger', requestId: `req-${i}`, decision: 'allow' as const, policyIds: ['p7'], data: { runId: `manual__${i}`, conf: { n: i } },
})

async function appendRate(database: Database, concurrency: number, total: number): Promise<{ perSecond: number; p50: number; p99: number }> {
  const log = createAuditLog({ database })
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++
      const t = performance.now()
      await log.append(sample(i))
      latencies.push(performance.now() - t)
    }
  }))
  const seconds = (performance.now() - started) / 1000
  return { perSecond: total / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
}

// Writes a valid chain of `count` events straight into the tables as appends write them (data as canonical JSON);
// appending 20,000 one by one would dominate the run.
async function seedChain(database: Database, count: number): Promise<void> {
  await transaction(database, async (trx) => {
    let prevHash = GENESIS_HASH
    const at = new Date('2026-03-01T00:00:00Z').getTime()
    for (let start = 1; start <= count; start += 500) {
      const rows: AuditEventsTable[] = []
      for (let seq = start; seq < Math.min(start + 500, count + 1); seq++) {
        const { type, principal, principalType, environment, dag, action, requestId, decision, policyIds, data } = sample(seq)
        const unhashed: Omit<AuditEvent, 'hash'> = { seq, at: new Date(at + seq).toISOString(), type, principal, principalType, environment, dag, action, requestId, decision, policyIds, data, prevHash }
        const hash = hashAuditEvent(unhashed)
        rows.push({ seq, at: unhashed.at, type, principal, principal_type: principalType, environment, dag, action, request_id: requestId, decision, policy_ids: JSON.stringify(policyIds), data: canonicalData(data), prev_hash: prevHash, hash })
        prevHash = hash
      }
      // 500 rows x 14 columns stays under both engines' bound-parameter limits.
      await trx.insertInto('audit_events').values(rows).execute()
    }
    await trx.updateTable('audit_chain_head').set({ seq: count, hash: prevHash }).where('id', '=', 1).execute()
  })
}

const rows: Record<string, string | number>[] = []
const figures: Record<string, unknown> = {}
const available = engines()
for (const engine of available) {
  const appendDb = await engine.open()
  try {
    const sequential = await appendRate(appendDb, 1, SEQUENTIAL)
    rows.push({ engine: engine.name, measure: 'append, 1 caller', events: SEQUENTIAL, 'per second': sequential.perSecond, 'p50 ms': sequential.p50, 'p99 ms': sequential.p99, target: '-' })
    const concurrent = await appendRate(appendDb, CONCURRENT_CALLERS, CONCURRENT_TOTAL)
    rows.push({ engine: engine.name, measure: `append, ${CONCURRENT_CALLERS} callers`, events: CONCURRENT_TOTAL, 'per second': concurrent.perSecond, 'p50 ms': concurrent.p50, 'p99 ms': concurrent.p99, target: '>= 20000/s, p99 <= 10 ms' })
    const verifyAll = await createAuditLog({ database: appendDb }).verify()
    if (!verifyAll.ok || verifyAll.lastSeq !== SEQUENTIAL + CONCURRENT_TOTAL) throw new Error(`appended chain does not verify: ${JSON.stringify(verifyAll)}`)
    figures[engine.name] = { appendSequentialPerSecond: sequential, appendConcurrentPerSecond: { callers: CONCURRENT_CALLERS, ...concurrent } }
  } finally {
    await appendDb.close()
  }
  const verifyDb = await engine.open()
  try {
    await seedChain(verifyDb, VERIFY_EVENTS)
    const started = performance.now()
    const result = await createAuditLog({ database: verifyDb }).verify()
    const ms = performance.now() - started
    if (!result.ok || result.count !== VERIFY_EVENTS) throw new Error(`seeded chain does not verify: ${JSON.stringify(result)}`)
    rows.push({ engine: engine.name, measure: 'verify', events: VERIFY_EVENTS, 'per second': VERIFY_EVENTS / (ms / 1000), 'p50 ms': '-', 'p99 ms': '-', target: '>= 200000/s' })
    Object.assign(figures[engine.name] as object, { verifyPerSecond: VERIFY_EVENTS / (ms / 1000), verifyEvents: VERIFY_EVENTS, verifyMs: ms })
  } finally {
    await verifyDb.close()
  }
}
if (!available.some((e) => e.name === 'postgres')) {
  rows.push({ engine: 'postgres', measure: 'skipped: DATABASE_URL not set', events: 0, 'per second': '-', 'p50 ms': '-', 'p99 ms': '-', target: '-' })
  figures.postgres = { skipped: 'DATABASE_URL not set' }
}
printTable('Audit log: durable appends (SQLite WAL synchronous=FULL; PostgreSQL synchronous_commit on) and chain verification', rows)
writeResults('audit', figures)

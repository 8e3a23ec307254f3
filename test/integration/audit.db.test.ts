import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import { createAuditLog, GENESIS_HASH, hashAuditEvent, REDACTED, verifyAuditChain } from '../../src/audit/index.ts'
import type { AuditEvent, AuditLog } from '../../src/audit/index.ts'
import { fixedClock, isConductorError } from '../../src/core/index.ts'
import { openDatabase } from '../../src/store/index.ts'
import { forEachEngine } from '../../harness/databases.ts'
import type { TestDatabase } from '../../harness/databases.ts'

const T0 = Date.parse('2026-03-01T10:00:00.000Z')

async function seed(log: AuditLog, count: number): Promise<AuditEvent[]> {
  const events: AuditEvent[] = []
  for (let i = 1; i <= count; i++) {
    events.push(await log.append({ type: 'dispatch.sent', principal: `user-${i % 2}`, environment: 'prod', dag: `dag_${i}`, action: 'dag:trigger', data: { i } }))
  }
  return events
}

forEachEngine((engine) => {
  test('appends chain from genesis with gapless seq, pinned time and hashes over every field', async () => {
    const database = await engine.open()
    try {
      const clock = fixedClock(T0)
      const log = createAuditLog({ database, clock })
      const first = await log.append({ type: 'authz.decision', principal: 'alice', principalType: 'User', environment: 'prod', dag: 'etl', action: 'dag:trigger', requestId: 'req-1', decision: 'allow', policyIds: ['p7'], data: { reasons: ['allowed by p7'] } })
      clock.advance(1500)
      const second = await log.append({ type: 'dispatch.sent' })
      assert.equal(first.seq, 1)
      assert.equal(first.prevHash, GENESIS_HASH)
      assert.equal(first.at, '2026-03-01T10:00:00.000Z')
      assert.match(first.hash, /^[0-9a-f]{64}$/)
      assert.deepEqual({ seq: second.seq, prevHash: second.prevHash, at: second.at }, { seq: 2, prevHash: first.hash, at: '2026-03-01T10:00:01.500Z' })
      assert.deepEqual([second.principal, second.decision, second.policyIds, second.data], [null, null, [], {}])
      const { hash, ...rest } = first
      assert.equal(hashAuditEvent(rest), hash)
      assert.notEqual(hashAuditEvent({ ...rest, principal: 'mallory' }), hash)
      const stored = await log.query({})
      assert.deepEqual(stored, [first, second])
    } finally {
      await database.close()
    }
  })

  test('query narrows by every filter, pages with afterSeq and caps the limit', async () => {
    const database = await engine.open()
    try {
      const clock = fixedClock(T0)
      const log = createAuditLog({ database, clock })
      const a = await log.append({ type: 'authz.decision', principal: 'alice', environment: 'prod', dag: 'etl', action: 'dag:trigger', requestId: 'r1', decision: 'allow' })
      clock.advance(60_000)
      const b = await log.append({ type: 'authz.decision', principal: 'bob', environment: 'staging', dag: 'etl', action: 'dag:pause', requestId: 'r2', decision: 'deny' })
      clock.advance(60_000)
      const c = await log.append({ type: 'dispatch.sent', principal: 'alice', environment: 'prod', dag: 'report', action: 'dag:trigger', requestId: 'r1' })
      const seqs = async (filter: Parameters<AuditLog['query']>[0]) => (await log.query(filter)).map((e) => e.seq)
      assert.deepEqual(await seqs({ principal: 'alice' }), [a.seq, c.seq])
      assert.deepEqual(await seqs({ environment: 'staging' }), [b.seq])
      assert.deepEqual(await seqs({ dag: 'etl' }), [a.seq, b.seq])
      assert.deepEqual(await seqs({ action: 'dag:trigger', dag: 'report' }), [c.seq])
      assert.deepEqual(await seqs({ type: 'authz.decision' }), [a.seq, b.seq])
      assert.deepEqual(await seqs({ decision: 'deny' }), [b.seq])
      assert.deepEqual(await seqs({ requestId: 'r1' }), [a.seq, c.seq])
      assert.deepEqual(await seqs({ from: '2026-03-01T10:01:00Z' }), [b.seq, c.seq])
      assert.deepEqual(await seqs({ to: '2026-03-01T11:01:00+01:00' }), [a.seq])
      assert.deepEqual(await seqs({ afterSeq: 1, limit: 1 }), [b.seq])
      await assert.rejects(log.query({ from: 'yesterday' }), (e) => isConductorError(e, 'invalid_input') && e.details?.field === 'from')
      await assert.rejects(log.query({ limit: 0 }), (e) => isConductorError(e, 'invalid_input'))
      await seed(log, 1100)
      assert.equal((await log.query({})).length, 100)
      assert.equal((await log.query({ limit: 5000 })).length, 1000)
    } finally {
      await database.close()
    }
  })

  test('rejects malformed events without writing anything', async () => {
    const database = await engine.open()
    try {
      const log = createAuditLog({ database })
      await assert.rejects(log.append({ type: '' }), (e) => isConductorError(e, 'invalid_input'))
      await assert.rejects(log.append({ type: 'x', decision: 'maybe' as 'allow' }), (e) => isConductorError(e, 'invalid_input') && e.details?.field === 'decision')
      await assert.rejects(log.append({ type: 'x', data: { n: 10n } }), (e) => isConductorError(e, 'invalid_input'))
      assert.deepEqual(await log.query({}), [])
      assert.deepEqual(await log.verify(), { ok: true, count: 0, lastSeq: 0, lastHash: GENESIS_HASH })
    } finally {
      await database.close()
    }
  })

  test('scrubs tokens and secrets from data before hashing and storing', async () => {
    const database = await engine.open()
    try {
      const log = createAuditLog({ database })
      const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl'
      const event = await log.append({
        type: 'auth.failed',
        data: {
          reason: 'token_expired', header: `Bearer ${jwt}`, note: `got ${jwt} from client`, password: 'hunter2',
          nested: { client_secret: 's3cr3t', 'X-Api-Key': 'k', Authorization: 'Basic Zm9vOmJhcg==', list: [jwt, 'fine'] },
          accessToken: 'opaque-value', count: 3,
        },
      })
      const expected = {
        reason: 'token_expired', header: REDACTED, note: REDACTED, password: REDACTED,
        nested: { client_secret: REDACTED, 'X-Api-Key': REDACTED, Authorization: REDACTED, list: [REDACTED, 'fine'] },
        accessToken: REDACTED, count: 3,
      }
      assert.deepEqual(event.data, expected)
      const [stored] = await log.query({})
      assert.deepEqual(stored?.data, expected)
      const raw = await sql<{ data: string }>`select data from audit_events`.execute(database.db)
      for (const secret of ['hunter2', 's3cr3t', 'opaque-value', 'Zm9vOmJhcg', 'eyJhbGci']) assert.ok(!raw.rows[0]!.data.includes(secret), secret)
      assert.equal((await log.verify()).ok, true)
    } finally {
      await database.close()
    }
  })

  test('exports matching events as a JSON array and as CSV', async () => {
    const database = await engine.open()
    try {
      const log = createAuditLog({ database, clock: fixedClock(T0) })
      const events = await seed(log, 1203)
      await log.append({ type: 'config.loaded', data: { note: 'a "quoted", multi\nline value' } })
      let json = ''
      for await (const chunk of log.exportEvents({ principal: 'user-1' }, 'json')) json += chunk
      assert.deepEqual(JSON.parse(json), events.filter((e) => e.principal === 'user-1'))
      let empty = ''
      for await (const chunk of log.exportEvents({ principal: 'nobody' }, 'json')) empty += chunk
      assert.deepEqual(JSON.parse(empty), [])
      let csv = ''
      for await (const chunk of log.exportEvents({ type: 'config.loaded' }, 'csv')) csv += chunk
      const [header, ...rest] = csv.split('\r\n')
      assert.equal(header, 'seq,at,type,principal,principalType,environment,dag,action,requestId,decision,policyIds,data,prevHash,hash')
      assert.match(rest[0]!, /^1204,2026-03-01T10:00:00.000Z,config.loaded,,,,,,,,\[\],"\{""note"":""a \\""quoted\\"", multi\\nline value""\}",[0-9a-f]{64},[0-9a-f]{64}$/)
      assert.deepEqual(rest.slice(1), [''])
    } finally {
      await database.close()
    }
  })

  test('verify reads the chain in bounded batches and can start mid-chain', async () => {
    const database = await engine.open()
    try {
      const log = createAuditLog({ database })
      const events = await seed(log, 25)
      assert.deepEqual(await log.verify({ batchSize: 4 }), { ok: true, count: 25, lastSeq: 25, lastHash: events[24]!.hash })
      assert.deepEqual(await log.verify({ fromSeq: 20 }), { ok: true, count: 6, lastSeq: 25, lastHash: events[24]!.hash })
    } finally {
      await database.close()
    }
  })

  test('concurrent appends from two audit logs on two connections form one gapless, verifiable chain', async () => {
    const database = await engine.open()
    const other = await openDatabase({ url: database.url })
    try {
      const logs = [createAuditLog({ database }), createAuditLog({ database: other })]
      const appended = await Promise.all(Array.from({ length: 200 }, (_, i) => logs[i % 2]!.append({ type: 'dispatch.sent', data: { i } })))
      assert.deepEqual(appended.map((e) => e.seq).sort((x, y) => x - y), Array.from({ length: 200 }, (_, i) => i + 1))
      assert.deepEqual(new Set(appended.map((e) => e.data.i)).size, 200)
      const result = await logs[1]!.verify()
      assert.equal(result.ok, true)
      assert.equal(result.ok && result.lastSeq, 200)
    } finally {
      await other.close()
      await database.close()
    }
  })

  test('verify walks while appends continue without false alarms', async () => {
    const database = await engine.open()
    try {
      const log = createAuditLog({ database })
      await seed(log, 50)
      const results = await Promise.all([
        log.verify({ batchSize: 3 }),
        Promise.all(Array.from({ length: 40 }, (_, i) => log.append({ type: 'dispatch.sent', data: { i } }))),
      ])
      assert.equal(results[0].ok, true)
      assert.deepEqual(await verifyAuditChain(database.db), { ok: true, count: 90, lastSeq: 90, lastHash: results[1].find((e) => e.seq === 90)!.hash })
    } finally {
      await database.close()
    }
  })

  describeTampering(engine.open)
})

function describeTampering(open: () => Promise<TestDatabase>): void {
  let database: TestDatabase
  let log: AuditLog
  let events: AuditEvent[]
  before(async () => { database = await open() })
  after(async () => { await database.close() })
  const reset = async () => {
    await sql`delete from audit_events`.execute(database.db)
    await sql`update audit_chain_head set seq = 0, hash = ${GENESIS_HASH}`.execute(database.db)
    log = createAuditLog({ database, clock: fixedClock(T0) })
    events = await seed(log, 8)
    assert.equal((await log.verify()).ok, true)
  }
  const expectBroken = async (firstBadSeq: number, reason: RegExp) => {
    const result = await log.verify({ batchSize: 3 })
    assert.equal(result.ok, false)
    assert.equal(!result.ok && result.firstBadSeq, firstBadSeq)
    assert.match(!result.ok ? result.reason : '', reason)
    assert.equal(!result.ok && result.count, firstBadSeq - 1)
  }

  test('tampering: an altered field is caught at its event', async () => {
    await reset()
    await sql`update audit_events set principal = 'mallory' where seq = 5`.execute(database.db)
    await expectBroken(5, /content does not match its hash/)
  })

  test('tampering: altered data is caught at its event', async () => {
    await reset()
    await sql`update audit_events set data = '{"i":99}' where seq = 3`.execute(database.db)
    await expectBroken(3, /content does not match/)
  })

  test('tampering: a deleted middle event leaves a gap', async () => {
    await reset()
    await sql`delete from audit_events where seq = 4`.execute(database.db)
    await expectBroken(4, /event 4 is missing/)
  })

  test('tampering: deleted last events are caught against the chain head', async () => {
    await reset()
    await sql`delete from audit_events where seq >= 7`.execute(database.db)
    await expectBroken(7, /events 7..8 are missing/)
  })

  test('tampering: a forged event, even correctly hashed and linked, is caught', async () => {
    await reset()
    const last = events.at(-1)!
    const forged = { ...last, seq: 9, prevHash: last.hash, principal: 'mallory', data: {} }
    const hash = hashAuditEvent(forged)
    await sql`insert into audit_events (seq, at, type, principal, principal_type, environment, dag, action, request_id, decision, policy_ids, data, prev_hash, hash)
      values (9, ${forged.at}, ${forged.type}, 'mallory', null, 'prod', 'dag_8', 'dag:trigger', null, null, '[]', '{}', ${last.hash}, ${hash})`.execute(database.db)
    await expectBroken(9, /not appended through the audit log/)
  })

  test('tampering: a forged event inserted in place of a deleted one is caught', async () => {
    await reset()
    await sql`delete from audit_events where seq = 6`.execute(database.db)
    await sql`insert into audit_events (seq, at, type, principal, principal_type, environment, dag, action, request_id, decision, policy_ids, data, prev_hash, hash)
      values (6, ${events[5]!.at}, 'dispatch.sent', 'mallory', null, null, null, null, null, null, '[]', '{}', ${events[4]!.hash}, ${'f'.repeat(64)})`.execute(database.db)
    await expectBroken(6, /content does not match/)
  })

  test('tampering: two events with swapped seq are caught at the first', async () => {
    await reset()
    await sql`update audit_events set seq = 100 where seq = 3`.execute(database.db)
    await sql`update audit_events set seq = 3 where seq = 6`.execute(database.db)
    await sql`update audit_events set seq = 6 where seq = 100`.execute(database.db)
    await expectBroken(3, /does not link/)
  })

  test('tampering: an edited hash is caught at its event', async () => {
    await reset()
    await sql`update audit_events set hash = ${'a'.repeat(64)} where seq = 2`.execute(database.db)
    await expectBroken(2, /content does not match its hash/)
  })

  test('tampering: a rewritten tail with recomputed hashes still disagrees with the chain head', async () => {
    await reset()
    const edited = { ...events[7]!, principal: 'mallory' }
    const { hash: _old, ...rest } = edited
    await sql`update audit_events set principal = 'mallory', hash = ${hashAuditEvent(rest)} where seq = 8`.execute(database.db)
    await expectBroken(8, /differs from the chain head/)
  })
}

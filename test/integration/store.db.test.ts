import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { GENESIS_HASH } from '../../src/audit/index.ts'
import { isConductorError } from '../../src/core/index.ts'
import { isUniqueViolation, migrateToLatest, migrations, transaction } from '../../src/store/index.ts'
import { forEachEngine } from '../../harness/databases.ts'

const row = (seq: number) => ({
  seq, at: '2026-01-01T00:00:00.000Z', type: 't', principal: null, principal_type: null, environment: null, dag: null,
  action: null, request_id: null, decision: null, policy_ids: '[]', data: '{}', prev_hash: GENESIS_HASH, hash: GENESIS_HASH,
})

forEachEngine((engine) => {
  test('a fresh database is migrated to the latest schema, and migrating again does nothing', async () => {
    const database = await engine.open()
    try {
      assert.deepEqual(await migrateToLatest(database), [])
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db)
      assert.deepEqual(applied.rows.map((r) => r.name), Object.keys(migrations).sort())
      const head = await database.db.selectFrom('audit_chain_head').selectAll().execute()
      assert.deepEqual(head, [{ id: 1, seq: 0, hash: GENESIS_HASH }])
    } finally {
      await database.close()
    }
  })

  test('a duplicate key is recognised as a unique violation, other errors are not', async () => {
    const database = await engine.open()
    try {
      await database.db.insertInto('audit_events').values(row(1)).execute()
      const duplicate = await database.db.insertInto('audit_events').values(row(1)).execute().catch((e: unknown) => e)
      assert.equal(isUniqueViolation(duplicate), true)
      const missingColumn = await sql`insert into audit_events (nope) values (1)`.execute(database.db).catch((e: unknown) => e)
      assert.ok(missingColumn instanceof Error)
      assert.equal(isUniqueViolation(missingColumn), false)
    } finally {
      await database.close()
    }
  })

  test('a transaction commits when its work resolves and leaves nothing behind when it throws', async () => {
    const database = await engine.open()
    try {
      await transaction(database, async (trx) => { await trx.insertInto('audit_events').values(row(1)).execute() })
      await assert.rejects(transaction(database, async (trx) => {
        await trx.insertInto('audit_events').values(row(2)).execute()
        throw new Error('boom')
      }), /boom/)
      const { count } = await database.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
      assert.equal(count, 1)
      assert.equal(typeof count, 'number')
    } finally {
      await database.close()
    }
  })

  test('a failing migration stops start-up with store_unavailable naming it', async () => {
    const database = await engine.open()
    try {
      await sql`delete from kysely_migration`.execute(database.db)
      await assert.rejects(migrateToLatest(database), (e) =>
        isConductorError(e, 'store_unavailable') && e.details?.migration === '0001-audit' && /Migration 0001-audit failed/.test(e.message))
    } finally {
      await database.close()
    }
  })
})

import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { sql } from 'kysely'
import { isConductorError } from '../../src/core/index.ts'
import { migrateToLatest, openDatabase } from '../../src/store/index.ts'

// What the store does with the URL it is given, whichever engine the per-engine suites run on (store.db.test.ts).
test('sqlite: the file and its folder are created, with WAL, synchronous=FULL and foreign keys on', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'conductor-store-'))
  try {
    const file = join(folder, 'nested', 'data', 'conductor.db')
    const database = await openDatabase({ url: `sqlite:${file}` })
    try {
      assert.equal(database.dialect, 'sqlite')
      assert.ok(existsSync(file))
      const pragma = async (name: string) => Object.values((await sql.raw(`PRAGMA ${name}`).execute(database.db)).rows[0] as object)[0]
      assert.equal(await pragma('journal_mode'), 'wal')
      assert.equal(await pragma('synchronous'), 2)
      assert.equal(await pragma('foreign_keys'), 1)
      assert.ok(Number(await pragma('busy_timeout')) >= 1000)
    } finally {
      await database.close()
      await database.close()
    }
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
})

test('sqlite::memory: opens an in-memory database that migrates', async () => {
  const database = await openDatabase({ url: 'sqlite::memory:' })
  try {
    await migrateToLatest(database)
    assert.deepEqual(await database.db.selectFrom('audit_events').selectAll().execute(), [])
  } finally {
    await database.close()
  }
})

test('an unknown URL scheme is invalid input; an unreachable PostgreSQL is store_unavailable without the password', async () => {
  await assert.rejects(openDatabase({ url: 'mysql://localhost/x' }), (e) => isConductorError(e, 'invalid_input'))
  await assert.rejects(openDatabase({ url: 'postgres://conductor:pa55word@127.0.0.1:1/conductor' }), (e) =>
    isConductorError(e, 'store_unavailable') && !e.message.includes('pa55word') && e.message.includes('127.0.0.1:1'))
})

/* eslint-disable @typescript-eslint/no-explicit-any -- SCIM answers are JSON read field by field */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { createGroupTransactions, isUniqueViolation } from '../../src/store/index.ts'
import { forEachEngine } from '../../harness/databases.ts'
import { assertScimError, scimServerFor, USER } from './scim-support.ts'

forEachEngine((engine) => {
  test('units of work committed together behave as if run alone: a failing one changes nothing, the others are stored', async () => {
    const database = await engine.open()
    try {
      await sql`create table gc_items (id text primary key, n integer not null)`.execute(database.db)
      const group = createGroupTransactions<any>(database)
      const insert = (id: string, n: number) => group.run(async (trx) => {
        await sql`insert into gc_items (id, n) values (${id}, ${n})`.execute(trx)
        return id
      })
      const results = await Promise.allSettled([
        insert('a', 1),
        // Writes first, then fails: its first row must be rolled back with it.
        group.run(async (trx) => { await sql`insert into gc_items (id, n) values ('half', 0)`.execute(trx); await sql`insert into gc_items (id, n) values ('a', 2)`.execute(trx) }),
        insert('b', 3),
        group.run(async () => { throw new Error('refused') }),
        insert('c', 4),
      ])
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'])
      assert.ok(isUniqueViolation((results[1] as PromiseRejectedResult).reason))
      assert.equal((results[3] as PromiseRejectedResult).reason.message, 'refused')
      const rows = await sql<{ id: string; n: number }>`select id, n from gc_items order by id`.execute(database.db)
      assert.deepEqual(rows.rows.map((r) => [r.id, Number(r.n)]), [['a', 1], ['b', 3], ['c', 4]])
    } finally {
      await database.close()
    }
  })

  const s = scimServerFor(engine)
  test('an identity provider pushing users in parallel: every distinct user is created, a duplicate userName alone gets 409', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `push${i}@example.com`)
    const answers = await Promise.all([...names, 'push3@example.com'].map((userName) => s.call('POST', '/Users', { body: { schemas: [USER], userName } })))
    assert.equal(answers.filter((a) => a.status === 201).length, names.length)
    assertScimError(answers.find((a) => a.status !== 201)!, 409, 'uniqueness')
    const listed = await s.call('GET', `/Users?filter=${encodeURIComponent('userName sw "push"')}&count=100`)
    assert.deepEqual(listed.body.Resources.map((u: any) => u.userName).sort(), [...names].sort())
  })
})

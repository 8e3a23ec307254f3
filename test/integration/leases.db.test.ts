import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { systemClock } from '../../src/core/index.ts'
import { createSessionStore, type OidcLogin, type Principal } from '../../src/identity/index.ts'
import { createKeyedLock, createLeases, openDatabase, type Database, type Fence, type Leases } from '../../src/store/index.ts'
import { forEachEngine } from '../../harness/databases.ts'
import { eventually } from '../../harness/poll.ts'

// Two replicas are two connections to one database, each with its own leases, as two `conductor serve` processes are.

forEachEngine((engine) => {
  test('of two replicas exactly one holds a lease and runs its work; the other skips it', async () => {
    const database = await engine.open()
    const second = await openDatabase({ url: database.url })
    const a = createLeases({ database, clock: systemClock, holder: 'replica-a', leaseSeconds: 2 })
    const b = createLeases({ database: second, clock: systemClock, holder: 'replica-b', leaseSeconds: 2 })
    try {
      const ran: string[] = []
      const leaseA = a.claim('catalog-sync')
      const leaseB = b.claim('catalog-sync')
      await a.start()
      await b.start()
      assert.equal(leaseA.held(), true)
      assert.equal(leaseB.held(), false)
      assert.equal(await leaseA.run(async (fence) => { ran.push(`a:${fence.token}`); return 'done' }), 'done')
      assert.equal(await leaseB.run(async () => { ran.push('b') }), undefined)
      assert.deepEqual(ran, ['a:1'])
      // Renewals keep it with the same holder and token well past the lease time.
      await sleep(2_500)
      assert.equal(leaseA.held(), true)
      assert.equal(leaseB.held(), false)
      assert.deepEqual((await b.list()).map((l) => [l.name, l.holder, l.token]), [['catalog-sync', 'replica-a', 1]])
    } finally {
      await a.stop()
      await b.stop()
      await second.close()
      await database.close()
    }
  })

  test('when the holder stops renewing, its fence drops first, then the other replica takes over with a larger token and runs at once', async () => {
    const database = await engine.open()
    const dying = await openDatabase({ url: database.url })
    const survivorDb = await openDatabase({ url: database.url })
    let survivor: Leases | undefined
    try {
      const holder = createLeases({ database: dying, clock: systemClock, holder: 'replica-a', leaseSeconds: 1, onError: () => {} })
      const lease = holder.claim('dispatch-resolver')
      await holder.start()
      let fence: Fence | undefined
      await lease.run(async (f) => { fence = f })
      assert.equal(fence?.token, 1)
      assert.equal(fence?.held(), true)

      const acquired: { at: number; oldFenceHeld: boolean }[] = []
      survivor = createLeases({
        database: survivorDb, clock: systemClock, holder: 'replica-b', leaseSeconds: 1,
      })
      const taken = survivor.claim('dispatch-resolver', { onAcquired: () => acquired.push({ at: Date.now(), oldFenceHeld: fence!.held() }) })
      await survivor.start()
      assert.equal(taken.held(), false)

      // The holder loses its database (as a crashed or cut-off replica does): its renewals fail from now on.
      const lostAt = Date.now()
      await dying.close()
      await eventually(() => acquired.length > 0, { what: 'the survivor to take the lease over', timeoutMs: 5_000, intervalMs: 50 })
      assert.equal(acquired.length, 1)
      assert.equal(acquired[0]!.oldFenceHeld, false, 'the old holder had stopped believing it holds the lease before the takeover')
      assert.ok(acquired[0]!.at - lostAt < 3_000, `taken over within the lease time, a tick and slack for a loaded machine (${acquired[0]!.at - lostAt} ms)`)
      assert.equal(taken.held(), true)
      assert.equal(lease.held(), false)
      const ran = await taken.run(async (f) => f.token)
      assert.equal(ran, 2)
      await holder.stop()
    } finally {
      await survivor?.stop()
      await survivorDb.close()
      await dying.close()
      await database.close()
    }
  })

  test('a replica that stops gives its leases up, so the next one takes them at once rather than after the lease time', async () => {
    const database = await engine.open()
    const second = await openDatabase({ url: database.url })
    const a = createLeases({ database, clock: systemClock, holder: 'replica-a', leaseSeconds: 60 })
    const b = createLeases({ database: second, clock: systemClock, holder: 'replica-b', leaseSeconds: 60 })
    try {
      a.claim('webhook-outbox')
      const outbox = b.claim('webhook-outbox')
      await a.start()
      await b.start()
      assert.equal(outbox.held(), false)
      await a.stop()
      await b.stop()
      await b.start()
      assert.equal(outbox.held(), true)
      assert.deepEqual((await b.list()).map((l) => [l.holder, l.token]), [['replica-b', 2]])
    } finally {
      await a.stop()
      await b.stop()
      await second.close()
      await database.close()
    }
  })

  test('the budget lock lets one holder at a time through, across two connections to the database', async () => {
    const database = await engine.open()
    const second = await openDatabase({ url: database.url })
    try {
      const locks = [createKeyedLock(database), createKeyedLock(second)]
      let inside = 0
      let most = 0
      const order: number[] = []
      // On SQLite there is one writer per database and the pipeline's in-process lock: the shared lock passes through.
      const callers = engine.name === 'postgres' ? 8 : 1
      await Promise.all(Array.from({ length: callers }, (_, i) => locks[i % 2]!('budget\u0000agent-1\u0000dag:trigger', async () => {
        inside++
        most = Math.max(most, inside)
        await sleep(20)
        order.push(i)
        inside--
      })))
      assert.equal(most, 1)
      assert.equal(order.length, callers)
      // Another key is not held up by the first.
      const other = await locks[1]!('budget\u0000agent-2\u0000dag:trigger', async () => 'free')
      assert.equal(other, 'free')
    } finally {
      await second.close()
      await database.close()
    }
  })

  test('a session due for renewal, used at two replicas at once, is renewed with the IdP once (a rotating refresh token is never spent twice)', async () => {
    const database = await engine.open()
    const second = await openDatabase({ url: database.url })
    try {
      const alice: Principal = { type: 'User', id: 'alice', issuer: 'idp', subject: 'sub-alice', groups: ['data-eng'] } as Principal
      let refreshes = 0
      const login = {
        refresh: async (refreshToken: string) => {
          refreshes++
          await sleep(50)
          return { accessToken: `access-after-${refreshToken}`, refreshToken: `${refreshToken}+1`, idToken: null, idpSessionId: null }
        },
      } as unknown as OidcLogin
      const store = (db: Database) => createSessionStore({
        db: db.db, clock: systemClock, login, config: { cookieName: 'c', idleTimeoutMinutes: 30, absoluteTimeoutHours: 12, revalidateSeconds: 0 },
        toPrincipal: async () => alice, onEvent: async () => {},
      })
      const [one, two] = [store(database), store(second)]
      const { cookieValue } = await one.create(alice, { accessToken: 'a0', refreshToken: 'r0', idToken: null, idpSessionId: null } as never)
      const sessions = await Promise.all([one.authenticate(cookieValue), two.authenticate(cookieValue), one.authenticate(cookieValue), two.authenticate(cookieValue)])
      assert.deepEqual(sessions.map((s) => s.principal.id), ['alice', 'alice', 'alice', 'alice'])
      assert.equal(refreshes, 1)
      const row = await database.db.selectFrom('sessions').select(['refresh_token', 'ended_at']).executeTakeFirstOrThrow()
      assert.deepEqual(row, { refresh_token: 'r0+1', ended_at: null })
      // The next request renews again, with the rotated token.
      await two.authenticate(cookieValue)
      assert.equal(refreshes, 2)
      assert.equal((await database.db.selectFrom('sessions').select('refresh_token').executeTakeFirstOrThrow()).refresh_token, 'r0+1+1')
    } finally {
      await second.close()
      await database.close()
    }
  })
})

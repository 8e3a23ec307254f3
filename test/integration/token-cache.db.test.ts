import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, test } from 'node:test'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { startTestApp } from '../../harness/app.ts'
import { isConductorError } from '../../src/core/index.ts'
import { createRevocations, createTokenVerifier } from '../../src/identity/index.ts'

// The verified-token cache on the real server: a token presented again is not verified again, yet revocation still
// holds on its next use here, and within a second on another replica sharing the database.
forEachEngine((engine) => {
  let database: TestDatabase
  before(async () => { database = await engine.open() })
  after(async () => { await database?.close() })

  test('a token presented again is refused at once after its subject is revoked here, and within a second on another replica', async (t) => {
    const app = await startTestApp({ databaseUrl: database.url, environments: [{ name: 'local', url: 'http://127.0.0.1:1' }] })
    t.after(() => app.close())
    const base = await app.listen()
    const me = (token: string) => fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })
    const alice = await app.tokenFor('alice')
    const bob = await app.tokenFor('bob')
    for (let i = 0; i < 3; i++) assert.equal((await me(alice)).status, 200)
    assert.equal((await me(bob)).status, 200)
    assert.deepEqual(app.tokenCacheStats(), { hits: 2, misses: 2, entries: 2 }, 'each token was verified once')

    // A second replica's view of the revocation list: it has just checked alice's token and found it good.
    const verifier = createTokenVerifier({ identity: app.identity })
    t.after(() => verifier.close())
    const verified = await verifier.verify(alice)
    assert.equal((await verifier.verify(alice)).subject, verified.subject)
    assert.deepEqual(verifier.cacheStats(), { hits: 1, misses: 1, entries: 1 })
    const replica = createRevocations({ db: app.database.db, clock: app.database.clock })
    await replica.check(verified)

    await app.revoker.revokePrincipal({ issuer: verified.issuerName, subject: verified.subject }, 'offboarded')
    const refused = await me(alice)
    assert.equal(refused.status, 401)
    assert.equal((await refused.json() as { error: { code: string } }).error.code, 'session_revoked')
    assert.equal((await me(bob)).status, 200, 'someone else\'s token still works')

    const revokedAt = performance.now()
    let refusedAfter: number | null = null
    while (performance.now() - revokedAt < 1500) {
      try {
        await replica.check(verified)
      } catch (error) {
        assert.ok(isConductorError(error, 'session_revoked'))
        refusedAfter = performance.now() - revokedAt
        break
      }
      await sleep(50)
    }
    assert.ok(refusedAfter !== null && refusedAfter <= 1100, `the other replica refused the token after ${refusedAfter} ms`)
  })
})

test('a cached token is refused once it expires, and a token differing in one character is verified on its own', async (t) => {
  const { generateKeyPair, exportJWK, SignJWT } = await import('jose')
  const { createServer } = await import('node:http')
  const { fixedClock } = await import('../../src/core/index.ts')
  const { configSchema } = await import('../../src/config/index.ts')
  const { privateKey, publicKey } = await generateKeyPair('RS256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  const server = createServer((_req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ keys: [jwk] })) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() }))
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  const identity = configSchema.parse({
    identity: { audience: 'conductor', clockSkewSeconds: 30, issuers: [{ name: 'corp', issuer: 'https://corp.example', jwksUri: `${url}/jwks` }] },
  }).identity
  const start = Date.UTC(2026, 0, 5, 12)
  const clock = fixedClock(start)
  const verifier = createTokenVerifier({ identity, clock })
  t.after(() => verifier.close())
  const exp = start / 1000 + 60
  const token = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer('https://corp.example').setAudience('conductor').setIssuedAt(start / 1000).setExpirationTime(exp).sign(privateKey)

  assert.equal((await verifier.verify(token)).subject, 'alice')
  assert.equal((await verifier.verify(token)).subject, 'alice')
  const last = token.at(-2) === 'A' ? 'B' : 'A'
  await assert.rejects(verifier.verify(`${token.slice(0, -2)}${last}${token.at(-1)}`), { code: 'token_invalid_signature' })
  // Within the clock skew after exp the token still holds, as it did when first verified; after it, it is refused.
  clock.set((exp + 20) * 1000)
  assert.equal((await verifier.verify(token)).subject, 'alice')
  clock.set((exp + 31) * 1000)
  await assert.rejects(verifier.verify(token), { code: 'token_expired' })
  assert.equal(verifier.cacheStats().hits, 2)
})

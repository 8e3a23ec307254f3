import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { fixedClock } from '../../src/core/index.ts'
import { forEachEngine, type TestDatabase } from '../../harness/databases.ts'
import { freePort, startTestApp } from '../../harness/app.ts'
import { browser, signIn } from '../support/http-browser.ts'

forEachEngine((engine) => {
  let database: TestDatabase
  let app: Awaited<ReturnType<typeof startTestApp>>
  let base: string
  before(async () => {
    database = await engine.open()
    const port = await freePort()
    app = await startTestApp({ databaseUrl: database.url, environments: [{ name: 'local', url: 'http://127.0.0.1:1' }], port, extraConfig: { sessions: { revalidateSeconds: 0 } } })
    base = await app.listen()
  })
  after(async () => {
    await app?.close()
    await database?.close()
  })

  test('sign in with authorization code + PKCE: an HttpOnly session cookie, the session and its CSRF token', async () => {
    const b = browser()
    const done = await signIn(b, base, 'alice')
    assert.equal(done.url.pathname, '/dags', 'back where the sign-in started')
    const cookie = b.jar.get(new URL(base).origin)?.get('conductor_session')
    assert.ok(cookie)
    const session = await b.go(`${base}/auth/session`)
    assert.equal(session.res.status, 200)
    const body = JSON.parse(session.body)
    assert.equal(body.principal.id, 'alice')
    assert.deepEqual(body.principal.groups, ['data-eng'])
    assert.ok(body.csrfToken.length > 20)
    assert.equal((await b.go(`${base}/api/v1/me`)).res.status, 200)
    const events = await app.audit.query({ type: 'session.created', principal: 'alice' })
    assert.equal(events.length >= 1, true)
  })

  test('a wrong password does not sign in; a forged or replayed callback is refused', async () => {
    const b = browser()
    const failed = await signIn(b, base, 'alice', 'wrong')
    assert.equal(failed.res.status, 401)
    assert.equal(b.jar.get(new URL(base).origin)?.get('conductor_session'), undefined)
    const forged = await b.go(`${base}/auth/callback?state=made-up&code=abc`)
    assert.equal(forged.res.status, 400)
    assert.equal(JSON.parse(forged.body).error.code, 'login_failed')
  })

  test('open redirects are refused: returnTo stays on Conductor', async () => {
    const b = browser()
    const page = await b.go(`${base}/auth/login?returnTo=//evil.example/steal`)
    const action = /<form[^>]*action="([^"]+)"/.exec(page.body)![1]!
    const done = await b.go(new URL(action, page.url).href, { method: 'POST', body: new URLSearchParams({ prompt: 'login', login: 'alice', password: 'alice' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    assert.equal(done.url.origin, new URL(base).origin)
    assert.equal(done.url.pathname, '/')
  })

  test('state-changing calls with the cookie need the CSRF header from the same origin', async () => {
    const b = browser()
    await signIn(b, base, 'alice')
    const { csrfToken } = JSON.parse((await b.go(`${base}/auth/session`)).body)
    const body = JSON.stringify({ action: 'environment:read', environment: 'local' })
    const json = { 'content-type': 'application/json' }
    const without = await b.go(`${base}/api/v1/authorize`, { method: 'POST', body, headers: json })
    assert.equal(without.res.status, 403)
    assert.equal(JSON.parse(without.body).error.code, 'csrf_invalid')
    const wrong = await b.go(`${base}/api/v1/authorize`, { method: 'POST', body, headers: { ...json, 'x-csrf-token': 'guess' } })
    assert.equal(wrong.res.status, 403)
    const crossSite = await b.go(`${base}/api/v1/authorize`, { method: 'POST', body, headers: { ...json, 'x-csrf-token': csrfToken, origin: 'https://evil.example' } })
    assert.equal(crossSite.res.status, 403)
    const ok = await b.go(`${base}/api/v1/authorize`, { method: 'POST', body, headers: { ...json, 'x-csrf-token': csrfToken, origin: new URL(base).origin } })
    assert.equal(ok.res.status, 200, ok.body)
    assert.equal((await app.audit.query({ type: 'auth.csrf_refused', principal: 'alice' })).length, 3)
  })

  test('logout ends the session here and at the issuer; the old cookie gets 401', async () => {
    const b = browser()
    await signIn(b, base, 'alice')
    const oldCookie = b.jar.get(new URL(base).origin)!.get('conductor_session')!
    const { csrfToken } = JSON.parse((await b.go(`${base}/auth/session`)).body)
    assert.equal((await b.go(`${base}/auth/logout`, { method: 'POST' })).res.status, 403, 'logout needs the CSRF token too')
    const out = await b.go(`${base}/auth/logout`, { method: 'POST', headers: { 'x-csrf-token': csrfToken } })
    assert.equal(out.res.status, 200)
    assert.match(JSON.parse(out.body).redirectTo, /^http:\/\/127\.0\.0\.1:\d+\/session\/end/)
    const replay = await fetch(`${base}/api/v1/me`, { headers: { cookie: `conductor_session=${oldCookie}` } })
    assert.equal(replay.status, 401)
    assert.equal(((await replay.json()) as { error: { code: string } }).error.code, 'session_invalid')
  })

  test('a session dies at the next request when the IdP disables the user or drops a group', async () => {
    const b = browser()
    await signIn(b, base, 'bob')
    assert.equal((await b.go(`${base}/api/v1/me`)).res.status, 200)
    app.devIssuer!.setUser('bob', { groups: [] })
    const dropped = await b.go(`${base}/api/v1/me`)
    assert.equal(dropped.res.status, 401)
    assert.equal(JSON.parse(dropped.body).error.code, 'session_revoked')
    app.devIssuer!.setUser('bob', { groups: ['analysts'] })

    const c = browser()
    await signIn(c, base, 'bob')
    app.devIssuer!.setUser('bob', { enabled: false })
    const disabled = await c.go(`${base}/api/v1/me`)
    assert.equal(disabled.res.status, 401)
    assert.equal(JSON.parse(disabled.body).error.code, 'session_revoked')
    app.devIssuer!.setUser('bob', { enabled: true })
    const ended = await app.audit.query({ type: 'session.ended', principal: 'bob' })
    assert.deepEqual(ended.map((e) => String(e.data.reason).split(':')[0]), ['lost_groups', 'idp_refused_refresh'])
  })

  test('idle and absolute timeouts end the session', async () => {
    const clock = fixedClock(Date.now())
    const port = await freePort()
    const timed = await startTestApp({ databaseUrl: database.url, environments: [], port, app: { clock }, extraConfig: { sessions: { idleTimeoutMinutes: 30, absoluteTimeoutHours: 2, revalidateSeconds: 86_400 } } })
    try {
      const timedBase = await timed.listen()
      const idle = browser()
      const busy = browser()
      await signIn(idle, timedBase, 'alice')
      await signIn(busy, timedBase, 'alice')
      const status = async (who: ReturnType<typeof browser>) => {
        const r = await who.go(`${timedBase}/api/v1/me`)
        return r.res.status === 200 ? 200 : JSON.parse(r.body).error.code
      }
      const at = async (minutes: number) => clock.set(started + minutes * 60_000)
      const started = clock.now()
      await at(25); assert.equal(await status(busy), 200)
      await at(29); assert.equal(await status(idle), 200, 'activity within the idle timeout')
      await at(50); assert.equal(await status(busy), 200)
      await at(60); assert.equal(await status(idle), 'session_expired', '31 minutes idle')
      await at(75); assert.equal(await status(busy), 200)
      await at(100); assert.equal(await status(busy), 200)
      await at(125); assert.equal(await status(busy), 'session_expired', 'past the absolute timeout, however active')
      const reasons = (await timed.audit.query({ type: 'session.ended' })).map((e) => e.data.reason)
      assert.deepEqual(reasons.slice(-2), ['idle_timeout', 'absolute_timeout'])
    } finally {
      await timed.close()
    }
  })

  test('signing out at the identity provider ends the console session through back-channel logout', async () => {
    const b = browser()
    await signIn(b, base, 'alice')
    assert.equal((await b.go(`${base}/api/v1/me`)).res.status, 200)
    const confirm = await b.go(`${app.devIssuer!.issuer}/session/end`)
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(confirm.body)
    assert.ok(form, 'the issuer asks to confirm sign-out')
    const fields = new URLSearchParams([...form![2]!.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]))
    fields.set('logout', 'yes')
    await b.go(new URL(form![1]!, confirm.url).href, { method: 'POST', body: fields, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    const after = await b.go(`${base}/api/v1/me`)
    assert.equal(after.res.status, 401)
    assert.equal(JSON.parse(after.body).error.code, 'session_invalid')
    const revoked = await app.audit.query({ type: 'access.revoked' })
    assert.equal(revoked.at(-1)!.data.reason, 'backchannel_logout')
    assert.equal(revoked.at(-1)!.data.sessionsEnded, 1)
  })

  test('a forged back-channel logout token is refused and changes nothing', async () => {
    const b = browser()
    await signIn(b, base, 'carol')
    const forged = await fetch(`${base}/auth/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: await app.tokenFor('carol') }) })
    assert.equal(forged.status, 400, 'an access token is not a logout token')
    assert.equal((await b.go(`${base}/api/v1/me`)).res.status, 200)
  })

  test('/auth/config tells the CLI where to sign in', async () => {
    const res = await fetch(`${base}/auth/config`)
    const body = await res.json() as Record<string, unknown>
    assert.equal(body.issuer, app.devIssuer!.issuer)
    assert.equal(body.cliClientId, 'conductor-cli')
    assert.equal(body.audience, 'conductor')
  })
})

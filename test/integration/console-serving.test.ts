import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { ensureConsoleBuilt } from '../../scripts/build-web.ts'
import { startTestApp } from '../../harness/app.ts'

// The built console at /, a single-page-app fallback for its paths, and API paths that stay API.
let app: Awaited<ReturnType<typeof startTestApp>>
let base: string
before(async () => {
  await ensureConsoleBuilt()
  app = await startTestApp({ databaseUrl: 'sqlite::memory:', environments: [], scim: { enabled: true } })
  base = await app.listen()
})
after(async () => { await app?.close() })

test('the console and its deep links are served as HTML with a strict CSP', async () => {
  for (const path of ['/', '/dags', '/environments/local/dags/etl_daily/runs/conductor__x']) {
    const res = await fetch(`${base}${path}`)
    assert.equal(res.status, 200, path)
    assert.match(res.headers.get('content-type')!, /^text\/html/)
    assert.match(res.headers.get('content-security-policy')!, /default-src 'self'/)
    assert.equal(res.headers.get('x-frame-options'), 'DENY')
    assert.match(await res.text(), /<div id="root">/)
  }
})

test('built assets are cached forever; unknown files, API, auth and SCIM paths are not the console', async () => {
  const asset = readdirSync(new URL('../../web/dist/assets', import.meta.url)).find((f) => f.endsWith('.js'))!
  const js = await fetch(`${base}/assets/${asset}`)
  assert.equal(js.status, 200)
  assert.match(js.headers.get('cache-control')!, /immutable/)
  assert.equal((await fetch(`${base}/assets/nope.js`)).status, 404)
  for (const path of ['/api/v1/nope', '/auth/nope', '/openapi.json/x']) {
    const res = await fetch(`${base}${path}`)
    assert.equal(res.status, 404, path)
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found')
  }
  const { token } = await app.scim!.tokens.create('test')
  const scim = await fetch(`${base}/scim/v2/Nope`, { headers: { authorization: `Bearer ${token}` } })
  assert.equal(scim.status, 404)
  assert.match(scim.headers.get('content-type')!, /scim\+json/)
})

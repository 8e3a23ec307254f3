import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fixedClock, isConductorError } from '../core/index.ts'
import { createSecrets } from './secrets.ts'

describe('createSecrets', () => {
  let folder: string
  before(async () => { folder = await mkdtemp(join(tmpdir(), 'conductor-secrets-')) })
  after(async () => { await rm(folder, { recursive: true, force: true }) })

  it('resolves a reference through the named file provider and sees rotation', async () => {
    const secrets = createSecrets({ providers: [{ name: 'files', type: 'file', path: folder }] })
    await writeFile(join(folder, 'airflow'), '{"username":"svc","password":"pw-1"}\n')
    assert.deepEqual(await secrets.getJson({ provider: 'files', secret: 'airflow' }), { username: 'svc', password: 'pw-1' })
    await writeFile(join(folder, 'airflow'), '{"username":"svc","password":"pw-2-rotated"}\n')
    assert.deepEqual(await secrets.getJson({ provider: 'files', secret: 'airflow' }), { username: 'svc', password: 'pw-2-rotated' })
    assert.equal(await secrets.get({ provider: 'files', secret: 'airflow' }), '{"username":"svc","password":"pw-2-rotated"}')
    secrets.close()
  })

  it('reports an unknown provider as secret_not_found', async () => {
    const secrets = createSecrets({ providers: [] })
    await assert.rejects(secrets.get({ provider: 'vault', secret: 'x' }), (error) =>
      isConductorError(error, 'secret_not_found') && /vault/.test(error.message))
  })

  it('reports a secret that is not JSON as secret_unreadable without quoting it', async () => {
    const secrets = createSecrets({ providers: [{ name: 'files', type: 'file', path: folder }] })
    await writeFile(join(folder, 'broken'), 'hunter2-not-json')
    await assert.rejects(secrets.getJson({ provider: 'files', secret: 'broken' }), (error) => {
      assert.ok(isConductorError(error, 'secret_unreadable'))
      assert.doesNotMatch(`${error.message} ${JSON.stringify(error.details)} ${String(error.cause)}`, /hunter2/)
      assert.match(error.message, /"broken".*"files"/)
      return true
    })
  })

  it('lets a custom provider stand in for a configured one', async () => {
    const secrets = createSecrets({
      providers: [{ name: 'files', type: 'file', path: folder }],
      custom: [{ name: 'files', get: async (name) => `fake:${name}`, close: () => {} }],
    })
    assert.equal(await secrets.get({ provider: 'files', secret: 'anything' }), 'fake:anything')
  })

  it('serves a cached value for ttlSeconds, reads again after it or after invalidate, and reports version and age', async () => {
    const clock = fixedClock(Date.parse('2026-11-30T12:00:00Z'))
    const secrets = createSecrets({ providers: [{ name: 'files', type: 'file', path: folder, ttlSeconds: 60 }], clock })
    const ref = { provider: 'files', secret: 'cached' }
    await writeFile(join(folder, 'cached'), 'v1-value')
    assert.equal(await secrets.get(ref), 'v1-value')
    await writeFile(join(folder, 'cached'), 'v2-value-longer')
    clock.advance(59_000)
    assert.equal(await secrets.get(ref), 'v1-value', 'within the TTL')
    assert.deepEqual({ ...secrets.status(ref), version: null }, {
      provider: 'files', type: 'file', secret: 'cached', version: null, fetchedAt: '2026-11-30T12:00:00.000Z', ageSeconds: 59, ok: true, stale: false, error: null, errorCode: null,
    })
    clock.advance(2_000)
    assert.equal(await secrets.get(ref), 'v2-value-longer', 'after the TTL')
    await writeFile(join(folder, 'cached'), 'v3-value')
    secrets.invalidate(ref)
    assert.equal(await secrets.get(ref), 'v3-value', 'after invalidate')
    await rm(join(folder, 'cached'))
    secrets.invalidate(ref)
    const status = await secrets.check(ref)
    assert.deepEqual([status.ok, status.stale, status.errorCode], [false, false, 'secret_not_found'], 'a missing secret is no provider outage: no stale value')
    assert.equal(secrets.status({ provider: 'files', secret: 'never-read' }), null)
  })
})

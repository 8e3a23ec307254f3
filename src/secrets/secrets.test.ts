import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { isConductorError } from '../core/index.ts'
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
})

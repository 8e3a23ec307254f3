import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { isConductorError } from '../core/index.ts'
import { createFileSecretsProvider } from './file-provider.ts'

describe('file secrets provider', () => {
  let folder: string
  before(async () => { folder = await mkdtemp(join(tmpdir(), 'conductor-secrets-')) })
  after(async () => { await rm(folder, { recursive: true, force: true }) })

  it('reads one secret per file and trims the trailing newline', async () => {
    await writeFile(join(folder, 'db-password'), 's3cr3t-value\n')
    await writeFile(join(folder, 'crlf'), 'line-one\r\n')
    const provider = createFileSecretsProvider({ name: 'files', path: folder })
    assert.equal(await provider.get('db-password'), 's3cr3t-value')
    assert.equal(await provider.get('crlf'), 'line-one')
  })

  it('sees a rotated secret on the next call, rewritten in place or swapped by rename', async () => {
    const provider = createFileSecretsProvider({ name: 'files', path: folder })
    await writeFile(join(folder, 'rotating'), 'first')
    assert.equal(await provider.get('rotating'), 'first')
    await writeFile(join(folder, 'rotating'), 'secnd') // same size, rewritten in place
    assert.equal(await provider.get('rotating'), 'secnd')
    await writeFile(join(folder, 'rotating.tmp'), 'third-value\n')
    await rename(join(folder, 'rotating.tmp'), join(folder, 'rotating'))
    assert.equal(await provider.get('rotating'), 'third-value')
  })

  it('follows the symlink swap Kubernetes uses to rotate mounted secrets', async () => {
    const mount = join(folder, 'k8s')
    await mkdir(join(mount, '..v1'), { recursive: true })
    await mkdir(join(mount, '..v2'), { recursive: true })
    await writeFile(join(mount, '..v1', 'token'), 'token-one\n')
    await writeFile(join(mount, '..v2', 'token'), 'token-two\n')
    await symlink('..v1', join(mount, '..data'))
    await symlink(join('..data', 'token'), join(mount, 'token'))
    const provider = createFileSecretsProvider({ name: 'k8s', path: mount })
    assert.equal(await provider.get('token'), 'token-one')
    await symlink('..v2', join(mount, '..data_tmp'))
    await rename(join(mount, '..data_tmp'), join(mount, '..data'))
    assert.equal(await provider.get('token'), 'token-two')
  })

  it('reports a missing secret as secret_not_found, naming provider and secret', async () => {
    const provider = createFileSecretsProvider({ name: 'files', path: folder })
    await assert.rejects(provider.get('nope'), (error) => {
      assert.ok(isConductorError(error, 'secret_not_found'))
      assert.match(error.message, /"nope".*"files"/)
      assert.deepEqual(error.details, { provider: 'files', secret: 'nope' })
      return true
    })
  })

  it('refuses path traversal and hidden names without touching the file system', async () => {
    await writeFile(join(folder, '..', 'conductor-outside-secret'), 'outside')
    const provider = createFileSecretsProvider({ name: 'files', path: folder })
    for (const name of ['../conductor-outside-secret', '..', '.', 'a/b', '/etc/passwd', '..data', 'a\\b', '']) {
      await assert.rejects(provider.get(name), (error) => isConductorError(error, 'invalid_input'), name)
    }
    await rm(join(folder, '..', 'conductor-outside-secret'))
  })

  it('reports a folder or an unreadable file as secret_unreadable without the value', async () => {
    const provider = createFileSecretsProvider({ name: 'files', path: folder })
    await mkdir(join(folder, 'a-folder'))
    await assert.rejects(provider.get('a-folder'), (error) => isConductorError(error, 'secret_unreadable'))
    if (process.getuid?.() !== 0) {
      await writeFile(join(folder, 'locked'), 'locked-value')
      await chmod(join(folder, 'locked'), 0o000)
      await assert.rejects(provider.get('locked'), (error) => isConductorError(error, 'secret_unreadable') && !error.message.includes('locked-value'))
    }
  })
})

import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { ConductorError } from '../core/index.ts'
import type { SecretsProvider, SecretVersion } from './secrets-provider.ts'

/** Options of {@link createFileSecretsProvider}. */
export interface FileSecretsProviderOptions {
  /** The provider's name, used in errors. */
  name: string
  /** An absolute folder holding one file per secret (as a mounted Kubernetes secret). */
  path: string
}

// Kubernetes secret keys are [-._a-zA-Z0-9]+; a leading dot is refused too, which keeps out
// `..`, `.` and the `..data` bookkeeping links of mounted secrets.
const SECRET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,252}$/

interface CacheEntry { key: string; value: string; version: string }

/**
 * A secrets provider over a folder: the secret `db-password` is the file `<path>/db-password`,
 * its value the file's UTF-8 text without trailing newlines. Every `get` checks the file's
 * identity (inode, size, modification and change times), so a rewritten or re-linked file —
 * how Kubernetes rotates mounted secrets — is read again on the next call, while an unchanged one
 * is served from memory.
 */
export function createFileSecretsProvider(options: FileSecretsProviderOptions): SecretsProvider {
  const { name, path: folder } = options
  const cache = new Map<string, CacheEntry>()

  async function read(secret: string): Promise<SecretVersion> {
    if (!SECRET_NAME.test(secret)) {
      throw new ConductorError('invalid_input', `Secret name "${secret}" is not allowed by secrets provider "${name}": use letters, digits, ".", "-" and "_", not starting with "."`, {
        details: { provider: name, secret, field: 'secret' },
      })
    }
    const file = join(folder, secret)
    let key: string
    let version: string
    try {
      const info = await stat(file)
      if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' })
      key = `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`
      version = new Date(info.mtimeMs).toISOString()
    } catch (error) {
      throw fileError(error, name, secret)
    }
    const cached = cache.get(secret)
    if (cached && cached.key === key) return { value: cached.value, version: cached.version }
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      throw fileError(error, name, secret)
    }
    const value = text.replace(/(\r?\n)+$/, '')
    cache.set(secret, { key, value, version })
    return { value, version }
  }

  return {
    name,
    read,
    async get(secret: string): Promise<string> {
      return (await read(secret)).value
    },
    close(): void {
      cache.clear()
    },
  }
}

function fileError(error: unknown, provider: string, secret: string): ConductorError {
  const code = (error as NodeJS.ErrnoException | null)?.code
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new ConductorError('secret_not_found', `Secret "${secret}" not found in secrets provider "${provider}"`, {
      details: { provider, secret },
    })
  }
  return new ConductorError('secret_unreadable', `Secret "${secret}" in secrets provider "${provider}" cannot be read (${code ?? 'error'})`, {
    details: { provider, secret, reason: code ?? 'error' },
  })
}

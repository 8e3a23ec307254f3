import { ConductorError, type ErrorCode } from '../core/index.ts'

/** `secret_unavailable` for a provider that cannot be reached or refuses Conductor: the cache may serve the last good value. */
export function unavailable(provider: string, reason: string): ConductorError {
  return new ConductorError('secret_unavailable', `Secrets provider "${provider}" is unavailable: ${reason}`, { details: { provider, reason } })
}

/** A definitive error about one secret (`secret_not_found`, `secret_unreadable`, `invalid_input`), naming provider and secret, never the value. */
export function providerError(code: Extract<ErrorCode, 'secret_not_found' | 'secret_unreadable' | 'invalid_input'>, provider: string, secret: string, what: string): ConductorError {
  return new ConductorError(code, `Secret "${secret}" in secrets provider "${provider}": ${what}`, {
    details: { provider, secret, ...(code === 'invalid_input' ? { field: 'secret' } : { reason: what }) },
  })
}

/**
 * Splits a remote provider's secret name `<path>#<field>` (field optional, `fallbackField` when absent).
 * @throws ConductorError `invalid_input` when the path does not match `pathPattern` or the field is empty.
 */
export function parseSecretName(provider: string, secret: string, pathPattern: RegExp, fallbackField: string | null): { path: string; field: string } & { hasField: boolean } {
  const hash = secret.indexOf('#')
  const path = hash === -1 ? secret : secret.slice(0, hash)
  const field = hash === -1 ? fallbackField : secret.slice(hash + 1)
  if (!pathPattern.test(path) || path.split('/').some((s) => s === '.' || s === '..') || field === '' || (field !== null && [...field].some((c) => c.charCodeAt(0) < 0x20))) {
    throw providerError('invalid_input', provider, secret, 'not a valid secret name (`<path>#<field>`)')
  }
  return { path, field: field ?? '', hasField: hash !== -1 }
}

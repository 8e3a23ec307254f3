/** What a scrubbed value is replaced with. */
export const REDACTED = '[redacted]'

// Keys whose values are secrets whatever they look like (compared lowercased, without `-`, `_` and spaces).
const SECRET_KEYS = new Set([
  'token', 'accesstoken', 'refreshtoken', 'idtoken', 'logouttoken', 'bearertoken', 'password', 'passwd', 'passphrase', 'secret',
  'clientsecret', 'authorization', 'proxyauthorization', 'cookie', 'setcookie', 'apikey', 'xapikey', 'privatekey', 'clientassertion', 'bearer',
])
// A key that names a secret by its last word (`scimToken`, `dbPassword`); `tokensRevokedBefore`, `tokenId` name facts about one.
const SECRET_KEY_SUFFIX = /(token|secret|password|passwd|passphrase|apikey|privatekey|authorization|cookie|assertion)$/
// A JWT/JWS/JWE: base64url segments separated by dots, the first a JSON header (`{"` encodes to `eyJ`).
const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/
const BEARER = /^\s*bearer\s+\S+/i
// eslint-disable-next-line no-control-regex -- NUL is exactly what must go: PostgreSQL text cannot hold it
const LONE_SURROGATE_OR_NUL = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/g

/**
 * A deep copy of `data` in the form it is stored and hashed: JSON values only, every string well-formed and free
 * of NUL, and with secrets scrubbed — values under keys that name a secret (`token`, `access_token`, `password`,
 * `client_secret`, `authorization`, `cookie`, `apiKey`, `scimToken`…; see {@link isSecretKey}) and strings that
 * contain a JWT or a bearer credential become {@link REDACTED}. Facts about tokens (`tokensRevokedBefore`,
 * `tokensRevoked`, `tokenId`) are kept.
 */
export function scrubAuditData(data: Record<string, unknown>): Record<string, unknown> {
  return scrub(JSON.parse(JSON.stringify(data) ?? '{}') as unknown, 0) as Record<string, unknown>
}

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return looksLikeCredential(value) ? REDACTED : cleanString(value)
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      const name = cleanString(key)
      out[name] = isSecretKey(name) && item !== null ? REDACTED : scrub(item, depth + 1)
    }
    return out
  }
  return value
}

/** True when a key names a secret value (`token`, `client_secret`, `scimToken`), not a fact about one (`tokensRevokedBefore`). */
export function isSecretKey(key: string): boolean {
  const name = key.toLowerCase().replace(/[-_\s]/g, '')
  return SECRET_KEYS.has(name) || SECRET_KEY_SUFFIX.test(name)
}

/** True when a string carries a JWT or a bearer credential. */
export function looksLikeCredential(value: string): boolean {
  return JWT.test(value) || BEARER.test(value)
}

/** Well-formed UTF-16 without NUL, so both engines store and hash it identically. */
export function cleanString(value: string): string {
  return value.replace(LONE_SURROGATE_OR_NUL, '\uFFFD')
}

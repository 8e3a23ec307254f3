/**
 * pino `redact` paths that cover credentials wherever Conductor logs them: request and response
 * headers, and the usual secret-bearing keys at the top level and one level down.
 * Use as `pino({ redact: { paths: [...redactionPaths], censor: '[REDACTED]' } })`.
 */
export const redactionPaths: readonly string[] = Object.freeze([
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...['password', 'token', 'access_token', 'refresh_token', 'id_token', 'logout_token', 'subject_token', 'actor_token', 'client_secret', 'client_assertion', 'secret', 'apiKey', 'api_key', 'authorization', 'cookie', 'credentials']
    .flatMap((key) => [key, `*.${key}`]),
])

/** What {@link redactSecrets} writes in place of a secret. */
export const REDACTED = '[REDACTED]'

/**
 * `text` with every occurrence of each of `secrets` replaced by {@link REDACTED}; longer secrets first,
 * so a secret that contains another is hidden whole. Empty and very short (< 4 characters) values
 * are ignored, as hiding them would garble ordinary text without protecting anything.
 */
export function redactSecrets(text: string, secrets: readonly (string | null | undefined)[]): string {
  const values = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4))]
    .sort((a, b) => b.length - a.length)
  let out = text
  for (const value of values) out = out.split(value).join(REDACTED)
  return out
}

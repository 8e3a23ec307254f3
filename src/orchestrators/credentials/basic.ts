import type { AuthStrategy } from '../http-client.ts'
import type { CredentialsDeps } from './credentials.ts'
import { readPasswordCredentials } from './secret-shape.ts'

/**
 * `basic`: HTTP basic auth with the `{"username","password"}` secret, read through the secrets cache on every call
 * (Airflow 2's `/api/v1`). When Airflow refuses it, the cached secret is dropped and the call tried once more with the
 * provider's current value, so a rotated password is picked up at once.
 */
export function createBasicCredentials(deps: Pick<CredentialsDeps, 'env' | 'secrets'>): AuthStrategy {
  let last: string | undefined
  return {
    refreshable: true,
    async headers() {
      const { username, password } = await readPasswordCredentials(deps.env, deps.secrets)
      last = password
      return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` }
    },
    invalidate() { deps.secrets.invalidate(deps.env.credentials) },
    sensitiveValues: () => (last ? [last] : []),
  }
}

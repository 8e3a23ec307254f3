import type { AuthStrategy } from '../http-client.ts'
import type { CredentialsDeps } from './credentials.ts'
import { readPasswordCredentials } from './secret-shape.ts'

/** `basic`: HTTP basic auth with the `{"username","password"}` secret, read on every call (Airflow 2's `/api/v1`). */
export function createBasicCredentials(deps: Pick<CredentialsDeps, 'env' | 'secrets'>): AuthStrategy {
  let last: string | undefined
  return {
    refreshable: false,
    async headers() {
      const { username, password } = await readPasswordCredentials(deps.env, deps.secrets)
      last = password
      return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` }
    },
    invalidate() {},
    sensitiveValues: () => (last ? [last] : []),
  }
}

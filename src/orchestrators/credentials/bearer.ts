import type { EnvironmentConfig } from '../../config/index.ts'
import type { Secrets } from '../../secrets/index.ts'
import type { AuthStrategy } from '../http-client.ts'
import type { CredentialsDeps } from './credentials.ts'
import { wrongShape } from './secret-shape.ts'

const SHAPE = 'a token, or JSON {"token": …}'

/**
 * `bearer`: a static API token (e.g. an Astro deployment API token) sent as `Authorization: Bearer …`.
 * The secret's value is the token, or JSON `{"token": …}`. It is kept between calls and read again after a
 * 401/403, so a rotated token is picked up without a restart.
 */
export function createBearerCredentials(deps: Pick<CredentialsDeps, 'env' | 'secrets'>): AuthStrategy {
  let token: string | undefined
  let inflight: Promise<string> | undefined
  return {
    refreshable: true,
    async headers() {
      if (token === undefined) {
        inflight ??= readBearerToken(deps.env, deps.secrets).finally(() => { inflight = undefined })
        token = await inflight
      }
      return { authorization: `Bearer ${token}` }
    },
    invalidate() {
      token = undefined
      deps.secrets.invalidate(deps.env.credentials)
    },
    sensitiveValues: () => (token ? [token] : []),
  }
}

async function readBearerToken(env: EnvironmentConfig, secrets: Secrets): Promise<string> {
  const text = (await secrets.get(env.credentials)).trim()
  let token: unknown = text
  if (text.startsWith('{')) {
    try {
      token = (JSON.parse(text) as { token?: unknown }).token
    } catch {
      // JSON.parse messages quote the input, so neither the message nor the cause is kept.
      throw wrongShape(env, SHAPE)
    }
  }
  // Anything but printable ASCII without spaces would break (or smuggle) the header.
  if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) throw wrongShape(env, SHAPE)
  return token
}

import { decodeJwt } from 'jose'
import { ConductorError } from '../../core/index.ts'
import type { AuthStrategy } from '../http-client.ts'
import type { CredentialsDeps } from './credentials.ts'
import { readPasswordCredentials } from './secret-shape.ts'

/**
 * `airflow-token`: Airflow 3's `POST /auth/token` with the `{"username","password"}` secret gives a JWT, cached
 * until shortly before its `exp` and fetched again after a 401/403. The secret is read (through the secrets cache) on
 * every fetch, and from its provider once more when `/auth/token` refuses it, so a rotated password is picked up at once.
 */
export function createAirflowTokenCredentials(deps: CredentialsDeps): AuthStrategy {
  const { env, secrets, clock, http } = deps
  let token: { value: string; refreshAt: number } | undefined
  let inflight: Promise<string> | undefined

  async function fetchToken(reread = true): Promise<string> {
    const credentials = await readPasswordCredentials(env, secrets)
    const sensitive = [credentials.password]
    const response = await http.send({ method: 'POST', path: '/auth/token', body: credentials }, sensitive)
    if ((response.status === 401 || response.status === 403) && reread) {
      // The password may have been rotated since it was cached: read the secret from its provider once more.
      secrets.invalidate(env.credentials)
      return fetchToken(false)
    }
    if (response.status === 200 || response.status === 201) {
      const accessToken = (response.body as { access_token?: unknown } | null)?.access_token
      if (typeof accessToken !== 'string' || accessToken === '') {
        throw new ConductorError('orchestrator_auth_failed', `Airflow environment "${env.name}" returned no access token`, { details: { environment: env.name } })
      }
      token = { value: accessToken, refreshAt: refreshTime(accessToken, clock.now()) }
      return accessToken
    }
    if (response.status === 404) {
      throw new ConductorError('orchestrator_rejected', `Airflow environment "${env.name}" has no /auth/token endpoint; is it Airflow 3 (kind: airflow3)?`, {
        details: { environment: env.name, status: 404 },
      })
    }
    throw http.errorFor(response, { method: 'POST', path: '/auth/token' }, [...sensitive, ...(token ? [token.value] : [])])
  }

  return {
    refreshable: true,
    async headers() {
      if (token && clock.now() < token.refreshAt) return { authorization: `Bearer ${token.value}` }
      inflight ??= fetchToken().finally(() => { inflight = undefined })
      return { authorization: `Bearer ${await inflight}` }
    },
    invalidate() { token = undefined },
    sensitiveValues: () => (token ? [token.value] : []),
  }
}

/** When to fetch the next token: a fifth of its lifetime (at most a minute) before `exp`; five minutes from now without `exp`. */
function refreshTime(jwt: string, now: number): number {
  try {
    const claims = decodeJwt(jwt)
    if (typeof claims.exp === 'number') {
      const exp = claims.exp * 1000
      const iat = typeof claims.iat === 'number' ? claims.iat * 1000 : now
      return exp - Math.min(60_000, Math.max(0, exp - iat) / 5)
    }
  } catch {
    // Not a JWT we can read: fall through to a short fixed lifetime.
  }
  return now + 5 * 60_000
}

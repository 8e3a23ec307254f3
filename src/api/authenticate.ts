import type { FastifyRequest } from 'fastify'
import type { AuditLog } from '../audit/index.ts'
import type { IdentityConfig } from '../config/index.ts'
import { ConductorError, isConductorError, type Clock } from '../core/index.ts'
import { resolvePrincipal, type Principal, type TokenVerifier } from '../identity/index.ts'

/** Turns a request's bearer token into a principal, auditing every failure. */
export interface Authenticator {
  /** The principal behind the request's `Authorization: Bearer` token; throws a `token_*` error otherwise. */
  authenticate(request: FastifyRequest): Promise<Principal>
}

const RECORD_EVERY_MS = 60_000

/** Creates the authenticator over the token verifier. `onPrincipal` runs when a principal is first seen, changes, or once a minute. */
export function createAuthenticator(deps: {
  verifier: Pick<TokenVerifier, 'verify'>
  identity: IdentityConfig
  audit: Pick<AuditLog, 'append'>
  clock: Clock
  onPrincipal: (principal: Principal) => Promise<void>
}): Authenticator {
  const lastRecorded = new Map<string, { key: string; at: number }>()

  async function remember(principal: Principal): Promise<void> {
    const id = `${principal.type}:${principal.id}`
    const key = JSON.stringify([principal.groups, principal.displayName, principal.email])
    const seen = lastRecorded.get(id)
    const now = deps.clock.now()
    if (seen && seen.key === key && now - seen.at < RECORD_EVERY_MS) return
    await deps.onPrincipal(principal)
    if (lastRecorded.size > 10_000) lastRecorded.clear()
    lastRecorded.set(id, { key, at: now })
  }

  return {
    async authenticate(request) {
      try {
        const header = request.headers.authorization
        if (!header) throw new ConductorError('token_missing', 'an Authorization: Bearer token is required')
        const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header)
        if (!match) throw new ConductorError('token_malformed', 'the Authorization header must be "Bearer <token>"')
        const token = await deps.verifier.verify(match[1]!)
        const principal = resolvePrincipal(token, deps.identity)
        await remember(principal)
        return principal
      } catch (error) {
        const code = isConductorError(error) ? error.code : 'internal'
        await deps.audit.append({
          type: 'auth.failed',
          data: {
            reason: code,
            message: error instanceof Error ? error.message : 'authentication failed',
            method: request.method,
            route: request.routeOptions.url ?? request.url.split('?')[0],
            ip: request.ip,
            userAgent: request.headers['user-agent'] ?? null,
            httpRequestId: String(request.id),
          },
        })
        throw error
      }
    },
  }
}

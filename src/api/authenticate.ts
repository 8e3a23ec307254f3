import type { FastifyRequest } from 'fastify'
import type { AuditLog } from '../audit/index.ts'
import type { IdentityConfig } from '../config/index.ts'
import { ConductorError, isConductorError, type Clock } from '../core/index.ts'
import {
  isConductorToken, resolvePrincipal, type AccessTokens, type Directory, type Principal, type Revocations, type ServiceAccount, type ServiceAccounts, type Session,
  type SessionStore, type TokenVerifier,
} from '../identity/index.ts'

/** Who is calling, and through which door. */
export interface Caller {
  principal: Principal
  /** The browser session, when the call came with the session cookie rather than a bearer token. */
  session: Session | null
}

/** Turns a request's bearer token or session cookie into a caller, auditing every failure. */
export interface Authenticator {
  /** The caller behind the request: `Authorization: Bearer` first, else the session cookie. Throws `token_*` / `session_*` errors. */
  authenticate(request: FastifyRequest): Promise<Caller>
  /**
   * Verifies a bearer credential and resolves its full principal: an IdP access token (through the directory when SCIM
   * is on: a deactivated person gets `session_revoked`), or a Conductor token (`cdt_…` API token, `cdx_…` exchanged
   * token), whose principal carries `scope` and `credential` (and `agent`). Used at sign-in, session re-validation and
   * token exchange. Grants are not added here (see `authenticate`).
   */
  principalFromToken(token: string): Promise<Principal>
  /**
   * The principal of a Conductor service account or agent as it stands now (active, an agent's sponsor still active),
   * without a credential: for Airflow's questions about a run Conductor dispatched in its name. Null when no such
   * account exists; throws `token_owner_disabled` when it may not act.
   */
  principalOfAccount(type: 'ServiceAccount' | 'Agent', name: string): Promise<Principal | null>
}

/** What authenticating Conductor-issued tokens needs. */
export interface ConductorTokenDeps {
  tokens: Pick<AccessTokens, 'verify'>
  serviceAccounts: Pick<ServiceAccounts, 'get' | 'principalOf'>
  /** The person last seen under this id (the principals ledger), with the groups they last had; null when never seen. */
  knownUser: (id: string) => Promise<Principal | null>
}

const RECORD_EVERY_MS = 60_000

/** Creates the authenticator. `onPrincipal` runs when a principal is first seen, changes, or once a minute. */
export function createAuthenticator(deps: {
  verifier: Pick<TokenVerifier, 'verify'>
  /** The shared revocation list, checked for every bearer token and session re-validation. */
  revocations: Pick<Revocations, 'check' | 'revokedSince'>
  identity: IdentityConfig
  audit: Pick<AuditLog, 'append'>
  clock: Clock
  sessions: SessionStore | null
  /** SCIM's word on each principal (deprovisioned users refused, groups from SCIM), when SCIM is enabled. */
  directory: Directory | null
  cookieName: string
  onPrincipal: (principal: Principal) => Promise<void>
  /** Adds the groups of the principal's active just-in-time grants (asked on every call, so expiry and revocation take effect at once). */
  withGrants?: (principal: Principal) => Promise<Principal>
  /** Conductor-issued API and exchanged tokens; without it they are refused as unknown. */
  conductorTokens?: ConductorTokenDeps
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

  const ownerRefused = (message: string, reason: string, cause?: unknown) =>
    new ConductorError('token_owner_disabled', message, { details: { reason }, ...(cause === undefined ? {} : { cause }) })

  /** The person as they are now: last seen groups, not revoked since `since`, and the directory's word when SCIM is on. */
  async function currentUser(ct: ConductorTokenDeps, id: string, since: string, what: string): Promise<Principal> {
    const known = await ct.knownUser(id)
    if (known === null) throw ownerRefused(`${what} ${id} is not known to Conductor`, 'user_unknown')
    const revoked = await deps.revocations.revokedSince(known.issuer, known.subject, since)
    if (revoked !== null) throw ownerRefused(`${what} ${id} lost access (${revoked})`, revoked)
    if (!deps.directory) return known
    try {
      return await deps.directory.apply(known)
    } catch (error) {
      if (isConductorError(error, 'session_revoked')) throw ownerRefused(`${what} ${id} is deactivated in the directory`, 'directory_refused', error)
      throw error
    }
  }

  async function accountPrincipal(ct: ConductorTokenDeps, type: string, name: string): Promise<Principal> {
    const account: ServiceAccount | null = await ct.serviceAccounts.get(name)
    if (account === null || account.state !== 'active') {
      throw ownerRefused(`service account ${name} is ${account?.state ?? 'unknown'}`, account === null ? 'unknown' : account.disabledReason ?? account.state)
    }
    const principal = ct.serviceAccounts.principalOf(account)
    if (principal.type !== type) throw ownerRefused(`the token was issued to ${type} ${name}, which is now a ${principal.type}`, 'kind_changed')
    if (account.kind === 'agent') {
      try {
        await currentUser(ct, account.sponsor ?? '', account.createdAt, 'the sponsor')
      } catch (error) {
        if (isConductorError(error, 'token_owner_disabled')) throw ownerRefused(`agent ${name}: ${error.message}`, 'sponsor_inactive', error)
        throw error
      }
    }
    return principal
  }

  async function principalFromConductorToken(token: string): Promise<Principal> {
    const ct = deps.conductorTokens
    if (!ct) throw new ConductorError('token_unknown', 'Conductor tokens are not accepted here')
    const verified = await ct.tokens.verify(token)
    const owner = verified.principal
    const principal = owner.type === 'User' ? await currentUser(ct, owner.id, verified.createdAt, 'user') : await accountPrincipal(ct, owner.type, owner.id)
    const groups = verified.groups.length > 0 ? [...new Set([...principal.groups, ...verified.groups])].sort() : principal.groups
    return { ...principal, groups, scope: verified.scope, credential: { kind: verified.kind === 'api' ? 'api-token' : 'exchanged', id: verified.id } }
  }

  async function principalFromToken(token: string): Promise<Principal> {
    if (isConductorToken(token)) return principalFromConductorToken(token)
    const verified = await deps.verifier.verify(token)
    await deps.revocations.check(verified)
    const principal = resolvePrincipal(verified, deps.identity)
    // An IdP's service principal would be the same Cedar entity as a Conductor service account of that name.
    if (principal.type === 'ServiceAccount' && deps.conductorTokens && await deps.conductorTokens.serviceAccounts.get(principal.id) !== null) {
      throw new ConductorError('token_principal_conflict', `the identity provider's service principal ${principal.id} has the name of a Conductor service account`, {
        details: { principal: principal.id, issuer: principal.issuer },
      })
    }
    return deps.directory ? deps.directory.apply(principal) : principal
  }

  return {
    principalFromToken,
    async principalOfAccount(type, name) {
      const ct = deps.conductorTokens
      if (!ct || await ct.serviceAccounts.get(name) === null) return null
      return accountPrincipal(ct, type, name)
    },
    async authenticate(request) {
      try {
        const header = request.headers.authorization
        const cookie = request.cookies?.[deps.cookieName]
        let caller: Caller
        if (header) {
          const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header)
          if (!match) throw new ConductorError('token_malformed', 'the Authorization header must be "Bearer <token>"')
          caller = { principal: await principalFromToken(match[1]!), session: null }
        } else if (cookie && deps.sessions) {
          const session = await deps.sessions.authenticate(cookie)
          caller = { principal: session.principal, session }
        } else {
          throw new ConductorError('token_missing', 'an Authorization: Bearer token or a signed-in session is required')
        }
        // (A bearer token's principal went through the directory in principalFromToken already.)
        if (deps.directory && caller.session) caller = { ...caller, principal: await deps.directory.apply(caller.principal) }
        // A person's Conductor token is resolved from the ledger itself; recording it could only write back a token's extra groups.
        if (!(caller.principal.type === 'User' && caller.principal.credential)) await remember(caller.principal)
        // Grant groups are added after the principal is recorded: the ledger keeps the groups the IdP gave.
        if (deps.withGrants) caller = { ...caller, principal: await deps.withGrants(caller.principal) }
        return caller
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

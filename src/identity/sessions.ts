import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { SessionsConfig } from '../config/index.ts'
import { ConductorError, isConductorError, type Clock } from '../core/index.ts'
import type { LoginTokens, OidcLogin } from './oidc-login.ts'
import type { Principal } from './principal.ts'
import type { IdentityTables, SessionsTable } from './sessions.tables.ts'

/** A live browser session. */
export interface Session {
  id: string
  principal: Principal
  csrfToken: string
  createdAt: string
  expiresAt: string
  idleExpiresAt: string
}

/** Something that happened to a session, for the audit trail. */
export interface SessionEvent {
  type: 'session.created' | 'session.ended' | 'session.revalidated'
  principal: Principal
  sessionId: string
  reason?: string
}

/** Server-side browser sessions: created at sign-in, checked and re-validated on every request, ended on logout or revocation. */
export interface SessionStore {
  /** Creates a session for a signed-in principal; returns the cookie value (shown once, stored only as a hash). */
  create(principal: Principal, tokens: LoginTokens): Promise<{ cookieValue: string; session: Session }>
  /**
   * The live session behind a cookie value, re-validated with the IdP when due. Throws `session_invalid`,
   * `session_expired` or `session_revoked` (and ends the session) otherwise.
   */
  authenticate(cookieValue: string): Promise<Session>
  /** Ends a session; returns its ID token and refresh token for logout at the IdP. */
  end(cookieValue: string, reason: string): Promise<{ idToken: string | null; refreshToken: string | null } | null>
  /** Ends every live session of a principal (deprovisioning); returns how many. */
  endAllFor(principalType: string, principalId: string, reason: string): Promise<number>
  /** Ends every live session of a token subject at an issuer (back-channel logout by `sub`); returns how many. */
  endAllForSubject(issuer: string, subject: string, reason: string): Promise<number>
  /** Ends every live session begun in an IdP session (back-channel logout by `sid`); returns how many. */
  endAllForIdpSession(sid: string, reason: string): Promise<number>
  /** Keeps a sign-in's PKCE verifier, state and nonce until its callback. */
  saveLoginState(state: string, codeVerifier: string, nonce: string, returnTo: string): Promise<void>
  /** Takes (and deletes) a sign-in state; undefined when unknown or older than ten minutes. */
  takeLoginState(state: string): Promise<{ codeVerifier: string; nonce: string; returnTo: string } | undefined>
  /** True when `given` is the session's CSRF token (constant time). */
  checkCsrf(session: Session, given: string | undefined): boolean
}

const LOGIN_STATE_TTL_MS = 10 * 60_000
const TOUCH_EVERY_MS = 5_000
/** How long a renewal with the IdP may take before another request may try again. */
const RENEWAL_CLAIM_MS = 30_000

/** Creates the session store over the database. `toPrincipal` verifies a fresh access token and resolves its principal. */
export function createSessionStore(deps: {
  db: Kysely<IdentityTables>
  clock: Clock
  config: SessionsConfig
  login: OidcLogin | null
  toPrincipal: (accessToken: string) => Promise<Principal>
  onEvent: (event: SessionEvent) => Promise<void>
}): SessionStore {
  const { db, clock, config } = deps
  const iso = (ms: number) => new Date(ms).toISOString()
  const hash = (value: string) => createHash('sha256').update(value).digest('hex')
  const idleMs = config.idleTimeoutMinutes * 60_000

  const view = (row: SessionsTable, principal: Principal, lastSeen: number): Session => ({
    id: row.id,
    principal,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    idleExpiresAt: iso(Math.min(lastSeen + idleMs, Date.parse(row.expires_at))),
  })

  async function endRow(row: SessionsTable, reason: string): Promise<void> {
    const ended = await db.updateTable('sessions').set({ ended_at: iso(clock.now()), end_reason: reason })
      .where('id', '=', row.id).where('ended_at', 'is', null).executeTakeFirst()
    if (Number(ended.numUpdatedRows) > 0) {
      await deps.onEvent({ type: 'session.ended', principal: JSON.parse(row.principal) as Principal, sessionId: row.id.slice(0, 16), reason })
    }
  }

  async function revalidate(row: SessionsTable, principal: Principal): Promise<Principal> {
    if (!deps.login || !row.refresh_token) {
      // Without a refresh token the IdP cannot be asked again: the session lives until its timeouts.
      return principal
    }
    // Of the requests on this session that find it due at once (on this or another replica: no sticky sessions), one
    // renews it; the others go on with the principal they have. Two refreshes with one refresh token would make an
    // IdP that rotates refresh tokens end the session for token reuse. The claim moves `revalidated_at` ahead, so no
    // request finds the session due while the renewal is under way (nor for a while if this process dies during it).
    const claimed = await db.updateTable('sessions').set({ revalidated_at: iso(clock.now() + RENEWAL_CLAIM_MS) })
      .where('id', '=', row.id).where('revalidated_at', '=', row.revalidated_at).where('ended_at', 'is', null).executeTakeFirst()
    if (Number(claimed.numUpdatedRows) === 0) return principal
    let tokens: LoginTokens
    try {
      tokens = await deps.login.refresh(row.refresh_token)
    } catch (error) {
      if (isConductorError(error, 'session_revoked')) {
        await endRow(row, 'idp_refused_refresh')
        throw error
      }
      // The IdP is unreachable: keep the session and ask again on the next request.
      await db.updateTable('sessions').set({ revalidated_at: row.revalidated_at }).where('id', '=', row.id).execute()
      return principal
    }
    let fresh: Principal
    try {
      fresh = await deps.toPrincipal(tokens.accessToken)
    } catch (error) {
      await endRow(row, `refreshed_token_refused:${isConductorError(error) ? error.code : 'error'}`)
      throw new ConductorError('session_revoked', 'the identity provider\'s renewed token was not acceptable; sign in again', { cause: error })
    }
    const lost = principal.groups.filter((g) => !fresh.groups.includes(g))
    if (fresh.id !== principal.id || lost.length > 0) {
      await endRow(row, lost.length ? `lost_groups:${lost.join(',')}` : 'principal_changed')
      throw new ConductorError('session_revoked', lost.length ? `the identity provider no longer lists you in ${lost.join(', ')}; sign in again` : 'the identity provider names another user; sign in again')
    }
    await db.updateTable('sessions').set({
      principal: JSON.stringify(fresh), revalidated_at: iso(clock.now()),
      refresh_token: tokens.refreshToken ?? row.refresh_token, id_token: tokens.idToken ?? row.id_token,
    }).where('id', '=', row.id).execute()
    return fresh
  }

  return {
    async create(principal, tokens) {
      const cookieValue = randomBytes(32).toString('base64url')
      const now = clock.now()
      const row: SessionsTable = {
        id: hash(cookieValue), principal_type: principal.type, principal_id: principal.id, issuer: principal.issuer, subject: principal.subject,
        principal: JSON.stringify(principal),
        csrf_token: randomBytes(24).toString('base64url'), created_at: iso(now), last_seen_at: iso(now),
        expires_at: iso(now + config.absoluteTimeoutHours * 3_600_000), revalidated_at: iso(now),
        refresh_token: tokens.refreshToken, id_token: tokens.idToken, idp_session_id: tokens.idpSessionId, ended_at: null, end_reason: null,
      }
      await db.insertInto('sessions').values(row).execute()
      await deps.onEvent({ type: 'session.created', principal, sessionId: row.id.slice(0, 16) })
      return { cookieValue, session: view(row, principal, now) }
    },

    async authenticate(cookieValue) {
      const row = await db.selectFrom('sessions').selectAll().where('id', '=', hash(cookieValue)).executeTakeFirst()
      if (!row || row.ended_at !== null) {
        throw new ConductorError('session_invalid', row ? `this session has ended (${row.end_reason}); sign in again` : 'no such session; sign in again')
      }
      const now = clock.now()
      if (now >= Date.parse(row.expires_at)) {
        await endRow(row, 'absolute_timeout')
        throw new ConductorError('session_expired', 'the session reached its maximum age; sign in again')
      }
      if (now - Date.parse(row.last_seen_at) >= idleMs) {
        await endRow(row, 'idle_timeout')
        throw new ConductorError('session_expired', 'the session was idle too long; sign in again')
      }
      let principal = JSON.parse(row.principal) as Principal
      if (now - Date.parse(row.revalidated_at) >= config.revalidateSeconds * 1000) principal = await revalidate(row, principal)
      if (now - Date.parse(row.last_seen_at) >= TOUCH_EVERY_MS) {
        await db.updateTable('sessions').set({ last_seen_at: iso(now) }).where('id', '=', row.id).execute()
        return view(row, principal, now)
      }
      return view(row, principal, Date.parse(row.last_seen_at))
    },

    async end(cookieValue, reason) {
      const row = await db.selectFrom('sessions').selectAll().where('id', '=', hash(cookieValue)).executeTakeFirst()
      if (!row || row.ended_at !== null) return null
      await endRow(row, reason)
      return { idToken: row.id_token, refreshToken: row.refresh_token }
    },

    async endAllFor(principalType, principalId, reason) {
      const rows = await db.selectFrom('sessions').selectAll()
        .where('principal_type', '=', principalType).where('principal_id', '=', principalId).where('ended_at', 'is', null).execute()
      for (const row of rows) await endRow(row, reason)
      return rows.length
    },

    async endAllForSubject(issuer, subject, reason) {
      const rows = await db.selectFrom('sessions').selectAll()
        .where('issuer', '=', issuer).where('subject', '=', subject).where('ended_at', 'is', null).execute()
      for (const row of rows) await endRow(row, reason)
      return rows.length
    },

    async endAllForIdpSession(sid, reason) {
      const rows = await db.selectFrom('sessions').selectAll().where('idp_session_id', '=', sid).where('ended_at', 'is', null).execute()
      for (const row of rows) await endRow(row, reason)
      return rows.length
    },

    async saveLoginState(state, codeVerifier, nonce, returnTo) {
      const now = clock.now()
      await db.deleteFrom('login_states').where('created_at', '<', iso(now - LOGIN_STATE_TTL_MS)).execute()
      await db.insertInto('login_states').values({ state: hash(state), code_verifier: codeVerifier, nonce, return_to: returnTo, created_at: iso(now) }).execute()
    },

    async takeLoginState(state) {
      const row = await db.deleteFrom('login_states').where('state', '=', hash(state)).returningAll().executeTakeFirst()
      if (!row || clock.now() - Date.parse(row.created_at) > LOGIN_STATE_TTL_MS) return undefined
      return { codeVerifier: row.code_verifier, nonce: row.nonce, returnTo: row.return_to }
    },

    checkCsrf(session, given) {
      if (!given) return false
      const a = Buffer.from(session.csrfToken)
      const b = Buffer.from(given)
      return a.length === b.length && timingSafeEqual(a, b)
    },
  }
}

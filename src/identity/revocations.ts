import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { ConductorError, type Clock } from '../core/index.ts'
import type { VerifiedToken } from './token-verifier.ts'

/** A row of `revocations`: tokens of `subject` (or of IdP session `idp_session_id`) issued before `revoked_before` are refused. */
export interface RevocationsTable {
  id: string
  /** The configured issuer name. */
  issuer: string
  subject: string | null
  idp_session_id: string | null
  revoked_before: string
  reason: string
  created_at: string
}

/** The revocation tables. */
export interface RevocationTables {
  revocations: RevocationsTable
}

/**
 * Token revocation shared by every replica through the database: a revoked subject's or IdP session's
 * tokens, issued before the revocation, are refused at their next use even though they have not expired.
 */
export interface Revocations {
  /** Refuses tokens of `subject` at `issuer` issued up to now; resolves to the cut-off (ISO 8601): tokens issued before it are refused. */
  revokeSubject(issuer: string, subject: string, reason: string): Promise<string>
  /** Refuses tokens carrying IdP session id `sid` at `issuer` issued up to now; resolves to the cut-off (ISO 8601). */
  revokeSession(issuer: string, sid: string, reason: string): Promise<string>
  /** Throws `session_revoked` when the token was issued before a revocation of its subject or session. */
  check(token: VerifiedToken): Promise<void>
  /**
   * The reason of the first revocation of `subject` at `issuer` made after `since` (ISO 8601), or null: a credential
   * Conductor issued to (or for) the subject at `since` no longer holds once its subject was revoked.
   */
  revokedSince(issuer: string, subject: string, since: string): Promise<string | null>
}

/** How many answers of the revocation list a replica remembers at most. */
const REMEMBERED = 10_000

/**
 * Creates the revocation list over the database. Answers of `check` and `revokedSince` are remembered for
 * `cacheMs` (default 900 ms of real time, so with the database's answer time within a second; 0 asks the database every time), so a revocation made on another replica
 * takes effect here within that time; one made through this list takes effect at once.
 */
export function createRevocations(deps: { db: Kysely<RevocationTables>; clock: Clock; cacheMs?: number }): Revocations {
  const { db, clock } = deps
  const cacheMs = Math.max(0, deps.cacheMs ?? 900)
  const answers = new Map<string, { until: number; reason: string | null }>()
  const remembered = async (key: string, ask: () => Promise<string | null>): Promise<string | null> => {
    if (cacheMs === 0) return ask()
    const at = performance.now()
    const hit = answers.get(key)
    if (hit !== undefined && hit.until > at) return hit.reason
    const reason = await ask()
    if (answers.size >= REMEMBERED) answers.clear()
    answers.set(key, { until: at + cacheMs, reason })
    return reason
  }
  const now = () => new Date(clock.now()).toISOString()
  const insert = async (issuer: string, subject: string | null, sid: string | null, reason: string) => {
    // Whole-second precision: a token's iat has no finer grain, and one issued in the same second is refused too.
    const at = new Date(Math.ceil((clock.now() + 1) / 1000) * 1000).toISOString()
    await db.insertInto('revocations').values({ id: randomUUID(), issuer, subject, idp_session_id: sid, revoked_before: at, reason, created_at: now() }).execute()
    answers.clear()
    return at
  }
  return {
    revokeSubject: (issuer, subject, reason) => insert(issuer, subject, null, reason),
    revokeSession: (issuer, sid, reason) => insert(issuer, null, sid, reason),
    async check(token) {
      const iat = typeof token.claims.iat === 'number' ? new Date(token.claims.iat * 1000).toISOString() : new Date(0).toISOString()
      const key = JSON.stringify(['check', token.issuerName, token.subject, token.sessionId, iat])
      const reason = await remembered(key, async () => {
        let q = db.selectFrom('revocations').select(['reason']).where('issuer', '=', token.issuerName).where('revoked_before', '>', iat)
        q = q.where((eb) => eb.or([
          eb('subject', '=', token.subject),
          ...(token.sessionId ? [eb('idp_session_id', '=', token.sessionId)] : []),
        ]))
        return (await q.limit(1).executeTakeFirst())?.reason ?? null
      })
      if (reason !== null) throw new ConductorError('session_revoked', `this token was revoked (${reason}); sign in again`)
    },
    revokedSince(issuer, subject, since) {
      return remembered(JSON.stringify(['since', issuer, subject, since]), async () => {
        const hit = await db.selectFrom('revocations').select(['reason']).where('issuer', '=', issuer).where('subject', '=', subject)
          .where('revoked_before', '>', since).orderBy('created_at').limit(1).executeTakeFirst()
        return hit?.reason ?? null
      })
    },
  }
}

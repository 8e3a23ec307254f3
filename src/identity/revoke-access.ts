import type { AuditLog } from '../audit/index.ts'
import type { Revocations } from './revocations.ts'
import type { SessionStore } from './sessions.ts'

/** Who loses access: a principal as the IdP names it. */
export interface RevocationTarget {
  /** The configured issuer name. */
  issuer: string
  /** The token subject at that issuer. */
  subject: string
  principalType?: string
  principalId?: string
}

/** What one revocation did, as audited. */
export interface RevocationOutcome {
  sessionsEnded: number
  tokensRevoked: boolean
}

/** Makes access evaporate: ends sessions and refuses every token issued so far, in one step, audited. */
export interface AccessRevoker {
  /** Everything of one principal: sessions ended, its unexpired tokens refused from the next request on. */
  revokePrincipal(target: RevocationTarget, reason: string): Promise<RevocationOutcome>
  /** Only the console sessions of a principal (its tokens stay valid; they re-resolve groups per request). */
  endSessions(target: RevocationTarget, reason: string): Promise<RevocationOutcome>
  /** One IdP session (back-channel logout by `sid`): its console sessions and its tokens. */
  revokeIdpSession(issuer: string, sid: string, reason: string): Promise<RevocationOutcome>
}

/** Creates the revoker over sessions, the shared revocation list and the audit trail. */
export function createAccessRevoker(deps: { sessions: SessionStore | null; revocations: Revocations; audit: Pick<AuditLog, 'append'> }): AccessRevoker {
  /** Ends the principal's console sessions, optionally refuses its tokens issued so far, and audits what was done. */
  async function revoke(target: RevocationTarget, reason: string, tokens: boolean): Promise<RevocationOutcome> {
    const tokensRevokedBefore = tokens ? await deps.revocations.revokeSubject(target.issuer, target.subject, reason) : null
    let sessionsEnded = 0
    if (deps.sessions) {
      sessionsEnded += await deps.sessions.endAllForSubject(target.issuer, target.subject, reason)
      if (target.principalType && target.principalId) sessionsEnded += await deps.sessions.endAllFor(target.principalType, target.principalId, reason)
    }
    await deps.audit.append({
      type: 'access.revoked', principal: target.principalId ?? null, principalType: target.principalType ?? null,
      data: { reason, issuer: target.issuer, subject: target.subject, sessionsEnded, tokensRevokedBefore },
    })
    return { sessionsEnded, tokensRevoked: tokens }
  }

  return {
    revokePrincipal: (target, reason) => revoke(target, reason, true),
    endSessions: (target, reason) => revoke(target, reason, false),

    async revokeIdpSession(issuer, sid, reason) {
      const tokensRevokedBefore = await deps.revocations.revokeSession(issuer, sid, reason)
      const sessionsEnded = deps.sessions ? await deps.sessions.endAllForIdpSession(sid, reason) : 0
      await deps.audit.append({ type: 'access.revoked', data: { reason, issuer, idpSession: sid, sessionsEnded, tokensRevokedBefore } })
      return { sessionsEnded, tokensRevoked: true }
    },
  }
}

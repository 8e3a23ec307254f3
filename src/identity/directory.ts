import type { GroupMappingConfig, ScimConfig } from '../config/index.ts'
import { ConductorError } from '../core/index.ts'
import { mapGroups, type Principal } from './principal.ts'
import type { ScimEvents, ScimService, ScimUserSummary } from './scim/index.ts'
import type { AccessRevoker } from './revoke-access.ts'

/** The directory gate: what SCIM says about a principal, checked on every request. */
export interface Directory {
  /**
   * Returns the principal as SCIM has it: refused (`session_revoked`) when SCIM deactivated or deleted the
   * user, or (with `groupsSource: scim`) never provisioned them; groups from SCIM memberships when SCIM is
   * their source.
   */
  apply(principal: Principal): Promise<Principal>
}

/** Creates the gate over the SCIM store. */
export function createDirectory(deps: { scim: Pick<ScimService, 'findUserForPrincipal'>; config: ScimConfig; groupMappings: readonly GroupMappingConfig[] }): Directory {
  const { config } = deps
  return {
    async apply(principal) {
      const user = await deps.scim.findUserForPrincipal(config.matchBy === 'externalId' ? { externalId: principal.subject } : { userName: principal.username })
      if (user === null) {
        if (config.groupsSource === 'scim') throw new ConductorError('session_revoked', `${principal.username} is not provisioned in Conductor (SCIM)`)
        return principal
      }
      if (user.deleted || !user.active) {
        throw new ConductorError('session_revoked', `${principal.username} was ${user.deleted ? 'deprovisioned' : 'deactivated'} by the identity provider`)
      }
      if (config.groupsSource !== 'scim') return principal
      return { ...principal, groups: mapGroups(user.groups, deps.groupMappings, principal.issuer), idpGroups: user.groups }
    },
  }
}

/** A principal Conductor has seen, as the revocation needs it. */
export interface SeenPrincipal {
  type: string
  id: string
  issuer: string
  subject: string
}

/**
 * SCIM events turned into revocations: deactivation and deletion end every session and refuse every
 * token of the user; leaving a group ends the user's console sessions (their next token request
 * resolves the smaller set of groups). Each step is audited by the revoker.
 */
export function scimRevocationEvents(deps: { revoker: AccessRevoker; seen: (userName: string) => Promise<SeenPrincipal[]> }): Partial<ScimEvents> {
  const revokeAll = async (user: ScimUserSummary, reason: string) => {
    const seen = await deps.seen(user.userName)
    for (const p of seen) {
      await deps.revoker.revokePrincipal({ issuer: p.issuer, subject: p.subject, principalType: p.type, principalId: p.id }, reason)
    }
  }
  return {
    userDeactivated: (user) => revokeAll(user, 'scim_deactivated'),
    userDeleted: (user) => revokeAll(user, 'scim_deleted'),
    membershipsRemoved: async (user, groups) => {
      const seen = await deps.seen(user.userName)
      for (const p of seen) await deps.revoker.endSessions({ issuer: p.issuer, subject: p.subject, principalType: p.type, principalId: p.id }, `scim_left_groups:${groups.join(',')}`)
    },
  }
}

import type { Kysely } from 'kysely'
import type { Clock, IdGenerator } from '../../core/index.ts'
import type { ScimEvents, ScimUserSummary } from '../../identity/index.ts'
import { hashSources, readPolicyFolder, type PolicySetInfo } from '../../policy/index.ts'
import { createDirectoryHistory } from './directory-history.ts'
import type { ComplianceHistoryTables } from './history.tables.ts'
import { recordPolicyVersion } from './policy-versions.ts'

/** Where the history is written from: policy loads, sign-ins and SCIM changes. */
export interface HistoryRecorders {
  /** Records a loaded policy set (reads the folder's texts; idempotent by hash). */
  policyLoaded(info: PolicySetInfo): Promise<void>
  /** Records a principal seen at sign-in, when its groups differ from its last row. */
  principalSeen(principal: { type: string; id: string; displayName: string | null; groups: string[] }): Promise<void>
  /** SCIM handlers recording each user's new state (run them before revocation, so the row marks the IdP event). */
  scimEvents: Partial<ScimEvents>
}

/** Creates the recorders over the history tables. */
export function createHistoryRecorders(deps: { db: Kysely<ComplianceHistoryTables>; clock: Clock; ids: IdGenerator; policyFolder: string }): HistoryRecorders {
  const directory = createDirectoryHistory(deps)
  const scim = async (user: ScimUserSummary) => {
    await directory.record({ type: 'User', id: user.userName, displayName: user.displayName, groups: user.groups, active: user.active && !user.deleted, source: 'scim' })
  }
  return {
    async policyLoaded(info) {
      await recordPolicyVersion(deps.db, info, await readPolicyFolder(deps.policyFolder), hashSources, deps.policyFolder)
    },
    async principalSeen(p) {
      await directory.record({ type: p.type, id: p.id, displayName: p.displayName, groups: p.groups, active: true, source: 'sign-in' })
    },
    scimEvents: { userCreated: scim, userDeactivated: scim, userDeleted: scim, userReactivated: scim, membershipsRemoved: scim, membershipsAdded: scim },
  }
}

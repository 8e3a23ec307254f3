/** A provisioned user as revocation and policy see it. */
export interface ScimUserSummary {
  id: string
  userName: string
  externalId: string | null
  displayName: string | null
  active: boolean
  /** True for a user deleted through SCIM (its tombstone). */
  deleted: boolean
  /** The displayNames of the groups the user is a direct member of, sorted. */
  groups: string[]
}

/**
 * What the SCIM service tells the rest of Conductor, after each change is committed. Each callback is awaited in
 * order; an error thrown by one is reported to `onEventError` (the change stays committed) so the next still runs.
 */
export interface ScimEvents {
  /** A user was provisioned (with no groups yet: memberships arrive as `membershipsAdded`). */
  userCreated(user: ScimUserSummary): void | Promise<void>
  /** `active` went from true to false. */
  userDeactivated(user: ScimUserSummary): void | Promise<void>
  /** The user was deleted (its `groups` are those it had just before). */
  userDeleted(user: ScimUserSummary): void | Promise<void>
  /** `active` went from false to true. */
  userReactivated(user: ScimUserSummary): void | Promise<void>
  /** The user left these groups (displayNames): removed from them, a group deleted, or a group renamed (the old name). */
  membershipsRemoved(user: ScimUserSummary, groups: string[]): void | Promise<void>
  /** The user joined these groups (displayNames), or a group they are in was renamed (the new name). */
  membershipsAdded(user: ScimUserSummary, groups: string[]): void | Promise<void>
}

/** A summary of one change, for the audit trail: names and counts, never attribute values. */
export interface ScimChange {
  resourceType: 'User' | 'Group'
  id: string
  action: 'created' | 'replaced' | 'patched' | 'deleted' | 'unchanged'
  /** Top-level attributes whose value changed (extension attributes as `urn:…:name`). */
  attributes?: string[]
  active?: boolean
  /** Group changes: member ids added and removed (at most 100 of each listed), and the counts. */
  membersAdded?: number
  membersRemoved?: number
  addedMembers?: string[]
  removedMembers?: string[]
}

/** A resource as SCIM returns it (without `meta.location` and `$ref`s, which depend on the base URL), and its version. */
export interface ScimResult {
  resource: Record<string, unknown>
  id: string
  version: number
  change: ScimChange
}

/** A list request (RFC 7644 §3.4.2). */
export interface ScimListQuery {
  filter?: string
  /** 1-based; values below 1 count as 1. */
  startIndex?: number
  /** Page size; at most 1000 (default 100); 0 returns only `totalResults`. */
  count?: number
  sortBy?: string
  sortOrder?: 'ascending' | 'descending'
  /** Skip reading group members (User.groups, Group.members), e.g. for `excludedAttributes=members`. */
  omitMemberships?: boolean
}

/** A search across resource types (`POST /.search`): a list request whose memberships may be skipped per type. */
export interface ScimSearchQuery extends Omit<ScimListQuery, 'omitMemberships'> {
  /** Per resource type, skip reading memberships (User.groups, Group.members). */
  omitMemberships?: { User?: boolean; Group?: boolean }
}

/** A page of resources. */
export interface ScimListResult {
  totalResults: number
  startIndex: number
  itemsPerPage: number
  resources: Record<string, unknown>[]
}

/** What a user's token claims, compared with SCIM by `ScimService.reconciliationReport`. */
export interface ScimClaims {
  userName?: string
  externalId?: string
  groups: readonly string[]
}

/** The drift between SCIM and a token's claims for one user. */
export interface ScimReconciliation {
  /** The SCIM user (live, else its tombstone), or null when SCIM does not know the user. */
  user: ScimUserSummary | null
  /** SCIM groups of the user that the token does not claim. */
  missingFromClaims: string[]
  /** Groups the token claims that SCIM does not list for the user. */
  notInScim: string[]
  /** True when the user is known, active, not deleted and the groups agree (compared case-insensitively). */
  inSync: boolean
}

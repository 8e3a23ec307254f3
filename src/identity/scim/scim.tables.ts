/** A row of `scim_users`. A deleted user keeps its row (a tombstone, `deleted_at` set) so revocation and audit can name it. */
export interface ScimUsersTable {
  id: string
  user_name: string
  /** userName lowercased: userName is unique and compared case-insensitively (RFC 7643 §4.1.1). */
  user_name_lower: string
  external_id: string | null
  display_name: string | null
  display_name_lower: string | null
  /** 1 or 0. */
  active: number
  /** JSON of the stored SCIM attributes (core and extension), without id, meta and groups. */
  resource: string
  version: number
  created_at: string
  updated_at: string
  deleted_at: string | null
}

/** A row of `scim_user_emails`: one email of a user, lowercased, kept only so filters on `emails` can use an index. */
export interface ScimUserEmailsTable {
  user_id: string
  position: number
  value_lower: string | null
  type_lower: string | null
  is_primary: number
}

/** A row of `scim_groups`. */
export interface ScimGroupsTable {
  id: string
  display_name: string
  display_name_lower: string
  external_id: string | null
  version: number
  created_at: string
  updated_at: string
}

/** A row of `scim_memberships`: a user is a direct member of a group. */
export interface ScimMembershipsTable {
  group_id: string
  user_id: string
  added_at: string
}

/** A row of `scim_tokens`: a bearer token an identity provider presents, stored only as its SHA-256. */
export interface ScimTokensTable {
  id: string
  label: string
  token_hash: string
  created_at: string
  rotated_at: string | null
  revoked_at: string | null
  last_used_at: string | null
}

/** The SCIM tables. */
export interface ScimTables {
  scim_users: ScimUsersTable
  scim_user_emails: ScimUserEmailsTable
  scim_groups: ScimGroupsTable
  scim_memberships: ScimMembershipsTable
  scim_tokens: ScimTokensTable
}

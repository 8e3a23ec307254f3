/** A row of `service_accounts`. Deleted accounts stay as tombstones (`state = 'deleted'`) so their names are never reused. */
export interface ServiceAccountsTable {
  name: string
  /** `service` or `agent`. */
  kind: string
  description: string
  /** `User` or `Group`. */
  owner_type: string
  owner_id: string
  /** JSON array of group names. */
  groups: string
  /** The sponsoring user's id (agents only). */
  sponsor: string | null
  /** JSON array of tool names (agents). */
  tools: string
  /** JSON array of `{ action, max, perHours }`. */
  budgets: string
  /** `active`, `disabled` or `deleted`. */
  state: string
  created_at: string
  created_by: string
  updated_at: string
  disabled_reason: string | null
}

/** A row of `access_tokens`: an API token or an exchanged token. Only the SHA-256 (hex) of the secret is kept. */
export interface AccessTokensTable {
  id: string
  /** `api` or `exchanged`. */
  kind: string
  name: string
  principal_type: string
  principal_id: string
  secret_hash: string
  /** JSON array, or null for any action. */
  scope_actions: string | null
  /** JSON array, or null for any environment. */
  scope_environments: string | null
  created_at: string
  created_by: string
  expires_at: string
  last_used_at: string | null
  revoked_at: string | null
  revoked_reason: string | null
  /** The credential this one was exchanged from, if any. */
  parent_id: string | null
  /** JSON array of groups the token adds to its principal's (exchanged tokens, e.g. from an AWS role ARN), or null. */
  extra_groups: string | null
}

/** The service-account and access-token tables. */
export interface ServiceAccountTables {
  service_accounts: ServiceAccountsTable
  access_tokens: AccessTokensTable
}

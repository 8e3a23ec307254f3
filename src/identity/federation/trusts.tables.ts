/** A row of `service_account_trusts`: one trust rule of one service account. */
export interface ServiceAccountTrustsTable {
  id: string
  service_account: string
  /** A workload issuer's name, or `aws`. */
  issuer: string
  /** JSON object: claim path → glob. */
  conditions: string
  description: string
  created_at: string
  created_by: string
}

/** A row of `exchanged_token_groups`: groups added to one exchanged token by group mappings (AWS role ARNs). */
export interface ExchangedTokenGroupsTable {
  token_id: string
  /** JSON array of group names. */
  groups: string
  expires_at: string
}

/** The workload-identity tables. */
export interface FederationTables {
  service_account_trusts: ServiceAccountTrustsTable
  exchanged_token_groups: ExchangedTokenGroupsTable
}

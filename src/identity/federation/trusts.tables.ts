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

/** The workload-identity tables. */
export interface FederationTables {
  service_account_trusts: ServiceAccountTrustsTable
}

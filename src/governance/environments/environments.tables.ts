/** A row of `stored_environments` (migration 0021): an environment defined through the API. */
export interface StoredEnvironmentsTable {
  name: string
  kind: string
  url: string
  zone: string
  tier: string
  team: string | null
  /** 1 when `fullyGoverned`. */
  fully_governed: number
  /** JSON: the credentials' secret reference and kind; never a secret. */
  credentials: string
  /** JSON: the whole environment as `environments[]` in config would hold it, defaults applied. */
  definition: string
  /** 1 at creation, one more at each change. */
  generation: number
  created_by: string
  updated_by: string
  created_at: string
  updated_at: string
}

/** The tables of API-defined environments. */
export interface StoredEnvironmentTables {
  stored_environments: StoredEnvironmentsTable
}

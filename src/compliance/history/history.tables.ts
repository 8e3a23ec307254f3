/** A row of `policy_versions`: one loaded policy set, by content hash. */
export interface PolicyVersionsTable {
  /** `<hash>@<loaded_at>`. */
  id: string
  hash: string
  version: number
  /** ISO 8601 UTC: when it was first loaded. */
  loaded_at: string
  /** JSON `{ [file]: text }`. */
  files: string
  author: string | null
  git_commit: string | null
  previous_hash: string | null
}

/** A row of `directory_history`: a principal's groups and active state from `recorded_at` on. */
export interface DirectoryHistoryTable {
  id: string
  principal_type: string
  principal_id: string
  display_name: string | null
  /** JSON array of group names, sorted. */
  groups: string
  /** 1 active, 0 deactivated or deleted. */
  active: number
  recorded_at: string
  source: 'sign-in' | 'scim'
}

/** The compliance history tables. */
export interface ComplianceHistoryTables {
  policy_versions: PolicyVersionsTable
  directory_history: DirectoryHistoryTable
}

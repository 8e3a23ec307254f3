/** The states of a grant: `active` until `expires_at`, or ended early (`revoked`) or by time (`expired`). */
export const GRANT_STATES = ['active', 'revoked', 'expired'] as const

/** One of {@link GRANT_STATES}. */
export type GrantState = (typeof GRANT_STATES)[number]

/** A row of `grants`: one principal's temporary membership of one group. */
export interface GrantsTable {
  id: string
  /** The `grant:request` request it came from (its id is the grant's id). */
  request_id: string | null
  principal_type: string
  principal_id: string
  group_name: string
  reason: string | null
  starts_at: string
  expires_at: string
  /** `active` rows past `expires_at` are already over: readers compare with the clock, the resolver marks them `expired`. */
  state: GrantState
  /** JSON array: who approved it, e.g. `["User dave"]` or `["Policy incident-auto"]`. */
  approved_by: string
  revoked_by: string | null
  revoked_at: string | null
  revoke_reason: string | null
}

/** The grants tables. */
export interface GrantTables {
  grants: GrantsTable
}

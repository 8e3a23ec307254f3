/** The states of a link: `active` fires on source events; `suspended` does not until resumed. */
export const LINK_STATES = ['active', 'suspended'] as const

/** One of {@link LINK_STATES}. */
export type LinkState = (typeof LINK_STATES)[number]

/**
 * A row of `links` (migration 0020): when a DAG succeeds (or an asset is updated) in one environment, trigger a DAG (or
 * post an asset event) in another as the owner. Of each end exactly one of the DAG id and the asset URI is set.
 */
export interface LinksTable {
  id: string
  owner_type: string
  owner_id: string
  source_environment: string
  source_dag_id: string | null
  /** The source asset (Airflow 3), whose events fire the link; null for a DAG source. */
  source_asset_uri: string | null
  target_environment: string
  target_dag_id: string | null
  /** The target asset (Airflow 3), which each firing posts an event for; null for a DAG target. */
  target_asset_uri: string | null
  /** JSON object: the conf each firing passes (the event's extra, for an asset target), `{{source.*}}` filled in its string values. */
  conf_template: string
  description: string | null
  state: LinkState
  suspended_reason: string | null
  /** The end date (ISO) of the latest source run seen (asset sources: the latest event's timestamp); what happened before it is not looked at again. */
  cursor: string | null
  created_by: string
  created_at: string
  updated_at: string
}

/** A row of `link_firings`: one per link and source event (UNIQUE), claimed before the target is asked. */
export interface LinkFiringsTable {
  link_id: string
  /** The source event: the source run id, or Airflow's id of the source asset event. */
  event_key: string
  /** When the source event happened (the run's end date, the asset event's timestamp). */
  event_at: string | null
  /** The `dag:trigger` (or `asset:post_event`) request of the firing, its id given when claimed (null on firings claimed before migration 0022). */
  request_id: string | null
  /** JSON: what the firing asks (`conf`, `note`), fixed when claimed so a firing made again asks the same. */
  input?: string | null
  /**
   * `claimed` (under way), `fired`, `refused` (policy or no access: the link is suspended), `failed`, or `abandoned` (a
   * claim left behind whose link was suspended or deleted before it could be made again).
   */
  outcome: string
  at: string
}

/** The links tables. */
export interface LinkTables {
  links: LinksTable
  link_firings: LinkFiringsTable
}

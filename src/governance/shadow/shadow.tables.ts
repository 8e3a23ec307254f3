/** A row of `shadow_cursors`: how far one environment's runs and event log have been read (ISO 8601, Airflow's time). */
export interface ShadowCursorsTable {
  environment: string
  runs_cursor: string
  events_cursor: string
  updated_at: string
}

/** A row of `shadow_activity`: one thing found done in an environment behind Conductor's back. */
export interface ShadowActivityTable {
  environment: string
  /** What Airflow identifies it by: `run:<dag>/<run id>` or `event:<event log id>`; unique per environment. */
  key: string
  /** `run`, `pause`, `clear`, `mark` or `unowned_schedule`. */
  kind: string
  /** `info`, `warning` or `high`. */
  severity: string
  dag_id: string | null
  run_id: string | null
  /** The Airflow user who acted, when Airflow says. */
  actor: string | null
  /** JSON object: run type, Airflow's event name, its extra… */
  detail: string
  /** When it happened in Airflow. */
  occurred_at: string
  /** When Conductor found it. */
  detected_at: string
}

/** The shadow activity tables. */
export interface ShadowTables {
  shadow_cursors: ShadowCursorsTable
  shadow_activity: ShadowActivityTable
}

import type { CredentialKind, EnvironmentConfig } from '../config/index.ts'
import { pythonLogText } from './python-log.ts'

/** A DAG as `/api/v2` or `/api/v1` returns it (fields of either). */
export interface AirflowDag {
  dag_id: string
  description?: string | null
  tags?: { name: string }[] | null
  owners?: string[]
  is_paused?: boolean | null
  timetable_summary?: string | null
  /** Airflow 2 before `timetable_summary`. */
  schedule_interval?: { __type?: string; value?: string } | null
  fileloc?: string
  /** Airflow 3.2+: the run types the DAG allows; null for every type. */
  allowed_run_types?: string[] | null
  /** The DAG's team where Airflow reports it (multi-team); absent from Airflow 3.3's public API and from Airflow 2. */
  team_name?: string | null
}

/** A DAG run as `/api/v2` or `/api/v1` returns it (fields of either). */
export interface AirflowRun {
  dag_id: string
  dag_run_id: string
  state: string
  run_type?: string | null
  logical_date?: string | null
  /** Airflow 2's older name for `logical_date`. */
  execution_date?: string | null
  queued_at?: string | null
  start_date?: string | null
  end_date?: string | null
  conf?: Record<string, unknown> | null
  note?: string | null
  /** Airflow 3: how the run was triggered (`rest_api`, `ui`, …). */
  triggered_by?: string | null
  /** Airflow 3.1+: the user who triggered the run. */
  triggering_user_name?: string | null
  /** Airflow 3: when the run may start (its creation time for manual runs). */
  run_after?: string | null
}

/** An event log entry as `/api/v2/eventLogs` or `/api/v1/eventLogs` returns it. */
export interface AirflowEventLog {
  event_log_id: number
  when: string
  event: string
  owner?: string | null
  dag_id?: string | null
  run_id?: string | null
  task_id?: string | null
  extra?: string | null
}

/** A task instance as `/api/v2` or `/api/v1` returns it. */
export interface AirflowTaskInstance {
  task_id: string
  state?: string | null
  try_number?: number
  map_index?: number
  start_date?: string | null
  end_date?: string | null
  duration?: number | null
}

/** A human-in-the-loop user as `/api/v2` returns one (`HITLUser`). */
export interface AirflowHitlUser {
  id: string
  name: string
}

/** A human-in-the-loop detail as `GET /api/v2/dags/~/dagRuns/~/hitlDetails` returns it (`HITLDetail`, Airflow 3.1+). */
export interface AirflowHitlDetail {
  task_instance: { dag_id: string; dag_run_id: string; task_id: string; map_index?: number | null; state?: string | null }
  options: string[]
  subject: string
  body?: string | null
  defaults?: string[] | null
  multiple?: boolean
  params?: Record<string, unknown> | null
  assigned_users?: AirflowHitlUser[] | null
  created_at: string
  responded_by_user?: AirflowHitlUser | null
  responded_at?: string | null
  chosen_options?: string[] | null
  response_received?: boolean
}

/** Airflow's answer to `PATCH …/hitlDetails` (`HITLDetailResponse`). */
export interface AirflowHitlResponse {
  responded_by: AirflowHitlUser
  responded_at: string
  chosen_options: string[]
  params_input?: Record<string, unknown> | null
}

/** An asset as `GET /api/v2/assets` lists it (only what Conductor reads). */
export interface AirflowAsset {
  id: number
  uri: string
}

/** An asset event as `GET|POST /api/v2/assets/events` answers it (`AssetEventResponse`). */
export interface AirflowAssetEvent {
  id: number
  asset_id: number
  uri?: string | null
  extra?: Record<string, unknown> | null
  source_dag_id?: string | null
  source_run_id?: string | null
  source_task_id?: string | null
  created_dagruns?: { dag_id: string; run_id: string }[]
  timestamp: string
}

/**
 * What differs between Airflow's REST API generations. Everything else (resources, bodies, paging,
 * errors) is the same, and lives once in the adapter (`airflow.ts`).
 */
export interface AirflowApiVersion {
  /** The REST API's path prefix. */
  prefix: '/api/v2' | '/api/v1'
  /** The unauthenticated health endpoint. */
  healthPath: string
  /** Whether `GET <prefix>/version` needs credentials (Airflow 2) or answers anyone (Airflow 3). */
  versionNeedsCredentials: boolean
  /**
   * Whether a health component whose status is null is left out: Airflow 2 lists the triggerer and the
   * standalone DAG processor with status null when the deployment does not run them.
   */
  ignoresNullHealth: boolean
  /** The credential kind when `credentials.kind` is not set. */
  defaultCredentials: CredentialKind
  /** Whether a null logical date is sent as `null` (Airflow 3 requires the field) or left out (Airflow 2 rejects null). */
  sendsNullLogicalDate: boolean
  /** `order_by` for runs newest first. */
  runsOrderBy: string | readonly string[]
  /** How runs of every DAG are read since a time: the query filter, the `order_by`, and the time each run is placed at. */
  runsSince: { filter: string; orderBy: string; at(run: AirflowRun): string | null }
  /** Event log names that mean a pause or unpause, a clear, or a mark (success/failed); others are not shadow activity. */
  eventKinds: Readonly<Record<string, 'pause' | 'clear' | 'mark'>>
  /** The schedule as Airflow summarises it. */
  schedule(dag: AirflowDag): string | null
  logicalDate(run: AirflowRun): string | null
  /** Who or what triggered a run; Airflow 2 does not record it. */
  triggeredBy(run: AirflowRun): string | null
  /** Turns a log answer's `content` into what `logLines` reads. */
  logContent(content: unknown): unknown
  /** Whether the API has human-in-the-loop details (Airflow 3.1+). */
  hitl: boolean
  /** Whether the API has assets and asset events (`/api/v2/assets`; Airflow 2's datasets are not read). */
  assets: boolean
}

/** The API generation of each environment kind. */
export const AIRFLOW_API_VERSIONS: Readonly<Record<EnvironmentConfig['kind'], AirflowApiVersion>> = {
  airflow3: {
    prefix: '/api/v2',
    healthPath: '/api/v2/monitor/health',
    versionNeedsCredentials: false,
    ignoresNullHealth: false,
    defaultCredentials: 'airflow-token',
    sendsNullLogicalDate: true,
    runsOrderBy: ['-run_after', '-id'],
    runsSince: { filter: 'run_after_gte', orderBy: 'run_after', at: (run) => run.run_after ?? run.queued_at ?? null },
    // Airflow 3's UI calls the same REST API, so its actions carry these names too (the route function's name).
    eventKinds: {
      patch_dag: 'pause', patch_dags: 'pause',
      clear_dag_run: 'clear', clear_dag_runs: 'clear', post_clear_task_instances: 'clear',
      patch_dag_run: 'mark', patch_task_instance: 'mark', patch_task_group_instances: 'mark', bulk_task_instances: 'mark',
    },
    schedule: (dag) => dag.timetable_summary ?? null,
    logicalDate: (run) => run.logical_date ?? null,
    triggeredBy: (run) => run.triggering_user_name ?? run.triggered_by ?? null,
    // Structured records (`{timestamp, level, event, …}`), which `logLines` reads as they are.
    logContent: (content) => content,
    hitl: true,
    assets: true,
  },
  airflow2: {
    prefix: '/api/v1',
    healthPath: '/api/v1/health',
    versionNeedsCredentials: true,
    ignoresNullHealth: true,
    defaultCredentials: 'basic',
    sendsNullLogicalDate: false,
    runsOrderBy: '-execution_date',
    runsSince: { filter: 'start_date_gte', orderBy: 'start_date', at: (run) => run.start_date ?? null },
    // REST API calls are `api.<route>` (or `ui.<route>` from the UI's own calls); the classic UI's views log their name.
    // The bare `success`/`failed` are left out: Airflow 2 also logs every task's own state change under those names.
    eventKinds: {
      'api.patch_dag': 'pause', 'api.patch_dags': 'pause', 'ui.patch_dag': 'pause', 'ui.patch_dags': 'pause', paused: 'pause',
      'api.clear_dag_run': 'clear', 'api.post_clear_task_instances': 'clear', 'ui.clear_dag_run': 'clear', 'ui.post_clear_task_instances': 'clear', clear: 'clear', dagrun_clear: 'clear',
      'api.update_dag_run_state': 'mark', 'api.post_set_task_instances_state': 'mark', 'api.patch_task_instance': 'mark',
      'ui.update_dag_run_state': 'mark', 'ui.post_set_task_instances_state': 'mark', 'ui.patch_task_instance': 'mark',
      dagrun_success: 'mark', dagrun_failed: 'mark', dagrun_queued: 'mark',
    },
    schedule: (dag) => dag.timetable_summary ?? dag.schedule_interval?.value ?? null,
    logicalDate: (run) => run.logical_date ?? run.execution_date ?? null,
    triggeredBy: () => null,
    logContent: pythonLogText,
    hitl: false,
    assets: false,
  },
}

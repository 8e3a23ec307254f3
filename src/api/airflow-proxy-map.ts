import { createHash } from 'node:crypto'
import type { DagView, RunView } from '../governance/index.ts'
import type { TaskInstanceInfo } from '../orchestrators/index.ts'

/**
 * Airflow's REST API through Conductor (docs/airflow-proxy.md): the Airflow 3 `/api/v2` routes Conductor serves,
 * each with the Conductor action that governs it, and the translations of Conductor's answers into Airflow's JSON
 * shapes. Any route not in {@link AIRFLOW_PROXY_ROUTES} is refused.
 */

/** One mapped route: Airflow's method and path (below `/api/v2`, Fastify syntax), and the Conductor action that governs it. */
export interface AirflowProxyRoute {
  method: 'GET' | 'POST' | 'PATCH'
  path: string
  action: 'dag:read' | 'run:read' | 'run:logs' | 'dag:trigger' | 'dag:pause' | 'dag:rerun'
  /** What Conductor calls to answer it. */
  via: string
}

/** The routes Conductor serves under `/airflow/{env}/api/v2`; the table of docs/airflow-proxy.md. */
export const AIRFLOW_PROXY_ROUTES = [
  { method: 'GET', path: '/dags', action: 'dag:read', via: 'governance.dags (filtered to the DAGs the caller may read)' },
  { method: 'GET', path: '/dags/:dag_id', action: 'dag:read', via: 'governance.dag' },
  { method: 'PATCH', path: '/dags/:dag_id', action: 'dag:pause', via: 'governance.setPaused (only `is_paused`)' },
  { method: 'GET', path: '/dags/:dag_id/dagRuns', action: 'run:read', via: 'governance.runs' },
  { method: 'POST', path: '/dags/:dag_id/dagRuns', action: 'dag:trigger', via: 'governance.trigger' },
  { method: 'GET', path: '/dags/:dag_id/dagRuns/:dag_run_id', action: 'run:read', via: 'governance.run' },
  { method: 'POST', path: '/dags/:dag_id/dagRuns/:dag_run_id/clear', action: 'dag:rerun', via: 'governance.rerun (then governance.run for the answer)' },
  { method: 'GET', path: '/dags/:dag_id/dagRuns/:dag_run_id/taskInstances', action: 'run:read', via: 'governance.run' },
  { method: 'GET', path: '/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/logs/:try_number', action: 'run:logs', via: 'governance.taskLog' },
] as const satisfies readonly AirflowProxyRoute[]

/** What one route of {@link AIRFLOW_OBJECT_ROUTES} does with the kind's objects, and the access it needs (`<kind>:read` or `<kind>:write`). */
export interface AirflowObjectRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  /** Below the kind's collection (`/connections`, `/variables`, `/pools`): `''` or `/:name`. */
  path: '' | '/:name'
  operation: 'list' | 'get' | 'create' | 'update' | 'delete'
  access: 'read' | 'write'
}

/**
 * The routes served for each of Airflow's connections, variables and pools (below `/connections`, `/variables`,
 * `/pools`), answered by `governance.airflowObjects` from the environment's Airflow. Airflow's bulk `PATCH` of a
 * collection, `POST /connections/test` and `POST /connections/defaults` are not among them (refused).
 */
export const AIRFLOW_OBJECT_ROUTES = [
  { method: 'GET', path: '', operation: 'list', access: 'read' },
  { method: 'GET', path: '/:name', operation: 'get', access: 'read' },
  { method: 'POST', path: '', operation: 'create', access: 'write' },
  { method: 'PATCH', path: '/:name', operation: 'update', access: 'write' },
  { method: 'DELETE', path: '/:name', operation: 'delete', access: 'write' },
] as const satisfies readonly AirflowObjectRoute[]

/** Airflow 3's DAGResponse for a catalog DAG; what the catalog does not know is null (or Airflow's default). */
export function airflowDag(dag: DagView): Record<string, unknown> {
  return {
    dag_id: dag.dagId,
    dag_display_name: dag.dagId,
    is_paused: dag.paused,
    is_stale: false,
    last_parsed_time: dag.syncedAt,
    last_expired: null,
    bundle_name: null,
    bundle_version: null,
    relative_fileloc: null,
    fileloc: '',
    description: dag.description,
    timetable_summary: dag.schedule,
    timetable_description: null,
    timetable_periodic: dag.schedule !== null,
    timetable_partitioned: false,
    is_backfillable: dag.schedule !== null && (dag.allowedRunTypes === null || dag.allowedRunTypes.includes('backfill')),
    tags: dag.tags.map((name) => ({ name, dag_id: dag.dagId, dag_display_name: dag.dagId })),
    max_active_tasks: 16,
    max_active_runs: null,
    max_consecutive_failed_dag_runs: 0,
    has_task_concurrency_limits: false,
    has_import_errors: false,
    next_dagrun_logical_date: null,
    next_dagrun_data_interval_start: null,
    next_dagrun_data_interval_end: null,
    next_dagrun_run_after: null,
    owners: dag.owners,
    allowed_run_types: dag.allowedRunTypes,
    file_token: '',
  }
}

/** Airflow's DagRunTriggeredByType: how a run was triggered (Airflow 3.1+ may report its user instead). */
const TRIGGERED_BY = new Set(['cli', 'operator', 'rest_api', 'ui', 'test', 'timetable', 'asset', 'backfill'])

/** Airflow 3's DAGRunResponse for a run as Conductor reads it; `run_after` falls back to the first known time. */
export function airflowRun(run: RunView): Record<string, unknown> {
  return {
    dag_run_id: run.runId,
    dag_id: run.dagId,
    dag_display_name: run.dagId,
    logical_date: run.logicalDate,
    queued_at: run.queuedAt,
    start_date: run.startDate,
    end_date: run.endDate,
    data_interval_start: null,
    data_interval_end: null,
    run_after: run.queuedAt ?? run.startDate ?? run.logicalDate ?? run.endDate,
    last_scheduling_decision: null,
    run_type: run.runType ?? 'manual',
    state: run.state,
    triggered_by: run.startedBy.via === 'conductor' ? 'rest_api' : TRIGGERED_BY.has(run.triggeredBy ?? '') ? run.triggeredBy : null,
    triggering_user_name: run.startedBy.via === 'conductor' ? run.startedBy.principalId : TRIGGERED_BY.has(run.triggeredBy ?? '') ? null : run.triggeredBy,
    conf: run.conf,
    note: run.note,
    dag_versions: [],
    bundle_version: null,
  }
}

/** What a task instance's answer says of its run. */
export type RunOfTask = Pick<RunView, 'environment' | 'dagId' | 'runId' | 'logicalDate' | 'queuedAt' | 'startDate' | 'endDate'>

/** A run known only by its ids (e.g. the run of a clear's dry run): its dates are unknown. */
export function runKnownById(environment: string, dagId: string, runId: string): RunOfTask {
  return { environment, dagId, runId, logicalDate: null, queuedAt: null, startDate: null, endDate: null }
}

/** Airflow 3's TaskInstanceResponse for a task instance of a run; what Conductor does not read is null. */
export function airflowTaskInstance(run: RunOfTask, ti: TaskInstanceInfo): Record<string, unknown> {
  return {
    id: stableUuid(`${run.environment}/${run.dagId}/${run.runId}/${ti.taskId}/${ti.mapIndex}`),
    task_id: ti.taskId,
    task_display_name: ti.taskId,
    dag_id: run.dagId,
    dag_display_name: run.dagId,
    dag_run_id: run.runId,
    dag_version: null,
    logical_date: run.logicalDate,
    run_after: run.queuedAt ?? run.startDate ?? run.logicalDate ?? run.endDate,
    start_date: ti.startDate,
    end_date: ti.endDate,
    duration: ti.durationSeconds,
    state: ti.state,
    try_number: ti.tryNumber,
    max_tries: ti.tryNumber,
    map_index: ti.mapIndex,
    rendered_map_index: null,
    hostname: null,
    unixname: null,
    pool: 'default_pool',
    pool_slots: 1,
    queue: null,
    priority_weight: null,
    operator: null,
    operator_name: null,
    queued_when: null,
    scheduled_when: null,
    pid: null,
    executor: null,
    executor_config: '{}',
    note: null,
    rendered_fields: {},
    trigger: null,
    triggerer_job: null,
  }
}

/** A UUID (version 5 layout) derived from `key`: the same task instance gets the same id at every read. */
function stableUuid(key: string): string {
  const hex = createHash('sha1').update(key).digest('hex')
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

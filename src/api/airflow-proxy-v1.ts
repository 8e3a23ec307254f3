import type { DagView, RunView } from '../governance/index.ts'
import type { TaskInstanceInfo } from '../orchestrators/index.ts'
import { airflowDag, airflowRun, airflowTaskInstance, type RunOfTask } from './airflow-proxy-map.ts'

/**
 * How the proxy speaks one generation of Airflow's REST API: the JSON shapes of its answers and what differs in its
 * requests. Airflow 3 (`/api/v2`) and Airflow 2 (`/api/v1`, its OpenAPI `airflow/api_connexion/openapi/v1.yaml`).
 */
export interface AirflowProxyDialect {
  /** The environment kind whose Airflow speaks it. */
  kind: 'airflow3' | 'airflow2'
  /** A list's page when the caller gives no `limit`. */
  defaultLimit: number
  /** What a create answers. */
  createdStatus: 200 | 201
  /** Whether a run's clear can be limited to failed tasks (`only_failed`); Airflow 2's clears every task of the run. */
  clearsOnlyFailed: boolean
  dag(dag: DagView): Record<string, unknown>
  run(run: RunView): Record<string, unknown>
  taskInstance(run: RunOfTask, ti: TaskInstanceInfo): Record<string, unknown>
  /** The answer of a clear's dry run. */
  clearedTasks(run: RunOfTask, tis: TaskInstanceInfo[]): Record<string, unknown>
  /** A page of a task's log. */
  log(lines: string[], continuationToken: string | null): Record<string, unknown>
}

/** Airflow 3's `/api/v2`. */
export const AIRFLOW3_DIALECT: AirflowProxyDialect = {
  kind: 'airflow3',
  defaultLimit: 50,
  createdStatus: 201,
  clearsOnlyFailed: true,
  dag: airflowDag,
  run: airflowRun,
  taskInstance: airflowTaskInstance,
  clearedTasks: (run, tis) => ({ task_instances: tis.map((ti) => airflowTaskInstance(run, ti)), total_entries: tis.length }),
  log: (lines, continuationToken) => ({ content: lines.map((event) => ({ event })), continuation_token: continuationToken }),
}

/** Airflow 2's `/api/v1`: `execution_date` beside `logical_date`, `schedule_interval`, no `triggered_by`; logs as text. */
export const AIRFLOW2_DIALECT: AirflowProxyDialect = {
  kind: 'airflow2',
  defaultLimit: 100,
  createdStatus: 200,
  clearsOnlyFailed: false,
  dag: (view) => {
    const v3 = airflowDag(view)
    return {
      dag_id: v3.dag_id, dag_display_name: v3.dag_display_name, root_dag_id: null, is_paused: v3.is_paused, is_active: true, is_subdag: false,
      last_parsed_time: v3.last_parsed_time, last_pickled: null, last_expired: null, scheduler_lock: null, pickle_id: null, default_view: 'grid',
      fileloc: v3.fileloc, file_token: v3.file_token, owners: v3.owners, description: v3.description,
      schedule_interval: view.schedule === null ? null : { __type: 'CronExpression', value: view.schedule },
      timetable_description: null, tags: view.tags.map((name) => ({ name })), max_active_tasks: v3.max_active_tasks, max_active_runs: 16,
      has_task_concurrency_limits: false, has_import_errors: false, next_dagrun: null, next_dagrun_data_interval_start: null,
      next_dagrun_data_interval_end: null, next_dagrun_create_after: null, max_consecutive_failed_dag_runs: 0,
    }
  },
  run: (view) => {
    const v3 = airflowRun(view)
    return {
      dag_run_id: v3.dag_run_id, dag_id: v3.dag_id, logical_date: v3.logical_date, execution_date: v3.logical_date,
      start_date: v3.start_date, end_date: v3.end_date, data_interval_start: null, data_interval_end: null, last_scheduling_decision: null,
      run_type: v3.run_type, state: v3.state, external_trigger: v3.run_type === 'manual', conf: v3.conf, note: v3.note,
    }
  },
  taskInstance: (run, ti) => {
    const { id: _id, dag_display_name: _name, dag_version: _version, logical_date: logicalDate, run_after: _after, operator_name: _operator, scheduled_when: _when, ...rest } = airflowTaskInstance(run, ti)
    return { ...rest, execution_date: logicalDate, sla_miss: null }
  },
  // Airflow 2 answers a dry run with references to the task instances it would clear.
  clearedTasks: (run, tis) => ({ task_instances: tis.map((ti) => ({ task_id: ti.taskId, dag_id: run.dagId, dag_run_id: run.runId, execution_date: run.logicalDate })) }),
  log: (lines, continuationToken) => ({ content: lines.map((line) => `${line}\n`).join(''), continuation_token: continuationToken }),
}

import type { EnvironmentConfig } from '../config/index.ts'
import { ConductorError } from '../core/index.ts'
import { createJwtAuth } from './auth.ts'
import { seg, type AirflowHttp } from './http-client.ts'
import { type AdapterDeps, toDagParams, logLines, pageThrough, toDate } from './mapping.ts'
import type { DagInfo, Orchestrator, OrchestratorHealth, RunInfo, TaskInstanceInfo, TaskLogChunk, TriggerRunInput } from './orchestrator.ts'

interface V3Dag {
  dag_id: string
  description?: string | null
  tags?: { name: string }[]
  owners?: string[]
  is_paused?: boolean | null
  timetable_summary?: string | null
  fileloc?: string
}

interface V3Run {
  dag_id: string
  dag_run_id: string
  state: string
  run_type?: string | null
  logical_date?: string | null
  queued_at?: string | null
  start_date?: string | null
  end_date?: string | null
  conf?: Record<string, unknown> | null
  note?: string | null
  triggered_by?: string | null
  triggering_user_name?: string | null
}

interface V3TaskInstance {
  task_id: string
  state?: string | null
  try_number?: number
  map_index?: number
  start_date?: string | null
  end_date?: string | null
  duration?: number | null
}

/** The Airflow 3 adapter over `/api/v2` with JWTs from `/auth/token`. */
export function createAirflow3Orchestrator(env: EnvironmentConfig, deps: AdapterDeps & { http: AirflowHttp; onClose: () => Promise<void> }): Orchestrator {
  const { http } = deps
  const auth = createJwtAuth({ env, secrets: deps.secrets, clock: deps.clock, http })
  const dagPath = (dagId: string) => `/api/v2/dags/${seg(dagId)}`
  const runPath = (dagId: string, runId: string) => `${dagPath(dagId)}/dagRuns/${seg(runId)}`

  return {
    environment: env.name,

    async health(): Promise<OrchestratorHealth> {
      try {
        const response = await http.send({ method: 'GET', path: '/api/v2/monitor/health' })
        if (response.status !== 200) return { reachable: false, detail: `health check answered ${response.status}` }
        const unhealthy = Object.entries((response.body ?? {}) as Record<string, { status?: string | null } | null>)
          .filter(([, component]) => component && component.status !== 'healthy')
          .map(([name, component]) => `${name}: ${component?.status ?? 'unknown'}`)
        const version = await http.send({ method: 'GET', path: '/api/v2/version' }).then(
          (r) => (r.status === 200 ? (r.body as { version?: string }).version : undefined), () => undefined)
        return {
          reachable: true,
          ...(version ? { version } : {}),
          ...(unhealthy.length ? { detail: unhealthy.join(', ') } : {}),
        }
      } catch (error) {
        return { reachable: false, detail: error instanceof Error ? error.message : String(error) }
      }
    },

    async listDags(): Promise<DagInfo[]> {
      const dags = await pageThrough<V3Dag>(async (limit, offset) => {
        const page = await http.call<{ dags: V3Dag[]; total_entries?: number | null }>({ method: 'GET', path: '/api/v2/dags', query: { limit, offset }, idempotent: true }, auth)
        return { items: page.dags, total: page.total_entries ?? null }
      })
      return dags.map(toDag)
    },

    async getDagParams(dagId: string) {
      const details = await http.call<{ params?: unknown }>({ method: 'GET', path: `${dagPath(dagId)}/details`, idempotent: true, subject: { dagId } }, auth)
      return toDagParams(details.params)
    },

    async getDag(dagId: string): Promise<DagInfo> {
      return toDag(await http.call<V3Dag>({ method: 'GET', path: dagPath(dagId), idempotent: true, subject: { dagId } }, auth))
    },

    async triggerRun(dagId: string, input: TriggerRunInput): Promise<RunInfo> {
      const body: Record<string, unknown> = { dag_run_id: input.runId, logical_date: input.logicalDate, conf: input.conf }
      if (input.note !== undefined) body.note = input.note
      try {
        return toRun(await http.call<V3Run>({ method: 'POST', path: `${dagPath(dagId)}/dagRuns`, body, idempotent: false, subject: { dagId } }, auth))
      } catch (error) {
        throw conflictForRun(error, env, dagId, input.runId)
      }
    },

    async listRuns(dagId: string, options: { limit?: number; offset?: number } = {}): Promise<RunInfo[]> {
      const page = await http.call<{ dag_runs: V3Run[] }>({
        method: 'GET', path: `${dagPath(dagId)}/dagRuns`, idempotent: true, subject: { dagId },
        query: { limit: options.limit ?? 100, offset: options.offset ?? 0, order_by: ['-run_after', '-id'] },
      }, auth)
      return page.dag_runs.map(toRun)
    },

    async getRun(dagId: string, runId: string): Promise<RunInfo> {
      return toRun(await http.call<V3Run>({ method: 'GET', path: runPath(dagId, runId), idempotent: true, subject: { dagId, runId } }, auth))
    },

    async listTaskInstances(dagId: string, runId: string): Promise<TaskInstanceInfo[]> {
      const items = await pageThrough<V3TaskInstance>(async (limit, offset) => {
        const page = await http.call<{ task_instances: V3TaskInstance[]; total_entries?: number | null }>({
          method: 'GET', path: `${runPath(dagId, runId)}/taskInstances`, query: { limit, offset }, idempotent: true, subject: { dagId, runId },
        }, auth)
        return { items: page.task_instances, total: page.total_entries ?? null }
      })
      return items.map(toTaskInstance)
    },

    async clearFailedTasks(dagId: string, runId: string): Promise<{ taskIds: string[] }> {
      // dry_run defaults to true in Airflow: without `false` nothing would be cleared.
      const result = await http.call<{ task_instances: V3TaskInstance[] }>({
        method: 'POST', path: `${dagPath(dagId)}/clearTaskInstances`, idempotent: false, subject: { dagId, runId },
        body: { dry_run: false, dag_run_id: runId, only_failed: true, reset_dag_runs: true },
      }, auth)
      return { taskIds: [...new Set(result.task_instances.map((ti) => ti.task_id))] }
    },

    async setPaused(dagId: string, paused: boolean): Promise<DagInfo> {
      return toDag(await http.call<V3Dag>({
        method: 'PATCH', path: dagPath(dagId), query: { update_mask: 'is_paused' }, body: { is_paused: paused }, idempotent: true, subject: { dagId },
      }, auth))
    },

    async getTaskLog(dagId: string, runId: string, taskId: string, options: { tryNumber?: number; continuationToken?: string } = {}): Promise<TaskLogChunk> {
      const subject = { dagId, runId, taskId }
      let tryNumber = options.tryNumber
      if (tryNumber === undefined) {
        const ti = await http.call<V3TaskInstance>({ method: 'GET', path: `${runPath(dagId, runId)}/taskInstances/${seg(taskId)}`, idempotent: true, subject }, auth)
        tryNumber = Math.max(1, ti.try_number ?? 1)
      }
      const log = await http.call<{ content: unknown; continuation_token?: string | null }>({
        method: 'GET', path: `${runPath(dagId, runId)}/taskInstances/${seg(taskId)}/logs/${tryNumber}`, idempotent: true, subject,
        query: { token: options.continuationToken }, accept: 'application/json',
      }, auth)
      return { tryNumber, lines: logLines(log.content), continuationToken: log.continuation_token ?? null }
    },

    close: deps.onClose,
  }
}

function toDag(dag: V3Dag): DagInfo {
  return {
    dagId: dag.dag_id,
    description: dag.description ?? null,
    tags: (dag.tags ?? []).map((tag) => tag.name),
    owners: dag.owners ?? [],
    paused: dag.is_paused === true,
    schedule: dag.timetable_summary ?? null,
    ...(dag.fileloc ? { fileloc: dag.fileloc } : {}),
  }
}

function toRun(run: V3Run): RunInfo {
  return {
    dagId: run.dag_id,
    runId: run.dag_run_id,
    state: run.state,
    runType: run.run_type ?? null,
    logicalDate: toDate(run.logical_date),
    queuedAt: toDate(run.queued_at),
    startDate: toDate(run.start_date),
    endDate: toDate(run.end_date),
    conf: run.conf ?? {},
    note: run.note ?? null,
    triggeredBy: run.triggering_user_name ?? run.triggered_by ?? null,
  }
}

function toTaskInstance(ti: V3TaskInstance): TaskInstanceInfo {
  return {
    taskId: ti.task_id,
    state: ti.state ?? null,
    tryNumber: ti.try_number ?? 0,
    mapIndex: ti.map_index ?? -1,
    startDate: toDate(ti.start_date),
    endDate: toDate(ti.end_date),
    durationSeconds: ti.duration ?? null,
  }
}

/** A 409 on trigger means the run id is taken: say so in the product's words. */
export function conflictForRun(error: unknown, env: EnvironmentConfig, dagId: string, runId: string): unknown {
  if (error instanceof ConductorError && error.code === 'orchestrator_conflict') {
    return new ConductorError('orchestrator_conflict', `Run "${runId}" of DAG "${dagId}" already exists in Airflow environment "${env.name}"`, {
      details: { ...error.details, environment: env.name, dagId, runId }, cause: error,
    })
  }
  return error
}

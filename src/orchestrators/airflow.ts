import type { EnvironmentConfig } from '../config/index.ts'
import { ConductorError } from '../core/index.ts'
import type { AirflowApiVersion, AirflowAsset, AirflowAssetEvent, AirflowDag, AirflowEventLog, AirflowHitlDetail, AirflowHitlResponse, AirflowRun, AirflowTaskInstance } from './api-versions.ts'
import { seg, type AirflowHttp, type AuthStrategy } from './http-client.ts'
import { logLines, pageThrough, toDagParams, toDate, toHitlResponse, toHitlTask } from './mapping.ts'
import { AIRFLOW_OBJECTS, type AirflowObject, type AirflowObjectKind } from './orchestrator.ts'
import type { Actor, AssetEventInfo, ClearOptions, HitlAnswer, HitlRef, HitlResponse, HitlTask, ClearResult, DagInfo, EventLogEntry, Orchestrator, OrchestratorHealth, RunInfo, RunSince, SinceOptions, TaskInstanceInfo, TaskLogChunk, TriggerRunInput } from './orchestrator.ts'

/** What the Airflow adapter is built from. */
export interface AirflowAdapterDeps {
  /** What differs between `/api/v2` and `/api/v1`. */
  api: AirflowApiVersion
  http: AirflowHttp
  /** How every call but health proves who it is. */
  credentials: AuthStrategy
  /** How calls made for a person prove who they are (credential kind `conductor-identity`); absent: no {@link Orchestrator.as}. */
  actorCredentials?: (actor: Actor) => AuthStrategy
  onClose: () => Promise<void>
}

/**
 * The Airflow adapter, for Airflow 3 (`/api/v2`) and Airflow 2 (`/api/v1`, 2.x with the REST API) alike;
 * `deps.api` holds what differs. Tested against a real Airflow 3 and 2.11 by test/e2e/orchestrators.test.ts.
 * Airflow 2 answers a wrong password with 403 rather than 401 (both give `orchestrator_auth_failed`).
 */
export function createAirflowOrchestrator(env: EnvironmentConfig, deps: AirflowAdapterDeps): Orchestrator {
  const { api, http, credentials: auth } = deps
  const dagPath = (dagId: string) => `${api.prefix}/dags/${seg(dagId)}`
  const runPath = (dagId: string, runId: string) => `${dagPath(dagId)}/dagRuns/${seg(runId)}`
  const hitlPath = (ref: HitlRef) => `${runPath(ref.dagId, ref.runId)}/taskInstances/${seg(ref.taskId)}/${ref.mapIndex}/hitlDetails`
  const objectPath = (kind: AirflowObjectKind, name: string) => `${api.prefix}/${AIRFLOW_OBJECTS[kind].collection}/${seg(name)}`

  function toDag(dag: AirflowDag): DagInfo {
    return {
      dagId: dag.dag_id,
      description: dag.description ?? null,
      tags: (dag.tags ?? []).map((tag) => tag.name),
      owners: dag.owners ?? [],
      paused: dag.is_paused === true,
      schedule: api.schedule(dag),
      ...(dag.fileloc ? { fileloc: dag.fileloc } : {}),
      team: typeof dag.team_name === 'string' && dag.team_name !== '' ? dag.team_name : null,
      allowedRunTypes: Array.isArray(dag.allowed_run_types) ? [...dag.allowed_run_types].sort() : null,
    }
  }

  function toRun(run: AirflowRun): RunInfo {
    return {
      dagId: run.dag_id,
      runId: run.dag_run_id,
      state: run.state,
      runType: run.run_type ?? null,
      logicalDate: toDate(api.logicalDate(run)),
      queuedAt: toDate(run.queued_at),
      startDate: toDate(run.start_date),
      endDate: toDate(run.end_date),
      conf: run.conf ?? {},
      note: run.note ?? null,
      triggeredBy: api.triggeredBy(run),
    }
  }

  async function version(): Promise<string | undefined> {
    const path = `${api.prefix}/version`
    if (api.versionNeedsCredentials) return http.call<{ version?: string }>({ method: 'GET', path, idempotent: false }, auth).then((v) => v.version, () => undefined)
    return http.send({ method: 'GET', path }).then((r) => (r.status === 200 ? (r.body as { version?: string }).version : undefined), () => undefined)
  }

  /** Airflow's id of the asset with exactly this URI (its `uri_pattern` filter is a substring match). */
  async function assetIdOf(assetUri: string): Promise<number> {
    if (!api.assets) throw assetsNotSupported(env)
    const page = await http.call<{ assets: AirflowAsset[] }>({
      method: 'GET', path: `${api.prefix}/assets`, idempotent: true, query: { uri_pattern: assetUri, limit: 100, offset: 0 },
    }, auth)
    const asset = page.assets.find((a) => a.uri === assetUri)
    if (!asset) throw new ConductorError('asset_not_found', `No asset "${assetUri}" in Airflow environment "${env.name}"`, { details: { environment: env.name, assetUri } })
    return asset.id
  }

  return {
    environment: env.name,

    async health(): Promise<OrchestratorHealth> {
      try {
        const response = await http.send({ method: 'GET', path: api.healthPath })
        if (response.status !== 200) return { reachable: false, detail: `health check answered ${response.status}` }
        const unhealthy = Object.entries((response.body ?? {}) as Record<string, { status?: string | null } | null>)
          .filter(([, component]) => component && component.status !== 'healthy' && !(api.ignoresNullHealth && (component.status ?? null) === null))
          .map(([name, component]) => `${name}: ${component?.status ?? 'unknown'}`)
        const found = await version()
        return { reachable: true, ...(found ? { version: found } : {}), ...(unhealthy.length ? { detail: unhealthy.join(', ') } : {}) }
      } catch (error) {
        return { reachable: false, detail: error instanceof Error ? error.message : String(error) }
      }
    },

    async listDags(): Promise<DagInfo[]> {
      const dags = await pageThrough<AirflowDag>(async (limit, offset) => {
        const page = await http.call<{ dags: AirflowDag[]; total_entries?: number | null }>({ method: 'GET', path: `${api.prefix}/dags`, query: { limit, offset }, idempotent: true }, auth)
        return { items: page.dags, total: page.total_entries ?? null }
      })
      return dags.map(toDag)
    },

    async getDagParams(dagId: string) {
      const details = await http.call<{ params?: unknown }>({ method: 'GET', path: `${dagPath(dagId)}/details`, idempotent: true, subject: { dagId } }, auth)
      return toDagParams(details.params)
    },

    async getDag(dagId: string): Promise<DagInfo> {
      return toDag(await http.call<AirflowDag>({ method: 'GET', path: dagPath(dagId), idempotent: true, subject: { dagId } }, auth))
    },

    async triggerRun(dagId: string, input: TriggerRunInput): Promise<RunInfo> {
      const body: Record<string, unknown> = { dag_run_id: input.runId }
      if (input.logicalDate !== null || api.sendsNullLogicalDate) body.logical_date = input.logicalDate
      body.conf = input.conf
      if (input.note !== undefined) body.note = input.note
      try {
        return toRun(await http.call<AirflowRun>({ method: 'POST', path: `${dagPath(dagId)}/dagRuns`, body, idempotent: false, subject: { dagId } }, auth))
      } catch (error) {
        throw conflictForRun(error, env, dagId, input.runId)
      }
    },

    async listRuns(dagId: string, options: { limit?: number; offset?: number } = {}): Promise<RunInfo[]> {
      const page = await http.call<{ dag_runs: AirflowRun[] }>({
        method: 'GET', path: `${dagPath(dagId)}/dagRuns`, idempotent: true, subject: { dagId },
        query: { limit: options.limit ?? 100, offset: options.offset ?? 0, order_by: api.runsOrderBy },
      }, auth)
      return page.dag_runs.map(toRun)
    },

    async listSucceededRuns(dagId: string, options: { endDateGte: string | null; limit?: number }): Promise<RunInfo[]> {
      // The same query on Airflow 3 (/api/v2) and 2 (/api/v1): state and end_date_gte filters, ordered by end date.
      const page = await http.call<{ dag_runs: AirflowRun[] }>({
        method: 'GET', path: `${dagPath(dagId)}/dagRuns`, idempotent: true, subject: { dagId },
        query: { limit: options.limit ?? 100, offset: 0, state: 'success', order_by: 'end_date', ...(options.endDateGte ? { end_date_gte: options.endDateGte } : {}) },
      }, auth)
      return page.dag_runs.map(toRun)
    },

    async listRunsSince(options: SinceOptions): Promise<RunSince[]> {
      const { filter, orderBy, at } = api.runsSince
      const runs = await pageThrough<AirflowRun>(async (limit, offset) => {
        const page = await http.call<{ dag_runs: AirflowRun[]; total_entries?: number | null }>({
          method: 'GET', path: `${api.prefix}/dags/~/dagRuns`, idempotent: true,
          query: { limit, offset, order_by: orderBy, [filter]: options.since },
        }, auth)
        return { items: page.dag_runs, total: page.total_entries ?? null }
      }, options.limit ?? 500)
      return runs.flatMap((run) => {
        const when = at(run)
        return when ? [{ ...toRun(run), at: when }] : []
      })
    },

    async listEventLogsSince(options: SinceOptions): Promise<EventLogEntry[]> {
      const entries = await pageThrough<AirflowEventLog>(async (limit, offset) => {
        const page = await http.call<{ event_logs: AirflowEventLog[]; total_entries?: number | null }>({
          method: 'GET', path: `${api.prefix}/eventLogs`, idempotent: true,
          query: { limit, offset, order_by: 'event_log_id', after: options.since },
        }, auth)
        return { items: page.event_logs, total: page.total_entries ?? null }
      }, options.limit ?? 500)
      return entries.map((entry) => ({
        id: entry.event_log_id,
        when: entry.when,
        event: entry.event,
        kind: api.eventKinds[entry.event] ?? null,
        owner: entry.owner ?? null,
        dagId: entry.dag_id ?? null,
        runId: entry.run_id ?? null,
        taskId: entry.task_id ?? null,
        extra: parseExtra(entry.extra),
      }))
    },

    async getRun(dagId: string, runId: string): Promise<RunInfo> {
      return toRun(await http.call<AirflowRun>({ method: 'GET', path: runPath(dagId, runId), idempotent: true, subject: { dagId, runId } }, auth))
    },

    async listTaskInstances(dagId: string, runId: string): Promise<TaskInstanceInfo[]> {
      const items = await pageThrough<AirflowTaskInstance>(async (limit, offset) => {
        const page = await http.call<{ task_instances: AirflowTaskInstance[]; total_entries?: number | null }>({
          method: 'GET', path: `${runPath(dagId, runId)}/taskInstances`, query: { limit, offset }, idempotent: true, subject: { dagId, runId },
        }, auth)
        return { items: page.task_instances, total: page.total_entries ?? null }
      })
      return items.map(toTaskInstance)
    },

    async clearFailedTasks(dagId: string, runId: string, options: ClearOptions = {}): Promise<ClearResult> {
      const dryRun = options.dryRun ?? false
      // dry_run defaults to true in Airflow: without `false` nothing would be cleared.
      const result = await http.call<{ task_instances: AirflowTaskInstance[] }>({
        method: 'POST', path: `${dagPath(dagId)}/clearTaskInstances`, idempotent: dryRun, subject: { dagId, runId },
        body: { dry_run: dryRun, dag_run_id: runId, only_failed: options.onlyFailed ?? true, reset_dag_runs: !dryRun },
      }, auth)
      return { taskIds: [...new Set(result.task_instances.map((ti) => ti.task_id))], taskInstances: result.task_instances.map(toTaskInstance) }
    },

    async setPaused(dagId: string, paused: boolean): Promise<DagInfo> {
      return toDag(await http.call<AirflowDag>({
        method: 'PATCH', path: dagPath(dagId), query: { update_mask: 'is_paused' }, body: { is_paused: paused }, idempotent: true, subject: { dagId },
      }, auth))
    },

    async getTaskLog(dagId: string, runId: string, taskId: string, options: { tryNumber?: number; continuationToken?: string } = {}): Promise<TaskLogChunk> {
      const subject = { dagId, runId, taskId }
      const taskPath = `${runPath(dagId, runId)}/taskInstances/${seg(taskId)}`
      let tryNumber = options.tryNumber
      if (tryNumber === undefined) {
        const ti = await http.call<AirflowTaskInstance>({ method: 'GET', path: taskPath, idempotent: true, subject }, auth)
        tryNumber = Math.max(1, ti.try_number ?? 1)
      }
      const log = await http.call<{ content: unknown; continuation_token?: string | null }>({
        method: 'GET', path: `${taskPath}/logs/${tryNumber}`, idempotent: true, subject,
        query: { token: options.continuationToken }, accept: 'application/json',
      }, auth)
      return { tryNumber, lines: logLines(api.logContent(log.content)), continuationToken: log.continuation_token ?? null }
    },

    async listObjects(kind) {
      const { collection } = AIRFLOW_OBJECTS[kind]
      return pageThrough<AirflowObject>(async (limit, offset) => {
        const page = await http.call<Record<string, unknown>>({ method: 'GET', path: `${api.prefix}/${collection}`, query: { limit, offset }, idempotent: true }, auth)
        const items = page[collection]
        return { items: Array.isArray(items) ? items as AirflowObject[] : [], total: typeof page.total_entries === 'number' ? page.total_entries : null }
      })
    },

    async getObject(kind, name) {
      return http.call<AirflowObject>({ method: 'GET', path: objectPath(kind, name), idempotent: true, subject: objectSubject(kind, name) }, auth)
    },

    async createObject(kind, name, body) {
      return http.call<AirflowObject>({ method: 'POST', path: `${api.prefix}/${AIRFLOW_OBJECTS[kind].collection}`, body, idempotent: false, subject: objectSubject(kind, name) }, auth)
    },

    async updateObject(kind, name, body, updateMask) {
      return http.call<AirflowObject>({
        method: 'PATCH', path: objectPath(kind, name), body, idempotent: false, subject: objectSubject(kind, name),
        ...(updateMask ? { query: { update_mask: updateMask } } : {}),
      }, auth)
    },

    async deleteObject(kind, name) {
      await http.call<unknown>({ method: 'DELETE', path: objectPath(kind, name), idempotent: false, subject: objectSubject(kind, name) }, auth)
    },

    async listHitl(options: { limit?: number } = {}): Promise<HitlTask[]> {
      if (!api.hitl) throw hitlNotSupported(env)
      const details = await pageThrough<AirflowHitlDetail>(async (limit, offset) => {
        const page = await http.call<{ hitl_details: AirflowHitlDetail[]; total_entries?: number | null }>({
          method: 'GET', path: `${api.prefix}/dags/~/dagRuns/~/hitlDetails`, idempotent: true,
          query: { limit, offset, response_received: false, order_by: '-created_at' },
        }, auth)
        return { items: page.hitl_details, total: page.total_entries ?? null }
      }, options.limit ?? 1000)
      // A task that stopped waiting unanswered (timed out, failed, cleared) keeps its detail: only waiting ones count.
      return details.map(toHitlTask).filter((task) => task.state === null || WAITING_STATES.has(task.state))
    },

    async getHitl(ref: HitlRef): Promise<HitlTask> {
      if (!api.hitl) throw hitlNotSupported(env)
      try {
        return toHitlTask(await http.call<AirflowHitlDetail>({ method: 'GET', path: hitlPath(ref), idempotent: true, subject: { dagId: ref.dagId, runId: ref.runId, taskId: ref.taskId } }, auth))
      } catch (error) {
        throw hitlError(error, env, ref)
      }
    },

    async respondHitl(ref: HitlRef, answer: HitlAnswer): Promise<HitlResponse> {
      if (!api.hitl) throw hitlNotSupported(env)
      const path = hitlPath(ref)
      try {
        return toHitlResponse(await http.call<AirflowHitlResponse>({
          method: 'PATCH', path, idempotent: false, subject: { dagId: ref.dagId, runId: ref.runId, taskId: ref.taskId },
          body: { chosen_options: answer.chosenOptions, params_input: answer.paramsInput ?? {} },
        }, auth))
      } catch (error) {
        throw hitlError(error, env, ref)
      }
    },

    async listAssetEvents(assetUri, options) {
      const assetId = await assetIdOf(assetUri)
      const page = await http.call<{ asset_events: AirflowAssetEvent[] }>({
        method: 'GET', path: `${api.prefix}/assets/events`, idempotent: true, subject: { object: `Asset "${assetUri}"` },
        query: { asset_id: assetId, limit: options.limit ?? 100, offset: 0, order_by: 'timestamp', ...(options.timestampGte ? { timestamp_gte: options.timestampGte } : {}) },
      }, auth)
      return page.asset_events.map((e) => toAssetEvent(e, assetUri))
    },

    async postAssetEvent(assetUri, extra) {
      const assetId = await assetIdOf(assetUri)
      const event = await http.call<AirflowAssetEvent>({
        method: 'POST', path: `${api.prefix}/assets/events`, idempotent: false, subject: { object: `Asset "${assetUri}"` }, body: { asset_id: assetId, extra },
      }, auth)
      return toAssetEvent(event, assetUri)
    },

    close: deps.onClose,
    ...(deps.actorCredentials ? {
      as: (actor: Actor) => createAirflowOrchestrator(env, { api, http, credentials: deps.actorCredentials!(actor), onClose: async () => {} }),
    } : {}),
  }
}

/** Names the object a call is about in a not-found error (`Connection "prod_db"`). */
function objectSubject(kind: AirflowObjectKind, name: string): { object: string } {
  return { object: `${kind[0]!.toUpperCase()}${kind.slice(1)} "${name}"` }
}

/** Airflow's `extra` is a JSON string (request parameters and body); anything else is kept as it is. */
function parseExtra(extra: string | null | undefined): unknown {
  if (typeof extra !== 'string') return extra ?? null
  try { return JSON.parse(extra) } catch { return extra }
}

function toTaskInstance(ti: AirflowTaskInstance): TaskInstanceInfo {
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

/** The task instance states of a human-in-the-loop task waiting for its answer: Airflow 3.3+ parks it, older ones defer it. */
const WAITING_STATES = new Set(['awaiting_input', 'deferred'])

function assetsNotSupported(env: EnvironmentConfig): ConductorError {
  return new ConductorError('assets_not_supported', `Airflow environment "${env.name}" runs Airflow 2, whose API has no assets (Airflow 3's /api/v2/assets)`, { details: { environment: env.name } })
}

function toAssetEvent(e: AirflowAssetEvent, assetUri: string): AssetEventInfo {
  return {
    id: String(e.id), assetUri: e.uri ?? assetUri, timestamp: toDate(e.timestamp) ?? e.timestamp, extra: e.extra ?? {},
    sourceDagId: e.source_dag_id ?? null, sourceRunId: e.source_run_id ?? null, sourceTaskId: e.source_task_id ?? null,
    createdRuns: (e.created_dagruns ?? []).map((r) => ({ dagId: r.dag_id, runId: r.run_id })),
  }
}

function hitlNotSupported(env: EnvironmentConfig): ConductorError {
  return new ConductorError('hitl_not_supported', `Airflow environment "${env.name}" runs Airflow 2, which has no human-in-the-loop tasks`, { details: { environment: env.name } })
}

/** Airflow's refusals of an answer in the product's words: answered before (409), no such waiting task (404), not an assignee (403). */
function hitlError(error: unknown, env: EnvironmentConfig, ref: HitlRef): unknown {
  if (!(error instanceof ConductorError)) return error
  const what = `human-in-the-loop task "${ref.taskId}" (map index ${ref.mapIndex}) of run "${ref.runId}" of DAG "${ref.dagId}" in environment "${env.name}"`
  const details = { ...error.details, environment: env.name, ...ref }
  if (error.code === 'orchestrator_conflict') return new ConductorError('hitl_already_answered', `The ${what} was already answered`, { details, cause: error })
  if (['task_not_found', 'run_not_found', 'dag_not_found', 'not_found'].includes(error.code)) {
    return new ConductorError('hitl_not_found', `No ${what}`, { details, cause: error })
  }
  if (error.code === 'orchestrator_auth_failed' && /not a respondent/i.test(String(error.details?.detail ?? ''))) {
    return new ConductorError('hitl_not_assigned', `Airflow refused the answer: the caller is not one of the assigned users of the ${what}`, { details, cause: error })
  }
  return error
}

/** A 409 on trigger means the run id is taken: say so in the product's words. */
function conflictForRun(error: unknown, env: EnvironmentConfig, dagId: string, runId: string): unknown {
  if (error instanceof ConductorError && error.code === 'orchestrator_conflict') {
    return new ConductorError('orchestrator_conflict', `Run "${runId}" of DAG "${dagId}" already exists in Airflow environment "${env.name}"`, {
      details: { ...error.details, environment: env.name, dagId, runId }, cause: error,
    })
  }
  return error
}

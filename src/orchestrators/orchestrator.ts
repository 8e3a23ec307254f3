/** A DAG as Conductor sees it in one environment. */
export interface DagInfo {
  dagId: string
  description: string | null
  tags: string[]
  owners: string[]
  paused: boolean
  /** The schedule as Airflow summarises it (a cron expression, `@daily`, …); null for manual-only DAGs. */
  schedule: string | null
  /** The DAG file's path on the Airflow side. */
  fileloc?: string
  /** The DAG's team (Airflow 3 multi-team, `team_name`); null or absent when Airflow names none (always on Airflow 2). */
  team?: string | null
  /**
   * The run types Airflow lets this DAG have (`allowed_run_types`, Airflow 3.2+: `manual`, `scheduled`, `backfill`,
   * `asset_triggered`, …); null or absent when every type is allowed (always on Airflow 2).
   */
  allowedRunTypes?: string[] | null
}

/** One DAG run. Dates are ISO 8601 strings as Airflow returns them. */
/** One DAG param as Airflow declares it. */
export interface DagParam {
  value: unknown
  /** A JSON Schema for the value; `{}` when Airflow gives none. */
  schema: Record<string, unknown>
  description: string | null
}

/** A run of a DAG. */
export interface RunInfo {
  dagId: string
  runId: string
  /** `queued`, `running`, `success`, `failed`. */
  state: string
  /** `manual`, `scheduled`, `backfill`, `asset_triggered`, … */
  runType: string | null
  logicalDate: string | null
  queuedAt: string | null
  startDate: string | null
  endDate: string | null
  conf: Record<string, unknown>
  note: string | null
  /** The Airflow user who triggered the run (Airflow 3.1+), else how it was triggered (`rest_api`, `ui`, …); null when unknown (Airflow 2). */
  triggeredBy: string | null
}

/** One entry of Airflow's event log (its audit log of actions taken in its UI and API). */
export interface EventLogEntry {
  /** Airflow's id of the entry; increases with time. */
  id: number
  /** When it happened (ISO 8601). */
  when: string
  /** Airflow's event name as recorded (`patch_dag`, `clear_dag_run`, `api.patch_dag`, `paused`, …). */
  event: string
  /** What the event means for governance, read from {@link EventLogEntry.event} by the API version's table; null for others. */
  kind: 'pause' | 'clear' | 'mark' | null
  /** The Airflow user who acted; null when unknown. */
  owner: string | null
  dagId: string | null
  runId: string | null
  taskId: string | null
  /** Airflow's `extra` (request parameters and body, masked by Airflow), parsed when it is JSON. */
  extra: unknown
}

/** One asset event as Airflow records it (Airflow 3 assets). */
export interface AssetEventInfo {
  /** Airflow's id of the event (as text); increases with time. */
  id: string
  assetUri: string
  /** When the asset was updated (ISO 8601). */
  timestamp: string
  /** The event's `extra` (Airflow adds `from_rest_api: true` to events posted through its API). */
  extra: Record<string, unknown>
  /** The DAG, run and task that updated the asset; null for events posted through the API. */
  sourceDagId: string | null
  sourceRunId: string | null
  sourceTaskId: string | null
  /** The runs of asset-scheduled DAGs this event created so far. */
  createdRuns: { dagId: string; runId: string }[]
}

/** Where {@link Orchestrator.listRunsSince} and {@link Orchestrator.listEventLogsSince} start and how many they read. */
export interface SinceOptions {
  /** ISO 8601: only what happened at or after it. */
  since: string
  /** The most items to read (default 500); the oldest come first, so a caller continues from the last one read. */
  limit?: number
}

/** A run read by {@link Orchestrator.listRunsSince}, with the time it is ordered and filtered by. */
export interface RunSince extends RunInfo {
  /** Airflow 3: `run_after` (when the run was created to start); Airflow 2: `start_date` (a run is seen once it starts). */
  at: string
}

/** One task instance of a run. */
export interface TaskInstanceInfo {
  taskId: string
  /** Airflow's task state; null when not yet scheduled (e.g. just cleared). */
  state: string | null
  tryNumber: number
  /** -1 for unmapped tasks. */
  mapIndex: number
  startDate: string | null
  endDate: string | null
  durationSeconds: number | null
}

/** What {@link Orchestrator.triggerRun} sends. */
export interface TriggerRunInput {
  /** The run id to create; a duplicate is refused with `orchestrator_conflict`, which makes it an idempotency key. */
  runId: string
  conf: Record<string, unknown>
  /** ISO 8601, or null for an ordinary manual run. */
  logicalDate: string | null
  /** Shown on the run in Airflow (≤ 1000 characters). */
  note?: string
}

/** What {@link Orchestrator.clearFailedTasks} clears, and whether it only says what it would clear. */
export interface ClearOptions {
  /** Clear only failed and upstream-failed task instances (default true); false clears every task instance of the run. */
  onlyFailed?: boolean
  /** Only answer what would be cleared, changing nothing (default false). */
  dryRun?: boolean
}

/** What {@link Orchestrator.clearFailedTasks} cleared (or, in a dry run, would clear). */
export interface ClearResult {
  /** The task ids, each once. */
  taskIds: string[]
  /** The task instances as Airflow reported them. */
  taskInstances: TaskInstanceInfo[]
}

/** The kinds of Airflow object Conductor reads and writes for its callers. */
export type AirflowObjectKind = 'connection' | 'variable' | 'pool'

/**
 * A connection, variable or pool in the JSON of the environment's REST API version, as Airflow answered it (Airflow
 * masks connection passwords and the values of variables whose key names a secret), or as a caller sends it.
 */
export type AirflowObject = Record<string, unknown>

/** Where each kind of object lives in Airflow's REST API (the same in `/api/v2` and `/api/v1`): its collection and the field naming it. */
export const AIRFLOW_OBJECTS: Readonly<Record<AirflowObjectKind, { collection: string; idField: string }>> = {
  connection: { collection: 'connections', idField: 'connection_id' },
  variable: { collection: 'variables', idField: 'key' },
  pool: { collection: 'pools', idField: 'name' },
}

/** A person as Airflow records one on a human-in-the-loop task (`assigned_users`, `responded_by`): the auth manager's user id and name. */
export interface HitlUser {
  id: string
  name: string
}

/** Which human-in-the-loop task: the task instance of a run that asks for input. */
export interface HitlRef {
  dagId: string
  runId: string
  taskId: string
  /** -1 for unmapped tasks. */
  mapIndex: number
}

/** A human-in-the-loop task (Airflow 3.1+ `HITLOperator` and its kin) as Airflow describes it. */
export interface HitlTask extends HitlRef {
  subject: string
  /** Markdown; null when the operator gives none. */
  body: string | null
  options: string[]
  /** Whether more than one option may be chosen. */
  multiple: boolean
  /** Form fields a person may fill in, in the shape of DAG params. */
  params: Record<string, DagParam>
  /** The options taken when the task times out; null when none. */
  defaults: string[] | null
  /** Who may answer, as Airflow checks it; empty: anyone Airflow lets respond. */
  assignedUsers: HitlUser[]
  /** When the task began waiting (ISO 8601). */
  createdAt: string
  /** The task instance's state (`awaiting_input` on Airflow 3.3+, `deferred` before); null when Airflow gives none. */
  state: string | null
  /** Whether a person has answered. */
  answered: boolean
  /** Who answered, as Airflow recorded it; null while waiting. */
  respondedBy: HitlUser | null
  respondedAt: string | null
  chosenOptions: string[] | null
}

/** An answer to a human-in-the-loop task. */
export interface HitlAnswer {
  /** At least one, each one of the task's options. */
  chosenOptions: string[]
  /** Values of the task's params; Airflow wants all of them or none. */
  paramsInput?: Record<string, unknown>
}

/** What Airflow recorded for an answer. */
export interface HitlResponse {
  respondedBy: HitlUser
  respondedAt: string
  chosenOptions: string[]
  paramsInput: Record<string, unknown>
}

/** Whether an environment answers, from {@link Orchestrator.health}. */
export interface OrchestratorHealth {
  reachable: boolean
  /** Airflow's version, when it could be read. */
  version?: string
  /** Why it is unreachable, or which Airflow components are unhealthy. */
  detail?: string
}

/** One page of a task log. */
export interface TaskLogChunk {
  tryNumber: number
  lines: string[]
  /** Pass back as `continuationToken` to read what the task wrote since; null when Airflow gives none. */
  continuationToken: string | null
}

/**
 * The port through which Conductor drives one orchestrator deployment (an "environment").
 * Every method throws `ConductorError`: `dag_not_found`, `run_not_found`, `task_not_found`,
 * `orchestrator_unavailable` (unreachable, timed out, 5xx; `details.sent` says whether the call reached the
 * deployment: `false`, `true` (it answered), or `'unknown'`; absent means not sent), `orchestrator_auth_failed`,
 * `orchestrator_conflict`, `orchestrator_rejected` (other 4xx, with Airflow's reason), when guarded
 * `orchestrator_throttled` and `environment_circuit_open` (the call was never sent), and the secrets errors
 * for a missing or malformed credentials secret. Errors name the environment in `details.environment` and never
 * carry a password or token.
 */
export interface Orchestrator {
  /** The environment's name from config. */
  readonly environment: string
  /** Whether the deployment answers; never throws. */
  health(): Promise<OrchestratorHealth>
  /** Every DAG, following Airflow's paging to the end. */
  listDags(): Promise<DagInfo[]>
  getDag(dagId: string): Promise<DagInfo>
  /** The DAG's params (name → default value, JSON Schema, description), as the trigger form needs them. */
  getDagParams(dagId: string): Promise<Record<string, DagParam>>
  /** Creates a run. Never retried: a lost answer is resolved by asking for `input.runId`. */
  triggerRun(dagId: string, input: TriggerRunInput): Promise<RunInfo>
  /** Runs of a DAG, newest first. */
  listRuns(dagId: string, options?: { limit?: number; offset?: number }): Promise<RunInfo[]>
  /** The successful runs of a DAG that ended at or after `endDateGte` (all when null), earliest end first (at most `limit`, default 100). */
  listSucceededRuns(dagId: string, options: { endDateGte: string | null; limit?: number }): Promise<RunInfo[]>
  getRun(dagId: string, runId: string): Promise<RunInfo>
  listTaskInstances(dagId: string, runId: string): Promise<TaskInstanceInfo[]>
  /**
   * Clears (reruns) the failed tasks of a run, or with `options` every task or only a dry run; returns what was (or
   * would be) cleared (empty when nothing matched). Never retried.
   */
  clearFailedTasks(dagId: string, runId: string, options?: ClearOptions): Promise<ClearResult>
  setPaused(dagId: string, paused: boolean): Promise<DagInfo>
  /** A task's log for `tryNumber` (default: its latest try). */
  getTaskLog(dagId: string, runId: string, taskId: string, options?: { tryNumber?: number; continuationToken?: string }): Promise<TaskLogChunk>
  /**
   * Runs of every DAG whose {@link RunSince.at} is at or after `since`, oldest first.
   */
  listRunsSince(options: SinceOptions): Promise<RunSince[]>
  /** Entries of Airflow's event log at or after `since`, oldest first. */
  listEventLogsSince(options: SinceOptions): Promise<EventLogEntry[]>
  /**
   * The events of the asset with URI `assetUri` at or after `timestampGte` (all when null), earliest first (at most
   * `limit`, default 100). `asset_not_found` when the environment has no such (active) asset; `assets_not_supported`
   * on Airflow 2.
   */
  listAssetEvents(assetUri: string, options: { timestampGte: string | null; limit?: number }): Promise<AssetEventInfo[]>
  /**
   * Records that the asset with URI `assetUri` was updated, with `extra`, as Airflow's own API does (asset-scheduled DAGs
   * see it). Never retried. `asset_not_found` when the environment has no such asset; `assets_not_supported` on Airflow 2.
   */
  postAssetEvent(assetUri: string, extra: Record<string, unknown>): Promise<AssetEventInfo>
  /** Every connection, variable or pool, following Airflow's paging to the end, in Airflow's JSON. */
  listObjects(kind: AirflowObjectKind): Promise<AirflowObject[]>
  /** One connection, variable or pool by its name; `not_found` when Airflow has none. */
  getObject(kind: AirflowObjectKind, name: string): Promise<AirflowObject>
  /** Creates one from `body` (Airflow's JSON); `orchestrator_conflict` when the name is taken. Never retried. */
  createObject(kind: AirflowObjectKind, name: string, body: AirflowObject): Promise<AirflowObject>
  /** Changes the fields of `body` (only those of `updateMask` when given). Never retried. */
  updateObject(kind: AirflowObjectKind, name: string, body: AirflowObject, updateMask?: readonly string[]): Promise<AirflowObject>
  /** Deletes one; `not_found` when Airflow has none. Never retried. */
  deleteObject(kind: AirflowObjectKind, name: string): Promise<void>
  /**
   * The human-in-the-loop tasks of every DAG still waiting for an answer, following Airflow's paging to the end
   * (the most recent `limit`, default 1000). `hitl_not_supported` where the environment has none (Airflow 2).
   */
  listHitl(options?: { limit?: number }): Promise<HitlTask[]>
  /** One human-in-the-loop task, answered or not; `hitl_not_found` when the task instance has none, `hitl_not_supported` on Airflow 2. */
  getHitl(ref: HitlRef): Promise<HitlTask>
  /**
   * Answers a human-in-the-loop task. Never retried. `hitl_already_answered` when it was answered before,
   * `hitl_not_found` when the task instance is not a waiting human-in-the-loop task, `orchestrator_rejected` when
   * Airflow refuses the options or params, `orchestrator_auth_failed` when Airflow refuses the caller (e.g. not one of
   * the task's assigned users), `hitl_not_supported` on Airflow 2.
   */
  respondHitl(ref: HitlRef, answer: HitlAnswer): Promise<HitlResponse>
  /** Releases connections this orchestrator opened. */
  close(): Promise<void>
  /** How Conductor is protecting this environment right now (limits and circuit), when it is guarded; see `guardOrchestrator`. */
  protection?(): ProtectionStatus
  /**
   * The same environment called as `actor` rather than as Conductor's service account: every call of the returned
   * orchestrator proves who it is with a fresh token naming the actor (credential kind `conductor-identity`), so
   * Airflow records the person (e.g. as a run's `triggering_user_name`). Absent when the environment's credentials
   * cannot speak for a person; callers then fall back to this orchestrator. `close()` of the returned one does nothing.
   */
  as?(actor: Actor): Orchestrator
}

/** Who an orchestrator call is made for: a principal's id and type (`User`, `ServiceAccount`, `Agent`). */
export interface Actor {
  id: string
  type: string
  /**
   * The approved request this call dispatches, when it dispatches one: per-person tokens then name it
   * (`conductor_request`), so the orchestrator's auth manager can let exactly that dispatch through.
   */
  request?: string
}

/**
 * Signs a short-lived token naming `actor` for an orchestrator whose token audience is `audience`, carrying `claims`
 * besides the registered ones (e.g. the `role` Airflow's SimpleAuthManager reads). Implemented outside the
 * orchestrators domain (by identity) and injected, so this domain never holds the signing key.
 */
export type ActorTokenSigner = (actor: Actor, audience: string, claims: Record<string, string>) => Promise<string>

/** What one lane (reads or writes) of a guarded environment is doing. */
export interface LaneCounters {
  /** Calls in flight. */
  inFlight: number
  /** Calls waiting for their turn. */
  queued: number
  /** Calls refused with `orchestrator_throttled` since start. */
  throttled: number
}

/** How Conductor is protecting one environment: its circuit and its read and write lanes. */
export interface ProtectionStatus {
  circuit: {
    /** `closed`: calls go through; `open`: refused unsent; `half-open`: the next call is a probe. */
    state: 'closed' | 'open' | 'half-open'
    consecutiveFailures: number
    /** ISO 8601; null while closed. */
    openedAt: string | null
    /** When a probe call will be let through (ISO 8601); null while closed. */
    nextProbeAt: string | null
  }
  reads: LaneCounters
  writes: LaneCounters
}

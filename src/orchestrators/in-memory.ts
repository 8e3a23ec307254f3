import { ConductorError, systemClock, type Clock, type ErrorCode } from '../core/index.ts'
import type { AirflowObject, AirflowObjectKind, AssetEventInfo, DagInfo, HitlAnswer, HitlRef, HitlResponse, HitlTask, DagParam, EventLogEntry, Orchestrator, OrchestratorHealth, RunInfo, RunSince, TaskInstanceInfo, TaskLogChunk, TriggerRunInput } from './orchestrator.ts'

/** The name of an {@link Orchestrator} method, as {@link InMemoryOrchestrator} records and fails them. */
export type OrchestratorMethod = Exclude<keyof Orchestrator, 'environment' | 'protection' | 'as'>

/** A DAG to start an {@link InMemoryOrchestrator} with: what {@link DagInfo} says, plus its tasks and params. */
export interface InMemoryDag extends Partial<Omit<DagInfo, 'dagId'>> {
  dagId: string
  /** Task ids; every run gets one task instance per task. Default `['task']`. */
  tasks?: string[]
  params?: Record<string, DagParam>
}

/** Options of {@link createInMemoryOrchestrator}. */
export interface InMemoryOrchestratorOptions {
  /** The environment's name (default `in-memory`). */
  environment?: string
  dags?: InMemoryDag[]
  /** Stamps `queuedAt` and `endDate`; default the wall clock. */
  clock?: Clock
  /** What new runs report as `triggeredBy` (default `null`, as Airflow 2). */
  triggeredBy?: string | null
  /**
   * Whether it can be called as a person, like an environment of credential kind `conductor-identity`: then it has
   * {@link Orchestrator.as}, and runs triggered through `as(actor)` report `triggeredBy = actor.id`. Default false.
   */
  actsAsPerson?: boolean
  /** Whether it has human-in-the-loop tasks, like Airflow 3.1+ (default true); false answers `hitl_not_supported`, like Airflow 2. */
  hitl?: boolean
  /** The URIs of its assets, like Airflow 3's; `false` answers `assets_not_supported`, like Airflow 2. Default none. */
  assets?: string[] | false
}

/**
 * An {@link Orchestrator} that keeps DAGs, runs, task instances and logs in maps: the stand-in for unit tests
 * of what sits above the port. It keeps the port's contract (`dag_not_found`, `run_not_found`, `task_not_found`,
 * `orchestrator_conflict` for a taken run id or object name, `not_found` for a missing connection, variable or pool,
 * `orchestrator_unavailable`), keeps connections, variables and pools as given (unmasked), records every call, and can be told to
 * fail. Runs do not progress by themselves: {@link InMemoryOrchestrator.completeRun} plays the scheduler.
 */
export interface InMemoryOrchestrator extends Orchestrator {
  /** Every call in order, with its arguments, including those that failed. */
  readonly calls: readonly { method: OrchestratorMethod; args: readonly unknown[] }[]
  /** How many calls were made, of one method or of all. */
  callCount(method?: OrchestratorMethod): number
  /** Makes the next call of `method` throw `error` (queued: two calls to `failNext` fail the next two calls); `health()` reports it as unreachable instead. */
  failNext(method: OrchestratorMethod, error: ConductorError): void
  /** While true, every call throws `orchestrator_unavailable` and `health()` reports it unreachable. */
  setUnavailable(unavailable: boolean): void
  /** Adds or replaces a DAG. */
  addDag(dag: InMemoryDag): void
  /** The runs of a DAG as they stand, oldest first; not recorded as a call. */
  storedRuns(dagId: string): RunInfo[]
  /**
   * Plays the scheduler for one run: every task instance not yet run gets its state from `taskStates` (default
   * `success`) and one more try; the run ends `failed` when a task failed, else `success`.
   */
  completeRun(dagId: string, runId: string, taskStates?: Record<string, string>): RunInfo
  /**
   * Creates a run "on the Airflow side", as Airflow's own UI, API or scheduler would (not recorded as a call):
   * `runType` defaults to `manual`, `triggeredBy` to null, `runId` to `manual__<now>`.
   */
  addAirflowRun(dagId: string, run?: Partial<Pick<RunInfo, 'runId' | 'runType' | 'triggeredBy' | 'conf' | 'note'>>): RunInfo
  /** Appends an entry to the stand-in's event log, as Airflow records an action taken in its UI or API; returns it with its id and time. */
  addEventLog(entry: Pick<EventLogEntry, 'event' | 'kind'> & Partial<Omit<EventLogEntry, 'id' | 'when'>>): EventLogEntry
  /**
   * Makes a task of a run wait for a person, as a human-in-the-loop operator does (not recorded as a call). Defaults:
   * map index -1, no body, not multiple, no params, defaults or assigned users, created now. Answers are recorded as
   * Airflow does: `respondedBy` is the person for an orchestrator from `as(actor)`, else `conductor`.
   */
  addHitlTask(task: Pick<HitlTask, 'dagId' | 'runId' | 'taskId' | 'subject' | 'options'> & Partial<HitlTask>): HitlTask
  /** Every human-in-the-loop task as it stands, answered or not; not recorded as a call. */
  storedHitlTasks(): HitlTask[]
  /** Records an update of an asset "on the Airflow side" (a producing task, or Airflow's own API); adds the asset when new. Not recorded as a call. */
  addAssetEvent(assetUri: string, event?: Partial<Pick<AssetEventInfo, 'extra' | 'sourceDagId' | 'sourceRunId' | 'sourceTaskId'>>): AssetEventInfo
  /** Every event of an asset as it stands, oldest first; not recorded as a call. */
  storedAssetEvents(assetUri: string): AssetEventInfo[]
  /** Adds lines to a task's log for `tryNumber` (default its latest try). */
  appendLog(dagId: string, runId: string, taskId: string, lines: string[], tryNumber?: number): void
}

interface StoredDag {
  info: DagInfo
  tasks: string[]
  params: Record<string, DagParam>
}

interface StoredRun {
  info: RunInfo
  /** When it was created (`run_after`). */
  at: string
  tasks: Map<string, TaskInstanceInfo>
  /** `${taskId}#${tryNumber}` → lines. */
  logs: Map<string, string[]>
}

/** Creates an {@link InMemoryOrchestrator}. */
export function createInMemoryOrchestrator(options: InMemoryOrchestratorOptions = {}): InMemoryOrchestrator {
  const environment = options.environment ?? 'in-memory'
  const clock = options.clock ?? systemClock
  const dags = new Map<string, StoredDag>()
  const runs = new Map<string, Map<string, StoredRun>>()
  const calls: { method: OrchestratorMethod; args: readonly unknown[] }[] = []
  const failures = new Map<OrchestratorMethod, ConductorError[]>()
  const eventLog: EventLogEntry[] = []
  const hitlTasks = new Map<string, HitlTask>()
  const hitlKey = (ref: HitlRef) => JSON.stringify([ref.dagId, ref.runId, ref.taskId, ref.mapIndex])
  let unavailable = false
  const assets = new Map<string, AssetEventInfo[]>((options.assets || []).map((uri) => [uri, []]))
  let assetEventIds = 0

  const now = () => new Date(clock.now()).toISOString()
  const copy = <T>(value: T): T => structuredClone(value)

  function fail(code: ErrorCode, message: string, details: Record<string, unknown> = {}): ConductorError {
    return new ConductorError(code, `${message} in environment "${environment}"`, { details: { environment, ...details } })
  }

  /** Records the call, then throws what the test asked for, if anything. */
  function enter(method: OrchestratorMethod, args: unknown[]): void {
    calls.push({ method, args: copy(args) })
    const queued = failures.get(method)?.shift()
    if (queued) throw queued
    if (unavailable) throw fail('orchestrator_unavailable', 'Airflow is unavailable (in-memory stand-in set unavailable)', { reason: 'unavailable' })
  }

  const objects = new Map<AirflowObjectKind, Map<string, AirflowObject>>()
  const objectsOf = (kind: AirflowObjectKind) => objects.get(kind) ?? objects.set(kind, new Map()).get(kind)!
  function objectOf(kind: AirflowObjectKind, name: string): AirflowObject {
    const found = objectsOf(kind).get(name)
    if (!found) throw fail('not_found', `${kind} "${name}" not found`, { status: 404 })
    return found
  }

  function dagOf(dagId: string): StoredDag {
    const dag = dags.get(dagId)
    if (!dag) throw fail('dag_not_found', `DAG "${dagId}" not found`, { dagId })
    return dag
  }

  function runOf(dagId: string, runId: string): StoredRun {
    dagOf(dagId)
    const run = runs.get(dagId)?.get(runId)
    if (!run) throw fail('run_not_found', `Run "${runId}" of DAG "${dagId}" not found`, { dagId, runId })
    return run
  }

  function taskOf(dagId: string, runId: string, taskId: string): TaskInstanceInfo {
    const task = runOf(dagId, runId).tasks.get(taskId)
    if (!task) throw fail('task_not_found', `Task "${taskId}" of run "${runId}" of DAG "${dagId}" not found`, { dagId, runId, taskId })
    return task
  }

  function createRun(dagId: string, fields: Pick<RunInfo, 'runId' | 'runType' | 'logicalDate' | 'conf' | 'note' | 'triggeredBy'>): RunInfo {
    const dag = dagOf(dagId)
    const ofDag = runs.get(dagId) ?? new Map<string, StoredRun>()
    runs.set(dagId, ofDag)
    if (ofDag.has(fields.runId)) throw fail('orchestrator_conflict', `Run "${fields.runId}" of DAG "${dagId}" already exists`, { dagId, runId: fields.runId })
    const at = now()
    const info: RunInfo = { dagId, state: 'queued', queuedAt: at, startDate: null, endDate: null, ...fields, conf: copy(fields.conf) }
    const tasks = new Map(dag.tasks.map((taskId): [string, TaskInstanceInfo] => [taskId, {
      taskId, state: null, tryNumber: 0, mapIndex: -1, startDate: null, endDate: null, durationSeconds: null,
    }]))
    ofDag.set(fields.runId, { info, at, tasks, logs: new Map() })
    return copy(info)
  }

  function addDag(dag: InMemoryDag): void {
    const { tasks, params, ...info } = dag
    dags.set(dag.dagId, {
      info: { description: null, tags: [], owners: [], paused: false, schedule: null, ...info },
      tasks: tasks ?? ['task'],
      params: params ?? {},
    })
  }
  for (const dag of options.dags ?? []) addDag(dag)

  const orchestrator: InMemoryOrchestrator = {
    environment,
    calls,
    callCount: (method) => (method === undefined ? calls.length : calls.filter((c) => c.method === method).length),
    failNext(method, error) { failures.set(method, [...(failures.get(method) ?? []), error]) },
    setUnavailable(value) { unavailable = value },
    addDag,
    storedRuns: (dagId) => [...(runs.get(dagId)?.values() ?? [])].map((r) => copy(r.info)),

    completeRun(dagId, runId, taskStates = {}) {
      const run = runOf(dagId, runId)
      for (const task of run.tasks.values()) {
        if (task.state !== null) continue
        task.state = taskStates[task.taskId] ?? 'success'
        task.tryNumber += 1
        task.endDate = now()
      }
      run.info.state = [...run.tasks.values()].some((t) => t.state === 'failed') ? 'failed' : 'success'
      run.info.endDate = now()
      return copy(run.info)
    },

    appendLog(dagId, runId, taskId, lines, tryNumber) {
      const run = runOf(dagId, runId)
      const task = taskOf(dagId, runId, taskId)
      const key = `${taskId}#${tryNumber ?? Math.max(1, task.tryNumber)}`
      run.logs.set(key, [...(run.logs.get(key) ?? []), ...lines])
    },

    async health(): Promise<OrchestratorHealth> {
      // The port's health() never throws: a failure asked for, or being unavailable, reads as unreachable.
      try {
        enter('health', [])
        return { reachable: true, version: 'in-memory' }
      } catch (error) {
        return { reachable: false, detail: (error as Error).message }
      }
    },

    async listDags() {
      enter('listDags', [])
      return [...dags.values()].map((d) => copy(d.info)).sort((a, b) => a.dagId.localeCompare(b.dagId))
    },

    async getDag(dagId) {
      enter('getDag', [dagId])
      return copy(dagOf(dagId).info)
    },

    async getDagParams(dagId) {
      enter('getDagParams', [dagId])
      return copy(dagOf(dagId).params)
    },

    triggerRun: (dagId, input) => trigger(dagId, input, options.triggeredBy ?? null),

    addAirflowRun(dagId, run = {}) {
      const at = now()
      return createRun(dagId, {
        runId: run.runId ?? `manual__${at}`, runType: run.runType ?? 'manual', logicalDate: null, conf: run.conf ?? {}, note: run.note ?? null, triggeredBy: run.triggeredBy ?? null,
      })
    },

    addEventLog(entry) {
      const added: EventLogEntry = { owner: null, dagId: null, runId: null, taskId: null, extra: null, ...entry, id: eventLog.length + 1, when: now() }
      eventLog.push(added)
      return copy(added)
    },

    async listRunsSince({ since, limit = 500 }) {
      enter('listRunsSince', [{ since, limit }])
      const all = [...runs.values()].flatMap((ofDag) => [...ofDag.values()])
      return all.filter((r) => r.at >= since).sort((a, b) => a.at.localeCompare(b.at)).slice(0, limit)
        .map((r): RunSince => ({ ...copy(r.info), at: r.at }))
    },

    async listEventLogsSince({ since, limit = 500 }) {
      enter('listEventLogsSince', [{ since, limit }])
      return eventLog.filter((e) => e.when >= since).slice(0, limit).map(copy)
    },

    async listRuns(dagId, page = {}) {
      enter('listRuns', [dagId, page])
      dagOf(dagId)
      const newestFirst = [...(runs.get(dagId)?.values() ?? [])].reverse()
      const offset = page.offset ?? 0
      return newestFirst.slice(offset, offset + (page.limit ?? 100)).map((r) => copy(r.info))
    },

    async listSucceededRuns(dagId, options) {
      enter('listSucceededRuns', [dagId, options])
      dagOf(dagId)
      const since = options.endDateGte
      return [...(runs.get(dagId)?.values() ?? [])].map((r) => r.info)
        .filter((r) => r.state === 'success' && r.endDate !== null && (since === null || r.endDate >= since))
        .sort((a, b) => a.endDate!.localeCompare(b.endDate!)).slice(0, options.limit ?? 100).map(copy)
    },

    async getRun(dagId, runId) {
      enter('getRun', [dagId, runId])
      return copy(runOf(dagId, runId).info)
    },

    async listTaskInstances(dagId, runId) {
      enter('listTaskInstances', [dagId, runId])
      return [...runOf(dagId, runId).tasks.values()].map(copy)
    },

    async clearFailedTasks(dagId, runId, clear = {}) {
      enter('clearFailedTasks', [dagId, runId, clear])
      const run = runOf(dagId, runId)
      const cleared = [...run.tasks.values()].filter((t) => clear.onlyFailed === false || t.state === 'failed' || t.state === 'upstream_failed')
      const taskInstances = cleared.map(copy)
      if (!clear.dryRun) {
        for (const task of cleared) { task.state = null; task.endDate = null }
        if (cleared.length) { run.info.state = 'queued'; run.info.endDate = null }
      }
      return { taskIds: cleared.map((t) => t.taskId), taskInstances }
    },

    async setPaused(dagId, paused) {
      enter('setPaused', [dagId, paused])
      const dag = dagOf(dagId)
      dag.info.paused = paused
      return copy(dag.info)
    },

    async getTaskLog(dagId, runId, taskId, logOptions = {}): Promise<TaskLogChunk> {
      enter('getTaskLog', [dagId, runId, taskId, logOptions])
      const task = taskOf(dagId, runId, taskId)
      const tryNumber = logOptions.tryNumber ?? Math.max(1, task.tryNumber)
      return { tryNumber, lines: [...(runOf(dagId, runId).logs.get(`${taskId}#${tryNumber}`) ?? [])], continuationToken: null }
    },

    async listObjects(kind) {
      enter('listObjects', [kind])
      return [...objectsOf(kind).values()].map(copy)
    },

    async getObject(kind, name) {
      enter('getObject', [kind, name])
      return copy(objectOf(kind, name))
    },

    async createObject(kind, name, body) {
      enter('createObject', [kind, name, body])
      if (objectsOf(kind).has(name)) throw fail('orchestrator_conflict', `${kind} "${name}" already exists`, { status: 409 })
      objectsOf(kind).set(name, copy(body))
      return copy(body)
    },

    async updateObject(kind, name, body, updateMask) {
      enter('updateObject', [kind, name, body, updateMask])
      const stored = objectOf(kind, name)
      for (const [field, value] of Object.entries(body)) if (!updateMask || updateMask.includes(field)) stored[field] = copy(value)
      return copy(stored)
    },

    async deleteObject(kind, name) {
      enter('deleteObject', [kind, name])
      objectOf(kind, name)
      objectsOf(kind).delete(name)
    },

    addHitlTask(task) {
      const stored: HitlTask = {
        mapIndex: -1, body: null, multiple: false, params: {}, defaults: null, assignedUsers: [], createdAt: now(), state: 'awaiting_input',
        answered: false, respondedBy: null, respondedAt: null, chosenOptions: null, ...copy(task),
      }
      hitlTasks.set(hitlKey(stored), stored)
      return copy(stored)
    },

    storedHitlTasks: () => [...hitlTasks.values()].map(copy),

    async listHitl(list = {}) {
      enter('listHitl', [list])
      if (options.hitl === false) throw fail('hitl_not_supported', 'no human-in-the-loop tasks (Airflow 2)')
      return [...hitlTasks.values()].filter((t) => !t.answered).slice(0, list.limit ?? 1000).map(copy)
    },

    async getHitl(ref) {
      enter('getHitl', [ref])
      if (options.hitl === false) throw fail('hitl_not_supported', 'no human-in-the-loop tasks (Airflow 2)')
      return copy(hitlOf(ref))
    },

    respondHitl: (ref, answer) => respond(ref, answer, { id: 'conductor', name: 'conductor' }),

    addAssetEvent: (assetUri, event = {}) => copy(recordAssetEvent(assetUri, event)),

    storedAssetEvents: (assetUri) => (assets.get(assetUri) ?? []).map(copy),

    async listAssetEvents(assetUri, list) {
      enter('listAssetEvents', [assetUri, list])
      const since = list.timestampGte
      return assetEventsOf(assetUri).filter((e) => since === null || e.timestamp >= since).slice(0, list.limit ?? 100).map(copy)
    },

    async postAssetEvent(assetUri, extra) {
      enter('postAssetEvent', [assetUri, extra])
      assetEventsOf(assetUri)
      return copy(recordAssetEvent(assetUri, { extra: { ...copy(extra), from_rest_api: true } }))
    },

    async close() {
      calls.push({ method: 'close', args: [] })
    },
  }
  if (options.actsAsPerson) {
    orchestrator.as = (actor) => ({
      ...orchestrator, as: undefined, triggerRun: (dagId, input) => trigger(dagId, input, actor.id),
      async getHitl(ref) {
      enter('getHitl', [ref])
      if (options.hitl === false) throw fail('hitl_not_supported', 'no human-in-the-loop tasks (Airflow 2)')
      return copy(hitlOf(ref))
    },

    respondHitl: (ref, answer) => respond(ref, answer, { id: actor.id, name: actor.id }), close: async () => {},
    })
  }
  return orchestrator

  function assetEventsOf(assetUri: string): AssetEventInfo[] {
    if (options.assets === false) throw fail('assets_not_supported', 'no assets (Airflow 2)')
    const events = assets.get(assetUri)
    if (!events) throw fail('asset_not_found', `no asset "${assetUri}"`, { assetUri })
    return events
  }

  function recordAssetEvent(assetUri: string, event: Partial<Pick<AssetEventInfo, 'extra' | 'sourceDagId' | 'sourceRunId' | 'sourceTaskId'>>): AssetEventInfo {
    const stored: AssetEventInfo = {
      id: String(++assetEventIds), assetUri, timestamp: now(), extra: copy(event.extra ?? {}),
      sourceDagId: event.sourceDagId ?? null, sourceRunId: event.sourceRunId ?? null, sourceTaskId: event.sourceTaskId ?? null, createdRuns: [],
    }
    assets.set(assetUri, [...(assets.get(assetUri) ?? []), stored])
    return stored
  }

  function hitlOf(ref: HitlRef): HitlTask {
    const task = hitlTasks.get(hitlKey(ref))
    if (!task) throw fail('hitl_not_found', `no human-in-the-loop task "${ref.taskId}" of run "${ref.runId}" of DAG "${ref.dagId}"`, { ...ref })
    return task
  }

  async function respond(ref: HitlRef, answer: HitlAnswer, user: { id: string; name: string }): Promise<HitlResponse> {
    enter('respondHitl', [ref, answer])
    if (options.hitl === false) throw fail('hitl_not_supported', 'no human-in-the-loop tasks (Airflow 2)')
    const task = hitlOf(ref)
    if (task.answered) throw fail('hitl_already_answered', `human-in-the-loop task "${ref.taskId}" was already answered`, { ...ref })
    if (task.assignedUsers.length && !task.assignedUsers.some((u) => u.id === user.id)) {
      throw fail('hitl_not_assigned', `User=${user.name} (id=${user.id}) is not a respondent for the task`, { ...ref })
    }
    const invalid = answer.chosenOptions.filter((o) => !task.options.includes(o))
    if (invalid.length || answer.chosenOptions.length === 0 || (!task.multiple && answer.chosenOptions.length > 1)) {
      throw fail('orchestrator_rejected', `invalid options ${JSON.stringify(answer.chosenOptions)}; allowed are ${JSON.stringify(task.options)}`, { status: 400 })
    }
    Object.assign(task, { answered: true, respondedBy: user, respondedAt: now(), chosenOptions: [...answer.chosenOptions], state: 'scheduled' })
    return { respondedBy: { ...user }, respondedAt: task.respondedAt!, chosenOptions: [...answer.chosenOptions], paramsInput: copy(answer.paramsInput ?? {}) }
  }

  async function trigger(dagId: string, input: TriggerRunInput, triggeredBy: string | null): Promise<RunInfo> {
    enter('triggerRun', [dagId, input])
    return createRun(dagId, { runId: input.runId, runType: 'manual', logicalDate: input.logicalDate, conf: input.conf, note: input.note ?? null, triggeredBy })
  }
}

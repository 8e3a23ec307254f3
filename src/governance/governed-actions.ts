import type { Kysely } from 'kysely'
import type { AuditLog } from '../audit/index.ts'
import { ConductorError, isConductorError, type Clock, type IdGenerator, type SpanRunner } from '../core/index.ts'
import type { Principal } from '../identity/index.ts'
import type { AssetEventInfo, TaskInstanceInfo } from '../orchestrators/index.ts'
import type { PolicyEngine } from '../policy/index.ts'
import type { Catalog } from './catalog.ts'
import type { GovernanceTables, RequestsTable } from './governance.tables.ts'
import { isoNow, runPipeline, type DispatchLineage, type GovernedCall } from './pipeline/index.ts'
import { findRequest, findTriggersOfRuns } from './requests.repository.ts'
import { listApprovals } from './approvals/approvals.repository.ts'
import { recordRefusal } from './refusals.ts'
import { checkConf, runNote, type TriggerInput } from './run-input.ts'
import { runTypeAllowed, type Targets } from './targets.ts'
import { dagView, requestView, type DagView, type RequestView, type RunView, type StartedBy } from './views.ts'
import type { KeyedLock } from '../store/index.ts'

/** The prefix of every Airflow run id Conductor creates: `conductor__<request id>`. */
export const RUN_ID_PREFIX = 'conductor__'

/** Facts about the HTTP (or CLI, MCP) call behind an action, for the request record. */
export interface CallMeta {
  httpRequestId?: string | null
  /** The door the call came through when it is not the plain API, e.g. `mcp`: recorded in the request's input and audit. */
  via?: string | null
  /** The MCP tool that made the call (with `via: 'mcp'`). */
  tool?: string | null
  /**
   * The id a trigger's or asset event's request is to have (a trigger's run is then `conductor__<requestId>`). Links and owned schedules give
   * each firing its id when they claim it, so a firing made again after a crash is the same request, never a second one.
   */
  requestId?: string
}

/** The `via`/`tool` facts of a call, as recorded in a request's input and its audit events; empty for plain API calls. */
export function channelOf(meta: CallMeta | undefined): { via?: string; tool?: string | null } {
  return meta?.via ? { via: meta.via, tool: meta.tool ?? null } : {}
}

/** What {@link GovernedActions.rerun} takes. */
export interface RerunInput {
  reason?: string
  /** Default true. */
  onlyFailed?: boolean
  /** Default false. */
  dryRun?: boolean
}

/**
 * The actions that go through the governance pipeline (authorize → approve → dispatch → track), each recorded as a
 * request. A denial throws `policy_denied`; an unknown environment `environment_not_found`.
 */
export interface GovernedActions {
  /**
   * Starts a run as `conductor__<request id>`, with a note naming the principal and the deciding policies. When policy
   * asks for approval, the request is recorded `pending` and this throws `approval_pending` naming it.
   */
  trigger(principal: Principal, environment: string, dagId: string, input: TriggerInput, meta?: CallMeta): Promise<{ request: RequestView; run: RunView }>
  /** As {@link trigger}, but a trigger that waits for approval answers its `pending` request with `run: null`. */
  requestTrigger(principal: Principal, environment: string, dagId: string, input: TriggerInput, meta?: CallMeta): Promise<{ request: RequestView; run: RunView | null }>
  /**
   * Clears the failed tasks of a run so Airflow runs them again (`onlyFailed: false`: every task). `dryRun` changes
   * nothing and answers what would be cleared; it is still decided as `dag:rerun` and recorded, but not dispatched as a write.
   */
  rerun(principal: Principal, environment: string, dagId: string, runId: string, input: RerunInput, meta?: CallMeta): Promise<{ request: RequestView; clearedTaskIds: string[]; clearedTasks: TaskInstanceInfo[] }>
  /** Pauses or unpauses a DAG. Like a rerun, throws `approval_pending` when policy asks for approval (it runs once approved). */
  setPaused(principal: Principal, environment: string, dagId: string, paused: boolean, meta?: CallMeta): Promise<{ request: RequestView; dag: DagView }>
  /**
   * Posts an event for the asset with URI `assetUri` in `environment` (`asset:post_event` on the environment, with
   * `context.asset.uri`), `extra` as its extra: asset-scheduled DAGs there see the asset updated. Recorded as a request
   * and audited like a trigger; when policy asks for approval the request is recorded `pending` and answered with
   * `event: null` (it is posted once approved). `extra` is checked as a conf is (`conf_invalid`, `conf_too_large`).
   */
  postAssetEvent(principal: Principal, environment: string, assetUri: string, extra: unknown, meta?: CallMeta): Promise<{ request: RequestView; event: AssetEventInfo | null }>
  /** A page of the DAG's runs, each with who started it (a Conductor request, or Airflow). */
  runs(principal: Principal, environment: string, dagId: string, page?: { limit?: number; offset?: number }, meta?: CallMeta): Promise<RunView[]>
  /** One run with its task instances. */
  run(principal: Principal, environment: string, dagId: string, runId: string, meta?: CallMeta): Promise<RunView & { tasks: TaskInstanceInfo[] }>
  /** A page of one task's log. */
  taskLog(principal: Principal, environment: string, dagId: string, runId: string, taskId: string, options?: { tryNumber?: number; continuationToken?: string }, meta?: CallMeta): Promise<{ tryNumber: number; lines: string[]; continuationToken: string | null; requestId: string }>
}

/** Creates the governed actions over the pipeline, the catalog and the run ledger. */
export function createGovernedActions(deps: {
  db: Kysely<GovernanceTables>
  policy: Pick<PolicyEngine, 'authorize'>
  audit: Pick<AuditLog, 'append'> & Partial<Pick<AuditLog, 'commit'>>
  clock: Clock
  ids: IdGenerator
  catalog: Pick<Catalog, 'remember'>
  targets: Targets
  maxConfBytes: number
  /** Default 32, as `governance.maxConfDepth`. */
  maxConfDepth?: number
  /** Where the pipeline notes the requests it is working on (see the dispatch resolver). */
  inFlight?: Set<string>
  /** How long a request waiting for approval stays pending (`governance.approvalHours`, default 24). */
  approvalHours?: number
  /** Makes an agent's budget check and its request's record one at a time across replicas. */
  budgetLock?: KeyedLock
  /** Opens a trace span per pipeline step when tracing is on. */
  spans?: SpanRunner
  /** OpenLineage for triggers (docs/lineage.md). */
  lineage?: DispatchLineage
}): GovernedActions {
  const { db, clock, ids, targets } = deps
  const pipelineDeps = {
    db, policy: deps.policy, audit: deps.audit, clock, ...(deps.inFlight ? { inFlight: deps.inFlight } : {}), ...(deps.approvalHours ? { approvalHours: deps.approvalHours } : {}),
    budgetLocks: new Map<string, Promise<unknown>>(), ...(deps.budgetLock ? { budgetLock: deps.budgetLock } : {}),
    ...(deps.spans ? { spans: deps.spans } : {}), ...(deps.lineage ? { lineage: deps.lineage } : {}),
  }

  async function govern<T>(
    principal: Principal,
    spec: Omit<GovernedCall<T>, 'principal' | 'environment' | 'dag' | 'httpRequestId'> & { environment: string; dagId: string | null },
    meta: CallMeta | undefined,
    requestId = ids.next(),
  ): Promise<{ result: T; request: RequestsTable }> {
    const { result, request } = await start(principal, spec, meta, requestId)
    if (request.state === 'pending') throw pendingError(request)
    return { result: result as T, request }
  }

  /** Runs the pipeline; `result` is undefined when the request waits for approval (state `pending`). */
  async function start<T>(
    principal: Principal,
    spec: Omit<GovernedCall<T>, 'principal' | 'environment' | 'dag' | 'httpRequestId'> & { environment: string; dagId: string | null },
    meta: CallMeta | undefined,
    requestId: string,
  ): Promise<{ result: T | undefined; request: RequestsTable }> {
    const { env, orchestrator, dag, request } = await newRequest(principal, spec, meta, requestId)
    const call: GovernedCall<T> = { ...spec, principal, environment: env, dag, httpRequestId: meta?.httpRequestId ?? null, channel: channelOf(meta) }
    const result = await runPipeline({ deps: pipelineDeps, call, orchestrator, request })
    return { result, request }
  }

  /** The request row of a call about to be governed (state `new`), with its resolved targets. */
  async function newRequest(
    principal: Principal, spec: Pick<GovernedCall<unknown>, 'action' | 'runId' | 'input'> & { environment: string; dagId: string | null },
    meta: CallMeta | undefined, requestId: string,
  ) {
    const { env, orchestrator } = targets.environmentOf(spec.environment)
    const dag = spec.dagId === null ? null : await targets.dagOf(spec.environment, spec.dagId)
    const now = isoNow(clock)
    const request: RequestsTable = {
      id: requestId, created_at: now, updated_at: now,
      principal_type: principal.type, principal_id: principal.id, issuer: principal.issuer,
      principal_groups: JSON.stringify(principal.groups),
      action: spec.action, environment: env.name, dag_id: dag?.dag_id ?? null, run_id: spec.runId,
      input: JSON.stringify({ ...spec.input, ...channelOf(meta) }), decision: 'deny', policy_ids: '[]', reasons: '[]', policy_version: 0,
      state: 'new', error_code: null, error_message: null, http_request_id: meta?.httpRequestId ?? null,
    }
    return { env, orchestrator, dag, request }
  }

  /** Who started each run: a Conductor request for runs Conductor created, else what Airflow says. */
  async function startedBy(environment: string, dagId: string, runs: { runId: string; runType: string | null; triggeredBy: string | null }[]): Promise<Map<string, StartedBy>> {
    const ours = runs.filter((r) => r.runId.startsWith(RUN_ID_PREFIX)).map((r) => r.runId)
    const triggers = await findTriggersOfRuns(db, environment, dagId, ours)
    const byRun = new Map(triggers.map((t) => [t.run_id!, t]))
    return new Map(runs.map((r) => {
      const t = byRun.get(r.runId)
      const who: StartedBy = t
        ? { via: 'conductor', principalType: t.principal_type, principalId: t.principal_id, requestId: t.id }
        : { via: 'airflow', runType: r.runType, triggeredBy: r.triggeredBy }
      return [r.runId, who]
    }))
  }

  const actions: GovernedActions = {
    async trigger(principal, environment, dagId, input, meta) {
      const answer = await actions.requestTrigger(principal, environment, dagId, input, meta)
      if (answer.run === null) throw pendingError((await findRequest(db, answer.request.id))!)
      return { request: answer.request, run: answer.run }
    },

    async requestTrigger(principal, environment, dagId, input, meta) {
      const requestId = meta?.requestId ?? ids.next()
      let conf: Record<string, unknown>
      try {
        conf = checkConf(input.conf, { maxBytes: deps.maxConfBytes, maxDepth: deps.maxConfDepth ?? 32 })
      } catch (error) {
        if (!isConductorError(error)) throw error
        const recorded = { logicalDate: input.logicalDate ?? null, note: input.note ?? null, reason: input.reason ?? null }
        const { request } = await newRequest(principal, { action: 'dag:trigger', environment, dagId, runId: null, input: recorded }, meta, requestId)
        throw await recordRefusal(deps, request, error)
      }
      // Airflow would refuse it too (HTTP 400); refused here, it is recorded and audited as the caller's, and Airflow is not asked.
      if (!runTypeAllowed(await targets.dagOf(environment, dagId), 'manual')) {
        const recorded = { conf, logicalDate: input.logicalDate ?? null, note: input.note ?? null, reason: input.reason ?? null }
        const { request } = await newRequest(principal, { action: 'dag:trigger', environment, dagId, runId: null, input: recorded }, meta, requestId)
        throw await recordRefusal(deps, request, new ConductorError('run_type_not_allowed', `${environment}/${dagId} does not allow manual runs (its allowed_run_types leave out "manual")`, {
          details: { environment, dagId, runType: 'manual' },
        }))
      }
      const runId = `${RUN_ID_PREFIX}${requestId}`
      const { result, request } = await start(principal, {
        action: 'dag:trigger', environment, dagId, runId: null, createsRunId: runId, mutates: true,
        input: { conf, logicalDate: input.logicalDate ?? null, note: input.note ?? null, reason: input.reason ?? null },
        context: { conf, ...(input.reason ? { reason: input.reason } : {}) },
        perform: (orchestrator, req) => orchestrator.triggerRun(dagId, {
          runId, conf, logicalDate: input.logicalDate ?? null, note: runNote(principal, req, input),
        }),
      }, meta, requestId)
      const row = (await findRequest(db, request.id))!
      const view = requestView(row, row.approval ? await listApprovals(db, row.id) : [])
      if (result === undefined) return { request: view, run: null }
      return {
        request: view,
        run: { ...result, environment, startedBy: { via: 'conductor', principalType: principal.type, principalId: principal.id, requestId: request.id } },
      }
    },

    async postAssetEvent(principal, environment, assetUri, extra, meta) {
      const requestId = meta?.requestId ?? ids.next()
      let checked: Record<string, unknown>
      try {
        checked = checkConf(extra, { maxBytes: deps.maxConfBytes, maxDepth: deps.maxConfDepth ?? 32 })
      } catch (error) {
        if (!isConductorError(error)) throw error
        const { request } = await newRequest(principal, { action: 'asset:post_event', environment, dagId: null, runId: null, input: { assetUri } }, meta, requestId)
        throw await recordRefusal(deps, request, error)
      }
      const { result, request } = await start(principal, {
        action: 'asset:post_event', environment, dagId: null, runId: null, mutates: true,
        input: { assetUri, extra: checked }, context: { asset: { uri: assetUri } },
        perform: (orchestrator) => orchestrator.postAssetEvent(assetUri, checked),
      }, meta, requestId)
      const row = (await findRequest(db, request.id))!
      return { request: requestView(row, row.approval ? await listApprovals(db, row.id) : []), event: result ?? null }
    },

    async rerun(principal, environment, dagId, runId, input, meta) {
      const clear = { onlyFailed: input.onlyFailed ?? true, dryRun: input.dryRun ?? false }
      const { result, request } = await govern(principal, {
        action: 'dag:rerun', environment, dagId, runId, mutates: !clear.dryRun,
        input: { reason: input.reason ?? null, ...(clear.onlyFailed ? {} : { onlyFailed: false }), ...(clear.dryRun ? { dryRun: true } : {}) },
        context: input.reason ? { reason: input.reason } : {},
        perform: (orchestrator) => orchestrator.clearFailedTasks(dagId, runId, clear),
      }, meta)
      return { request: requestView((await findRequest(db, request.id))!), clearedTaskIds: result.taskIds, clearedTasks: result.taskInstances }
    },

    async setPaused(principal, environment, dagId, paused, meta) {
      const { result, request } = await govern(principal, {
        action: 'dag:pause', environment, dagId, runId: null, mutates: true,
        input: { paused }, context: {},
        perform: (orchestrator) => orchestrator.setPaused(dagId, paused),
      }, meta)
      const row = await deps.catalog.remember(environment, result)
      return { request: requestView((await findRequest(db, request.id))!), dag: dagView(row) }
    },

    async runs(principal, environment, dagId, page = {}, meta) {
      const { result } = await govern(principal, {
        action: 'run:read', environment, dagId, runId: null, mutates: false,
        input: { limit: page.limit ?? null, offset: page.offset ?? null }, context: {},
        perform: (orchestrator) => orchestrator.listRuns(dagId, page),
      }, meta)
      const who = await startedBy(environment, dagId, result)
      return result.map((run) => ({ ...run, environment, startedBy: who.get(run.runId)! }))
    },

    async run(principal, environment, dagId, runId, meta) {
      const { result } = await govern(principal, {
        action: 'run:read', environment, dagId, runId, mutates: false, input: {}, context: {},
        perform: async (orchestrator) => {
          const run = await orchestrator.getRun(dagId, runId)
          const tasks = await orchestrator.listTaskInstances(dagId, runId)
          return { run, tasks }
        },
      }, meta)
      const who = await startedBy(environment, dagId, [result.run])
      return { ...result.run, environment, startedBy: who.get(runId)!, tasks: result.tasks }
    },

    async taskLog(principal, environment, dagId, runId, taskId, options = {}, meta) {
      const { result, request } = await govern(principal, {
        action: 'run:logs', environment, dagId, runId, mutates: false,
        input: { taskId, tryNumber: options.tryNumber ?? null }, context: {},
        perform: (orchestrator) => orchestrator.getTaskLog(dagId, runId, taskId, options),
      }, meta)
      return { ...result, requestId: request.id }
    },
  }
  return actions
}

/** The error a governed call that waits for approval answers where no `pending` answer fits (reruns, pauses, the Airflow API). */
function pendingError(request: RequestsTable): ConductorError {
  const requirement = JSON.parse(request.approval ?? '{"groups":[]}') as { groups: { group: string; count: number }[] }
  const from = requirement.groups.map((g) => `${g.count} of ${g.group}`).join(' or ')
  return new ConductorError('approval_pending', `request ${request.id} waits for approval (${from}); it runs once approved`, {
    details: { requestId: request.id, groups: requirement.groups, expiresAt: request.expires_at ?? null },
  })
}


import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { AuditLog } from '../audit/index.ts'
import type { EnvironmentConfig } from '../config/index.ts'
import { ConductorError, type Clock, type IdGenerator } from '../core/index.ts'
import type { Principal } from '../identity/index.ts'
import type { Orchestrator, TaskInstanceInfo } from '../orchestrators/index.ts'
import type { Action, Decision, PolicyEngine } from '../policy/index.ts'
import { createCatalog, type Catalog } from './catalog.ts'
import { findCatalogDag, listCatalogDags } from './catalog.repository.ts'
import type { CatalogDagsTable, EnvironmentStatusTable, GovernanceTables, RequestsTable } from './governance.tables.ts'
import { isoNow, runPipeline, type GovernedCall } from './pipeline/index.ts'
import { findPrincipal, findPrincipalsById, listPrincipals, recordPrincipal } from './principals.repository.ts'
import { findRequest, findTriggersOfRuns, listRequests } from './requests.repository.ts'
import { authorizationRequest } from './targets.ts'
import { dagView, requestView, type AccessView, type DagView, type Permission, type RequestView, type RunView, type StartedBy } from './views.ts'

/** The prefix of every Airflow run id Conductor creates: `conductor__<request id>`. */
export const RUN_ID_PREFIX = 'conductor__'

/** The actions a DAG listing reports for its caller. */
export const DAG_ACTIONS = ['dag:read', 'dag:trigger', 'dag:rerun', 'dag:pause'] as const

/** The actions "who can run this" reports. */
const ACCESS_ACTIONS: Action[] = ['dag:read', 'dag:trigger', 'dag:rerun', 'dag:pause', 'run:read', 'run:logs']

/** The id of the stand-in principal that asks what membership of one group allows. */
const GROUP_PROBE_ID = '__conductor_group_probe__'

/** The longest note Airflow keeps on a run. */
const AIRFLOW_NOTE_LIMIT = 1000

/** Facts about the HTTP (or CLI, MCP) call behind an action, for the request record. */
export interface CallMeta {
  httpRequestId?: string | null
}

/** What a caller may give when triggering a DAG. */
export interface TriggerInput {
  conf?: unknown
  logicalDate?: string | null
  note?: string
  reason?: string
}

/** An environment as its readers see it. */
export interface EnvironmentView {
  name: string
  kind: string
  url: string
  zone: string
  tier: string
  team: string | null
  status: { reachable: boolean; version: string | null; dagCount: number; lastSyncAt: string | null; lastError: string | null; checkedAt: string } | null
}

/** A decision explained for a principal, action and target. */
export interface Explanation extends Decision {
  principal: { type: string; id: string; groups: string[] }
  action: Action
  environment: string
  dagId: string | null
}

/** The governed actions of Conductor. Every method takes the principal acting. */
export interface Governance {
  readonly catalog: Catalog
  /** Notes the principal as seen, with its groups now. */
  recordPrincipal(principal: Principal): Promise<void>
  /** The principals seen under an id, with the issuer and subject their tokens carry. */
  seenPrincipals(id: string): Promise<{ type: string; id: string; issuer: string; subject: string }[]>
  /** Every principal seen, most recent first (at most `limit`), with the groups their tokens claimed. */
  knownPrincipals(limit: number): Promise<{ type: string; id: string; issuer: string; subject: string; claimedGroups: string[]; lastSeenAt: string }[]>
  environments(principal: Principal): Promise<EnvironmentView[]>
  dags(principal: Principal, filter?: { environment?: string; tag?: string }): Promise<DagView[]>
  dag(principal: Principal, environment: string, dagId: string): Promise<DagView>
  /** Who policy lets read, trigger, rerun, pause… this DAG: groups and known principals, with the granting policies (needs dag:read). */
  access(principal: Principal, environment: string, dagId: string): Promise<AccessView>
  trigger(principal: Principal, environment: string, dagId: string, input: TriggerInput, meta?: CallMeta): Promise<{ request: RequestView; run: RunView }>
  rerun(principal: Principal, environment: string, dagId: string, runId: string, input: { reason?: string }, meta?: CallMeta): Promise<{ request: RequestView; clearedTaskIds: string[] }>
  setPaused(principal: Principal, environment: string, dagId: string, paused: boolean, meta?: CallMeta): Promise<{ request: RequestView; dag: DagView }>
  runs(principal: Principal, environment: string, dagId: string, page?: { limit?: number; offset?: number }, meta?: CallMeta): Promise<RunView[]>
  run(principal: Principal, environment: string, dagId: string, runId: string, meta?: CallMeta): Promise<RunView & { tasks: TaskInstanceInfo[] }>
  taskLog(principal: Principal, environment: string, dagId: string, runId: string, taskId: string, options?: { tryNumber?: number; continuationToken?: string }, meta?: CallMeta): Promise<{ tryNumber: number; lines: string[]; continuationToken: string | null; requestId: string }>
  /** Explains what policy decides for `subject` (default: the asker). Asking about someone else needs `audit:read`. */
  explain(asker: Principal, question: { action: Action; environment: string; dagId?: string; as?: { type: 'User' | 'ServiceAccount'; id: string; groups?: string[] } }): Promise<Explanation>
  requests(principal: Principal, filter: { principalId?: string; environment?: string; dagId?: string; action?: string; decision?: string; state?: string; before?: string; limit?: number }): Promise<RequestView[]>
  request(principal: Principal, id: string): Promise<RequestView>
  /** True when `principal` may read the audit trail. */
  mayReadAudit(principal: Principal): boolean
}

/** Wires the governed actions over policy, orchestrators, the audit log and the store. */
export function createGovernance(deps: {
  db: Kysely<GovernanceTables>
  policy: Pick<PolicyEngine, 'authorize'>
  audit: Pick<AuditLog, 'append'>
  environments: readonly EnvironmentConfig[]
  orchestrators: ReadonlyMap<string, Orchestrator>
  clock: Clock
  ids: IdGenerator
  logger: Logger
  maxConfBytes: number
  /** The group names the loaded policies mention, for "who can run this". */
  policyGroups: () => string[]
}): Governance {
  const { db, policy, clock, ids } = deps
  const envs = new Map(deps.environments.map((e) => [e.name, e]))
  const catalog = createCatalog({ db, orchestrators: deps.orchestrators, audit: deps.audit, clock, logger: deps.logger })
  const pipelineDeps = { db, policy, audit: deps.audit, clock }

  function environmentOf(name: string): { env: EnvironmentConfig; orchestrator: Orchestrator } {
    const env = envs.get(name)
    const orchestrator = deps.orchestrators.get(name)
    if (!env || !orchestrator) throw new ConductorError('environment_not_found', `unknown environment "${name}"`, { details: { environment: name } })
    return { env, orchestrator }
  }

  /** The catalog entry of a DAG; asks the orchestrator when the catalog has not seen it yet. */
  async function dagOf(environment: string, dagId: string): Promise<CatalogDagsTable> {
    const { orchestrator } = environmentOf(environment)
    const known = await findCatalogDag(db, environment, dagId)
    if (known) return known
    const fresh = await orchestrator.getDag(dagId)
    return catalog.remember(environment, fresh)
  }

  function allowed(principal: Principal, action: Action, env: EnvironmentConfig, dag: CatalogDagsTable | null): boolean {
    return policy.authorize(authorizationRequest(principal, action, env, dag)).decision === 'allow'
  }

  function permissions(principal: Principal, env: EnvironmentConfig, dag: CatalogDagsTable): Record<string, Permission> {
    const out: Record<string, Permission> = {}
    for (const action of DAG_ACTIONS) {
      const d = policy.authorize(authorizationRequest(principal, action, env, dag))
      out[action] = { allowed: d.decision === 'allow', policyIds: d.policyIds, reasons: d.reasons }
    }
    return out
  }

  async function govern<T>(
    principal: Principal,
    spec: Omit<GovernedCall<T>, 'principal' | 'environment' | 'dag' | 'httpRequestId'> & { environment: string; dagId: string | null },
    meta: CallMeta | undefined,
    requestId = ids.next(),
  ): Promise<{ result: T; request: RequestsTable }> {
    const { env, orchestrator } = environmentOf(spec.environment)
    const dag = spec.dagId === null ? null : await dagOf(spec.environment, spec.dagId)
    const now = isoNow(clock)
    const request: RequestsTable = {
      id: requestId, created_at: now, updated_at: now,
      principal_type: principal.type, principal_id: principal.id, issuer: principal.issuer,
      principal_groups: JSON.stringify(principal.groups),
      action: spec.action, environment: env.name, dag_id: dag?.dag_id ?? null, run_id: spec.runId,
      input: JSON.stringify(spec.input), decision: 'deny', policy_ids: '[]', reasons: '[]', policy_version: 0,
      state: 'new', error_code: null, error_message: null, http_request_id: meta?.httpRequestId ?? null,
    }
    const call: GovernedCall<T> = { ...spec, principal, environment: env, dag, httpRequestId: meta?.httpRequestId ?? null }
    const ctx = { deps: pipelineDeps, call, orchestrator, request }
    const result = await runPipeline(ctx)
    return { result, request }
  }

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

  return {
    catalog,

    async recordPrincipal(principal) {
      const now = isoNow(clock)
      await recordPrincipal(db, {
        type: principal.type, id: principal.id, issuer: principal.issuer, subject: principal.subject,
        display_name: principal.displayName, email: principal.email, groups: JSON.stringify(principal.groups),
        idp_groups: JSON.stringify(principal.idpGroups), first_seen_at: now, last_seen_at: now,
      })
    },

    async seenPrincipals(id) {
      return (await findPrincipalsById(db, id)).map((p) => ({ type: p.type, id: p.id, issuer: p.issuer, subject: p.subject }))
    },

    async knownPrincipals(limit) {
      return (await listPrincipals(db, limit)).map((p) => ({
        type: p.type, id: p.id, issuer: p.issuer, subject: p.subject, claimedGroups: JSON.parse(p.idp_groups) as string[], lastSeenAt: p.last_seen_at,
      }))
    },

    async environments(principal) {
      const statuses = new Map((await catalog.statuses()).map((s) => [s.environment, s]))
      return deps.environments
        .filter((env) => allowed(principal, 'environment:read', env, null))
        .map((env) => environmentView(env, statuses.get(env.name)))
    },

    async dags(principal, filter = {}) {
      if (filter.environment !== undefined) environmentOf(filter.environment)
      const rows = await listCatalogDags(db, filter.environment)
      return rows
        .filter((row) => envs.has(row.environment))
        .filter((row) => filter.tag === undefined || (JSON.parse(row.tags) as string[]).includes(filter.tag))
        .filter((row) => allowed(principal, 'dag:read', envs.get(row.environment)!, row))
        .map((row) => ({ ...dagView(row), permissions: permissions(principal, envs.get(row.environment)!, row) }))
    },

    async dag(principal, environment, dagId) {
      const { env } = environmentOf(environment)
      const row = await dagOf(environment, dagId)
      if (!allowed(principal, 'dag:read', env, row)) {
        throw new ConductorError('dag_not_found', `DAG "${dagId}" not found in environment "${environment}"`, { details: { environment, dagId } })
      }
      const params = await environmentOf(environment).orchestrator.getDagParams(dagId).catch(() => null)
      return { ...dagView(row), permissions: permissions(principal, env, row), params }
    },

    async access(principal, environment, dagId) {
      const { env } = environmentOf(environment)
      const row = await dagOf(environment, dagId)
      if (!allowed(principal, 'dag:read', env, row)) {
        throw new ConductorError('dag_not_found', `DAG "${dagId}" not found in environment "${environment}"`, { details: { environment, dagId } })
      }
      const known = await listPrincipals(db, 1000)
      const groups = new Set<string>([...deps.policyGroups(), ...known.flatMap((p) => JSON.parse(p.groups) as string[])])
      const actions: AccessView['actions'] = {}
      for (const action of ACCESS_ACTIONS) {
        const entry: AccessView['actions'][string] = { groups: [], principals: [] }
        for (const group of [...groups].sort()) {
          const d = policy.authorize(authorizationRequest({ ...principal, type: 'User', id: GROUP_PROBE_ID, groups: [group] }, action, env, row))
          if (d.decision === 'allow') entry.groups.push({ group, policyIds: d.policyIds })
        }
        for (const p of known) {
          const d = policy.authorize(authorizationRequest({ ...principal, type: p.type as Principal['type'], id: p.id, groups: JSON.parse(p.groups) as string[] }, action, env, row))
          if (d.decision === 'allow') entry.principals.push({ type: p.type, id: p.id, policyIds: d.policyIds })
        }
        actions[action] = entry
      }
      return { environment, dagId, actions }
    },

    async trigger(principal, environment, dagId, input, meta) {
      const conf = checkConf(input.conf, deps.maxConfBytes)
      const requestId = ids.next()
      const runId = `${RUN_ID_PREFIX}${requestId}`
      const { result, request } = await govern(principal, {
        action: 'dag:trigger', environment, dagId, runId: null, createsRunId: runId, mutates: true,
        input: { conf, logicalDate: input.logicalDate ?? null, note: input.note ?? null, reason: input.reason ?? null },
        context: { conf, ...(input.reason ? { reason: input.reason } : {}) },
        perform: (orchestrator, req) => orchestrator.triggerRun(dagId, {
          runId, conf, logicalDate: input.logicalDate ?? null, note: runNote(principal, req, input),
        }),
      }, meta, requestId)
      const row = await findRequest(db, request.id)
      return {
        request: requestView(row!),
        run: { ...result, environment, startedBy: { via: 'conductor', principalType: principal.type, principalId: principal.id, requestId: request.id } },
      }
    },

    async rerun(principal, environment, dagId, runId, input, meta) {
      const { result, request } = await govern(principal, {
        action: 'dag:rerun', environment, dagId, runId, mutates: true,
        input: { reason: input.reason ?? null }, context: input.reason ? { reason: input.reason } : {},
        perform: (orchestrator) => orchestrator.clearFailedTasks(dagId, runId),
      }, meta)
      return { request: requestView((await findRequest(db, request.id))!), clearedTaskIds: result.taskIds }
    },

    async setPaused(principal, environment, dagId, paused, meta) {
      const { result, request } = await govern(principal, {
        action: 'dag:pause', environment, dagId, runId: null, mutates: true,
        input: { paused }, context: {},
        perform: (orchestrator) => orchestrator.setPaused(dagId, paused),
      }, meta)
      const row = await catalog.remember(environment, result)
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

    async explain(asker, question) {
      const { env } = environmentOf(question.environment)
      const dag = question.dagId === undefined ? null : await dagOf(question.environment, question.dagId)
      let subject: Principal = asker
      if (question.as && !(question.as.type === asker.type && question.as.id === asker.id)) {
        if (!this.mayReadAudit(asker)) {
          throw new ConductorError('policy_denied', 'explaining decisions for another principal needs audit:read', { details: { action: 'audit:read' } })
        }
        const seen = await findPrincipal(db, question.as.type, question.as.id)
        const groups = question.as.groups ?? (seen ? (JSON.parse(seen.groups) as string[]) : [])
        subject = { ...asker, type: question.as.type, id: question.as.id, subject: seen?.subject ?? question.as.id, issuer: seen?.issuer ?? 'unknown', username: question.as.id, displayName: seen?.display_name ?? null, email: seen?.email ?? null, groups, idpGroups: [] }
      }
      const decision = policy.authorize(authorizationRequest(subject, question.action, env, dag))
      await deps.audit.append({
        type: 'authz.explain', principal: asker.id, principalType: asker.type, environment: env.name, dag: dag?.dag_id ?? null,
        action: question.action, decision: decision.decision, policyIds: decision.policyIds,
        data: { subject: { type: subject.type, id: subject.id, groups: subject.groups }, reasons: decision.reasons },
      })
      return { ...decision, principal: { type: subject.type, id: subject.id, groups: subject.groups }, action: question.action, environment: env.name, dagId: dag?.dag_id ?? null }
    },

    async requests(principal, filter) {
      const everyone = this.mayReadAudit(principal)
      if (filter.principalId !== undefined && filter.principalId !== principal.id && !everyone) {
        throw new ConductorError('policy_denied', 'reading other principals\' requests needs audit:read', { details: { action: 'audit:read' } })
      }
      const rows = await listRequests(db, { ...filter, principalId: everyone ? filter.principalId : principal.id, limit: Math.min(filter.limit ?? 50, 500) })
      return rows.map(requestView)
    },

    async request(principal, id) {
      const row = await findRequest(db, id)
      if (!row || (row.principal_id !== principal.id && !this.mayReadAudit(principal))) {
        throw new ConductorError('request_not_found', `request "${id}" not found`, { details: { requestId: id } })
      }
      return requestView(row)
    },

    mayReadAudit(principal) {
      return policy.authorize({
        principal: { type: principal.type, id: principal.id, groups: principal.groups },
        action: 'audit:read',
      }).decision === 'allow'
    },
  }
}

function environmentView(env: EnvironmentConfig, status: EnvironmentStatusTable | undefined): EnvironmentView {
  return {
    name: env.name, kind: env.kind, url: env.url, zone: env.zone, tier: env.tier, team: env.team ?? null,
    status: status
      ? { reachable: status.reachable === 1, version: status.version, dagCount: status.dag_count, lastSyncAt: status.last_sync_at, lastError: status.last_error, checkedAt: status.checked_at }
      : null,
  }
}

/** Validates a run's `conf`: a JSON object no larger than `maxBytes` once serialized. */
export function checkConf(conf: unknown, maxBytes: number): Record<string, unknown> {
  if (conf === undefined || conf === null) return {}
  if (typeof conf !== 'object' || Array.isArray(conf)) {
    throw new ConductorError('conf_invalid', 'conf must be a JSON object', { details: { field: 'conf' } })
  }
  const size = Buffer.byteLength(JSON.stringify(conf))
  if (size > maxBytes) {
    throw new ConductorError('conf_too_large', `conf is ${size} bytes; the limit is ${maxBytes}`, { details: { field: 'conf', size, limit: maxBytes } })
  }
  return conf as Record<string, unknown>
}

/** The note Airflow shows on a run Conductor created: who, through what, why allowed. */
export function runNote(principal: Principal, request: RequestsTable, input: TriggerInput): string {
  const policies = JSON.parse(request.policy_ids) as string[]
  const lines = [
    `Triggered through Airflow Conductor by ${principal.type} ${principal.id}` + (principal.displayName ? ` (${principal.displayName})` : '') + '.',
    `Request ${request.id}; allowed by ${policies.length ? `policy ${policies.join(', ')}` : 'policy'}.`,
    principal.groups.length ? `Groups: ${principal.groups.join(', ')}.` : '',
    input.reason ? `Reason: ${input.reason}` : '',
    input.note ? `Note: ${input.note}` : '',
  ].filter(Boolean)
  const note = lines.join('\n')
  return note.length <= AIRFLOW_NOTE_LIMIT ? note : `${note.slice(0, AIRFLOW_NOTE_LIMIT - 1)}…`
}

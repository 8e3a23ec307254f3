import type { Kysely } from 'kysely'
import type { AuditedWrite, AuditEventInput, AuditLog } from '../../audit/index.ts'
import type { EnvironmentConfig } from '../../config/index.ts'
import type { Clock, SpanRunner } from '../../core/index.ts'
import type { Principal } from '../../identity/index.ts'
import type { Orchestrator } from '../../orchestrators/index.ts'
import type { Action, Decision, PolicyEngine } from '../../policy/index.ts'
import type { KeyedLock } from '../../store/index.ts'
import type { CatalogDagsTable, GovernanceTables, RequestsTable } from '../governance.tables.ts'
import { insertRequest, updateRequest } from '../requests.repository.ts'

/** What every pipeline step may use. */
export interface PipelineDeps {
  db: Kysely<GovernanceTables>
  policy: Pick<PolicyEngine, 'authorize'>
  /** With `commit`, a step's request row and its audit events are written in one transaction (the audit log's group commit). */
  audit: Pick<AuditLog, 'append'> & Partial<Pick<AuditLog, 'commit'>>
  clock: Clock
  /** The ids of this process's requests on their way through the pipeline: the dispatch resolver leaves them alone. */
  inFlight?: Set<string>
  /** How long a request waiting for approval stays pending (`governance.approvalHours`, default 24). */
  approvalHours?: number
  /** The budget checks under way, by agent and action (see `oneBudgetAtATime`). */
  budgetLocks?: Map<string, Promise<unknown>>
  /** The same, across the replicas of the database (a PostgreSQL advisory lock); absent, budgets hold within this process. */
  budgetLock?: KeyedLock
  /** Opens a trace span per step (`conductor.authorize`, …) when tracing is on; absent, steps run bare. */
  spans?: SpanRunner
  /** OpenLineage for triggers (docs/lineage.md); absent, triggers carry no lineage. */
  lineage?: DispatchLineage
}

/** What lineage adds to a trigger or a rerun on its way out: see {@link DispatchLineage.forRun}. */
export interface TriggerLineage {
  /** The conf sent to the orchestrator for the caller's `conf` of a trigger (the request keeps the caller's as given). */
  conf(conf: Record<string, unknown>): Record<string, unknown>
  /** Writes the lineage rows of the dispatch (its START event in the outbox) in the dispatch record's transaction. */
  write(db: Kysely<GovernanceTables>): Promise<void>
  /** Told once that transaction is committed (the START can be sent now). */
  committed(): void
}

/** The lineage port of the dispatch step. */
export interface DispatchLineage {
  /**
   * For a trigger or a rerun about to be dispatched: what lineage adds to it (Conductor's run for the request), or
   * null when its environment has no lineage.
   */
  forRun(call: GovernedCall<unknown>, request: RequestsTable): TriggerLineage | null
}

/** One governed action on its way through the pipeline. */
export interface GovernedCall<T> {
  principal: Principal
  action: Action
  environment: EnvironmentConfig
  /** The catalog entry of the target DAG, when the action targets one. */
  dag: CatalogDagsTable | null
  /** The target run (rerun, run reads), when there is one. */
  runId: string | null
  /** The id of the run this call will create (trigger): recorded once the call is dispatched, never on a denial. */
  createsRunId?: string
  /** The caller's input, recorded with the request. Never holds a secret. */
  input: Record<string, unknown>
  /** Policy context beyond time: conf keys, reason. */
  context: { conf?: Record<string, unknown>; reason?: string; asset?: { uri: string } }
  /** True when the action changes something in the orchestrator: audited as dispatch and result. */
  mutates: boolean
  httpRequestId: string | null
  /** The door the call came through besides the plain API (`{ via: 'mcp', tool }`), for the audit trail; empty or absent otherwise. */
  channel?: { via?: string; tool?: string | null }
  /** Performs the action against the orchestrator once allowed. */
  perform(orchestrator: Orchestrator, request: RequestsTable): Promise<T>
  /** The Airflow run the action created or touched, to record on the request. */
  runIdOf?(result: T): string | null
}

/** The state a call carries from step to step. */
export interface PipelineContext<T> {
  deps: PipelineDeps
  call: GovernedCall<T>
  orchestrator: Orchestrator
  request: RequestsTable
  decision?: Decision
  result?: T
  /** Set by the approve step: the request waits for approval; the remaining steps do not run. */
  pending?: boolean
  /** False while `request` is not yet stored (a new call before its first {@link persist}); absent means stored. */
  stored?: boolean
  /** Audit events decided but not yet written: they go out with the next {@link persist}. */
  unsaved?: AuditEventInput[]
  /** Further rows noted but not yet written (an auto-approval's verdict): they go out with the next {@link persist}, after the request row. */
  also?: (db: Kysely<GovernanceTables>) => Promise<void>
}

/** A step of the governance pipeline. */
export type PipelineStep = <T>(ctx: PipelineContext<T>) => Promise<void>

/** The current time as an ISO string. */
export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString()
}

/** The audit fields that name who did what to which target. */
export function eventTarget<T>(ctx: PipelineContext<T>) {
  const { call, request } = ctx
  return {
    principal: call.principal.id,
    principalType: call.principal.type,
    environment: call.environment.name,
    dag: call.dag?.dag_id ?? null,
    action: call.action,
    requestId: request.id,
  }
}

/**
 * Makes the request's current state durable together with the audit events decided so far (`ctx.unsaved`, then
 * `events`) and `ctx.also` (further rows noted by earlier steps), in one transaction: the request row is inserted the first
 * time, then its state columns are updated. Resolves once committed. Without `audit.commit`, writes them in turn.
 */
export async function persist<T>(ctx: PipelineContext<T>, events: AuditEventInput[] = []): Promise<void> {
  const { deps, request, also } = ctx
  const all = [...(ctx.unsaved ?? []), ...events]
  const row = { ...request }
  const stored = ctx.stored !== false
  const write = async (db: Kysely<GovernanceTables>): Promise<void> => {
    if (stored) {
      await updateRequest(db, row.id, {
        state: row.state, run_id: row.run_id, error_code: row.error_code, error_message: row.error_message, updated_at: row.updated_at,
        approval: row.approval, expires_at: row.expires_at, input_hash: row.input_hash,
      })
    } else {
      await insertRequest(db, row)
    }
    if (also !== undefined) await also(db)
  }
  if (deps.audit.commit !== undefined) {
    await deps.audit.commit(all, write as AuditedWrite)
  } else {
    await write(deps.db)
    for (const event of all) await deps.audit.append(event)
  }
  ctx.unsaved = []
  ctx.stored = true
  delete ctx.also
}

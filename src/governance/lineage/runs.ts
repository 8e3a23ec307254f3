import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { isConductorError, type Clock } from '../../core/index.ts'
import type { Orchestrator } from '../../orchestrators/index.ts'
import { listApprovals } from '../approvals/approvals.repository.ts'
import type { GovernanceTables } from '../governance.tables.ts'
import type { DispatchLineage } from '../pipeline/index.ts'
import { conductorEvent, endpointsFor, recordEvent, type LineageEndpoint } from './emit.ts'
import { conductorFacet, conductorJobName, openLineageConf, parentRunId, withOpenLineageConf, type ConductorFacet } from './identity-facet.ts'
import { endRun, findRunOfRequest, insertLineageRun, listOpenRuns } from './lineage.repository.ts'
import type { LineageRunsTable, LineageTables } from './lineage.tables.ts'

/** Dependencies of Conductor's own runs. */
export interface RunsDeps {
  db: Kysely<LineageTables & GovernanceTables>
  endpoints: readonly LineageEndpoint[]
  /** Whether `environment` has lineage (an endpoint takes it, or `lineage.environments` names it). */
  hasLineage: (environment: string) => boolean
  clock: Clock
  /** Makes sortable outbox and event ids (see `outboxIds`). */
  id: (now: string) => string
  /** The orchestrators governed now (a live view), to ask how a run ended. */
  orchestrators: () => ReadonlyMap<string, Orchestrator>
  logger: Logger
  /** Asks the delivery loop for a round (new events are in the outbox). */
  kick: () => void
}

/** Request states after which no Airflow run will come: Conductor's run ends as FAIL. */
const WAITING = new Set(['dispatching', 'unknown', 'pending'])

/**
 * The dispatch step's lineage: for a trigger or a rerun in an environment with lineage, Conductor's run for the
 * request and its START event are written with the dispatch record; a trigger's `conf.openlineage` names that run as
 * parent and root (never over the caller's keys). A rerun cannot change the run's conf (Airflow's events still name
 * the trigger's run as parent): its run is found by the Airflow run it reran, and events after it join it (see
 * `receiveEvent`). A request dispatched again (an approval replayed after a restart) keeps its first START.
 */
export function dispatchLineage(deps: RunsDeps): DispatchLineage {
  return {
    forRun(call, request) {
      const environment = call.environment.name
      if (!deps.hasLineage(environment)) return null
      const endpoints = endpointsFor(deps.endpoints, environment)
      const runId = parentRunId(request.id)
      const jobName = conductorJobName(call.action, environment, call.dag?.dag_id ?? null)
      const ours = openLineageConf(runId, jobName)
      return {
        conf: (conf) => withOpenLineageConf(conf, ours),
        committed: deps.kick,
        async write(db) {
          const lineage = db as unknown as Kysely<LineageTables>
          if (await findRunOfRequest(lineage, request.id)) return
          const approvals = (await listApprovals(db, request.id)).filter((a) => a.verdict === 'approve').map((a) => ({ by: a.approver_id, at: a.created_at }))
          const facet = conductorFacet({
            principal: { type: call.principal.type, id: call.principal.id }, groups: [...call.principal.groups], action: call.action, requestId: request.id, decision: request.decision,
            policyIds: JSON.parse(request.policy_ids) as string[], approvals, reason: call.context.reason ?? null,
            via: call.channel?.via ?? 'api', tool: call.channel?.tool ?? null,
          })
          const now = new Date(deps.clock.now()).toISOString()
          await insertLineageRun(lineage, {
            request_id: request.id, parent_run_id: runId, environment, dag_id: call.dag?.dag_id ?? null, run_id: request.run_id, job_name: jobName,
            facet: JSON.stringify(facet), started_at: now, ended_at: null, outcome: null,
          })
          await recordEvent(lineage, conductorEvent('START', { runId, jobName, facet }, now),
            { source: 'conductor', environment, dagId: call.dag?.dag_id ?? null, airflowRunId: request.run_id, requestId: request.id, parentRunId: null, principalId: call.principal.id }, { endpoints, now, id: deps.id })
        },
      }
    },
  }
}

/** Where the next look at open runs starts: after the last one looked at, so every open run gets its turn. */
export interface OpenRunsCursor {
  after: { startedAt: string; requestId: string } | null
}

/**
 * Ends Conductor's open runs whose Airflow run ended: COMPLETE when it succeeded, FAIL when it failed, when Airflow
 * no longer has it, or when the request ended without a run (dispatch failed). Asks the orchestrators about at most
 * `limit` open runs per call, going on from `cursor` (back to the oldest once past the newest); returns how many
 * ended. A run whose orchestrator cannot answer now is asked again at its next turn.
 */
export async function endFinishedRuns(
  deps: RunsDeps, committed: (write: (db: Kysely<LineageTables>) => Promise<void>, run: LineageRunsTable, outcome: string) => Promise<void>,
  cursor: OpenRunsCursor, limit = 100,
): Promise<number> {
  let ended = 0
  const open = await listOpenRuns(deps.db, limit, cursor.after)
  const last = open.at(-1)
  cursor.after = open.length < limit || !last ? null : { startedAt: last.started_at, requestId: last.request_id }
  for (const run of open) {
    const end = await outcomeOf(deps, run)
    if (end === null) continue
    const now = new Date(deps.clock.now()).toISOString()
    const facet = JSON.parse(run.facet) as ConductorFacet
    await committed(async (db) => {
      if (!await endRun(db, run.request_id, end.outcome, now)) return
      await recordEvent(db, conductorEvent(end.outcome, { runId: run.parent_run_id, jobName: run.job_name, facet }, end.at ?? now),
        { source: 'conductor', environment: run.environment, dagId: run.dag_id, airflowRunId: run.run_id, requestId: run.request_id, parentRunId: null, principalId: facet.principal.id },
        { endpoints: endpointsFor(deps.endpoints, run.environment), now, id: deps.id })
    }, run, end.outcome)
    ended++
  }
  return ended
}

async function outcomeOf(deps: RunsDeps, run: LineageRunsTable & { state: string; request_run_id: string | null }): Promise<{ outcome: 'COMPLETE' | 'FAIL'; at: string | null } | null> {
  if (WAITING.has(run.state)) return null
  const runId = run.request_run_id ?? run.run_id
  if (run.state !== 'succeeded' || runId === null || run.dag_id === null) return { outcome: 'FAIL', at: null }
  const orchestrator = deps.orchestrators().get(run.environment)
  if (!orchestrator) return null
  try {
    const info = await orchestrator.getRun(run.dag_id, runId)
    if (info.state === 'success') return { outcome: 'COMPLETE', at: info.endDate }
    if (info.state === 'failed') return { outcome: 'FAIL', at: info.endDate }
    return null
  } catch (error) {
    if (isConductorError(error, 'run_not_found') || isConductorError(error, 'dag_not_found')) return { outcome: 'FAIL', at: null }
    deps.logger.info({ err: error, environment: run.environment, requestId: run.request_id }, 'lineage: the run\'s state could not be read; will ask again')
    return null
  }
}

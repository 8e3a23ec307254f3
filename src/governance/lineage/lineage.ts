import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { AuditedWrite, AuditEventInput, AuditLog } from '../../audit/index.ts'
import type { EnvironmentConfig, LineageConfig, SecretRef } from '../../config/index.ts'
import type { Clock, IdGenerator } from '../../core/index.ts'
import type { Principal } from '../../identity/index.ts'
import type { Orchestrator } from '../../orchestrators/index.ts'
import type { PolicyEngine } from '../../policy/index.ts'
import type { Leases } from '../../store/index.ts'
import type { GovernanceTables } from '../governance.tables.ts'
import { createDeliveryLoop, type DeliveryRound } from '../notifications/index.ts'
import type { DispatchLineage } from '../pipeline/index.ts'
import { createLineageDelivery } from './delivery.ts'
import { endpointsFor, outboxIds } from './emit.ts'
import { receiveEvent, type ReceivedEvent } from './intake.ts'
import { datasetDetail, datasetList, type DatasetDetail, type DatasetList } from './datasets.ts'
import { requestLineage, type RequestLineage } from './request-lineage.ts'
import { runLineage } from './run-lineage.ts'
import { pruneLineage, type Pruned } from './lineage.repository.ts'
import type { LineageTables } from './lineage.tables.ts'
import { dispatchLineage, endFinishedRuns, type OpenRunsCursor } from './runs.ts'
import type { LineageIndex } from './writes-index.ts'

/** The lease the lineage loop (outbox delivery, and ending Conductor's runs) runs under. */
export const LINEAGE_LEASE = 'lineage-outbox'

/** OpenLineage for Conductor (docs/lineage.md). */
export interface Lineage {
  /** The dispatch step's port: `conf.openlineage` and the START event of each trigger in an environment with lineage. */
  readonly dispatch: DispatchLineage
  /** True when at least one endpoint takes `environment`'s lineage. */
  enabledFor(environment: string): boolean
  /** Receives one event posted to `POST /api/v1/lineage` (see `receiveEvent`). */
  receive(principal: Principal, body: unknown, options: { environment?: string | undefined }): Promise<ReceivedEvent>
  /** The lineage of request `requestId` (the caller checks the principal may read the request). */
  ofRequest(requestId: string): Promise<RequestLineage>
  /** The lineage of an Airflow run, for whoever may read the run and the environment's lineage (see `runLineage`). */
  ofRun(principal: Principal, target: { environment: string; dagId: string; runId: string }): Promise<RequestLineage>
  /** The datasets in the lineage `principal` may read (`lineage:read` per environment), newest write first, paged. */
  datasets(principal: Principal, options: { q?: string | undefined; limit: number; cursor?: string | undefined }): Promise<DatasetList>
  /**
   * One dataset's writes (paged) and recent reads, in the lineage `principal` may read.
   * @throws ConductorError `dataset_not_found` (also when nothing of it is visible), `invalid_input` (a bad cursor).
   */
  dataset(principal: Principal, dataset: { namespace: string; name: string }, options: { limit: number; cursor?: string | undefined }): Promise<DatasetDetail>
  /** One round: ends Conductor's runs whose Airflow run ended, then delivers what is due. */
  runOnce(): Promise<DeliveryRound & { ended: number }>
  /**
   * Deletes the lineage older than `lineage.retentionDays` now (see `pruneLineage`), audited `lineage.pruned`; null
   * when lineage is kept for ever. The loop holding the `lineage-outbox` lease does this hourly.
   */
  prune(): Promise<(Pruned & { before: string }) | null>
  start(intervalSeconds: number): void
  stop(): Promise<void>
}

/** Dependencies of {@link createLineage}. */
export interface LineageDeps {
  db: Kysely<LineageTables & GovernanceTables>
  audit: Pick<AuditLog, 'append'> & Partial<Pick<AuditLog, 'commit'>>
  policy: Pick<PolicyEngine, 'authorize'>
  clock: Clock
  ids: IdGenerator
  logger: Logger
  settings: LineageConfig
  getSecret: (ref: SecretRef) => Promise<string>
  /** The environments and orchestrators governed now (live views; read at each use, so a reload counts at once). */
  fleet: () => { environments: ReadonlyMap<string, EnvironmentConfig>; orchestrators: ReadonlyMap<string, Orchestrator> }
  leases?: Pick<Leases, 'claim'>
  /** What DAGs are known to write (policy's `context.lineage`): told at once of each event stored here. */
  writes?: Pick<LineageIndex, 'wrote'>
}

/** Creates Conductor's lineage over its tables, the configured endpoints and the governed orchestrators. */
export function createLineage(deps: LineageDeps): Lineage {
  const { db, clock, logger, settings } = deps
  const endpoints = settings.endpoints
  const recorded = settings.environments ?? []
  /** An environment has lineage when an endpoint takes it or `lineage.environments` names it (or is `["*"]`). */
  const hasLineage = (environment: string) => endpointsFor(endpoints, environment).length > 0 || recorded.includes('*') || recorded.includes(environment)
  /** Whether any environment may have lineage: only then are Conductor's open runs looked at. */
  const active = endpoints.length > 0 || recorded.length > 0
  const id = outboxIds(() => deps.ids.next())
  const now = () => new Date(clock.now()).toISOString()
  const committed = async (events: AuditEventInput[], write: (trx: Kysely<LineageTables>) => Promise<void>): Promise<void> => {
    if (deps.audit.commit) {
      await deps.audit.commit(events, write as AuditedWrite)
      return
    }
    await db.transaction().execute((trx) => write(trx as unknown as Kysely<LineageTables>))
    for (const event of events) await deps.audit.append(event)
  }
  const kick = () => { if (loop.started) setImmediate(() => loop.kick(false)) }
  const runs = { db, endpoints, hasLineage, clock, id, logger, orchestrators: () => deps.fleet().orchestrators, kick }
  const delivery = createLineageDelivery({
    db, audit: deps.audit, clock, logger, endpoints, getSecret: deps.getSecret, timeoutMs: settings.timeoutSeconds * 1000,
    retry: { initialDelaySeconds: settings.initialRetryDelaySeconds, maxDelaySeconds: settings.maxRetryDelaySeconds, maxAttempts: settings.maxAttempts },
  })
  const cursor: OpenRunsCursor = { after: null }
  const reads = { db, policy: deps.policy, environments: () => deps.fleet().environments }
  const endRuns = () => endFinishedRuns(runs, (write, run, outcome) => committed([{
    type: 'lineage.run_ended', environment: run.environment, dag: run.dag_id, requestId: run.request_id, data: { runId: run.parent_run_id, airflowRunId: run.run_id, outcome },
  }], write), cursor)
  const prune = async (): Promise<(Pruned & { before: string }) | null> => {
    if (settings.retentionDays === undefined) return null
    const before = new Date(clock.now() - settings.retentionDays * 86_400_000).toISOString()
    const pruned = await pruneLineage(db, before)
    if (pruned.events + pruned.datasets + pruned.runs > 0) await deps.audit.append({ type: 'lineage.pruned', data: { before, ...pruned } })
    return { ...pruned, before }
  }
  let lastPrune = 0
  const runOnce = async () => {
    const ended = active ? await endRuns() : 0
    return { ...await delivery.deliverDue(), ended }
  }
  const loop = createDeliveryLoop({ lease: LINEAGE_LEASE, leases: deps.leases, logger, what: 'lineage', round: async (fence) => {
    // Runs end on the sweep under the lease only (a round asked for by new events delivers them, here, and no more).
    const leader = fence ? fence.held() : deps.leases === undefined
    if (active && leader) await endRuns()
    if (leader && clock.now() - lastPrune >= 3_600_000) {
      lastPrune = clock.now()
      await prune()
    }
    return delivery.deliverDue(fence)
  } })

  return {
    dispatch: dispatchLineage(runs),
    enabledFor: hasLineage,
    async receive(principal, body, options) {
      const received = await receiveEvent({ db, policy: deps.policy, endpoints, environments: () => deps.fleet().environments, now, id, committed, ...(deps.writes ? { wrote: deps.writes.wrote } : {}) }, principal, body, options)
      if (received.forwardedTo.length) kick()
      return received
    },
    ofRequest: (requestId) => requestLineage(db, requestId, hasLineage),
    ofRun: (principal, target) => runLineage(reads, principal, target, hasLineage),
    datasets: (principal, options) => datasetList(reads, principal, options),
    dataset: (principal, dataset, options) => datasetDetail(reads, principal, dataset, options),
    runOnce,
    prune,
    start: (intervalSeconds) => loop.start(intervalSeconds),
    stop: () => loop.stop(),
  }
}

import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { AuditLog } from '../audit/index.ts'
import { ConductorError, isConductorError, type Clock } from '../core/index.ts'
import type { DagInfo, Orchestrator } from '../orchestrators/index.ts'
import type { Fence, Lease, Leases } from '../store/index.ts'
import { listEnvironmentStatus, replaceCatalog, saveEnvironmentStatus, upsertCatalogDag } from './catalog.repository.ts'
import type { CatalogDagsTable, EnvironmentStatusTable, GovernanceTables } from './governance.tables.ts'
import { isoNow } from './pipeline/index.ts'
import type { ShadowActivity } from './shadow/index.ts'

/** The lease periodic catalog syncing (and the shadow activity check in it) runs under. */
export const CATALOG_LEASE = 'catalog-sync'

/** Keeps the DAG catalog in step with every environment. */
export interface Catalog {
  /** Syncs one environment: health, version, its DAGs, then its shadow activity. Never throws for an unreachable environment. */
  syncEnvironment(name: string): Promise<EnvironmentStatusTable>
  /** Syncs every environment, one after the other; with a `fence`, stops before the next environment once the lease is lost. */
  syncAll(fence?: Fence): Promise<EnvironmentStatusTable[]>
  /** Stores one DAG just read from an orchestrator. */
  remember(environment: string, dag: DagInfo): Promise<CatalogDagsTable>
  /** The last status of every environment. */
  statuses(): Promise<EnvironmentStatusTable[]>
  /**
   * Syncs now and then every `intervalSeconds` until stopped; 0 syncs once. With `leases`, only the replica holding
   * the `catalog-sync` lease syncs, and a replica taking the lease over syncs at once.
   */
  start(intervalSeconds: number): void
  /** Stops periodic syncing and waits for a sync under way. */
  stop(): Promise<void>
}

/** Creates the catalog over the given orchestrators. */
export function createCatalog(deps: {
  db: Kysely<GovernanceTables>
  orchestrators: ReadonlyMap<string, Orchestrator>
  audit: Pick<AuditLog, 'append'>
  clock: Clock
  logger: Logger
  /** Looks for activity behind Conductor's back after each environment's DAGs are synced; a failure there is logged, not the sync's. */
  shadow?: Pick<ShadowActivity, 'detect' | 'drain'>
  /** Shared with the other replicas of the database: periodic syncing runs on the one holding `catalog-sync`. */
  leases?: Pick<Leases, 'claim'>
}): Catalog {
  const { db, orchestrators, clock, logger } = deps
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = Promise.resolve()
  let lease: Lease | undefined

  const toRow = (environment: string, dag: DagInfo): CatalogDagsTable => ({
    environment,
    dag_id: dag.dagId,
    description: dag.description,
    tags: JSON.stringify([...dag.tags].sort()),
    owners: JSON.stringify([...dag.owners].sort()),
    paused: dag.paused ? 1 : 0,
    schedule: dag.schedule,
    synced_at: isoNow(clock),
    team: dag.team ?? null,
    allowed_run_types: dag.allowedRunTypes ? JSON.stringify([...dag.allowedRunTypes].sort()) : null,
  })

  async function syncEnvironment(name: string): Promise<EnvironmentStatusTable> {
    const orchestrator = orchestrators.get(name)
    const now = isoNow(clock)
    const previous = (await listEnvironmentStatus(db)).find((s) => s.environment === name)
    if (!orchestrator) throw new ConductorError('environment_not_found', `unknown environment "${name}"`, { details: { environment: name } })
    try {
      const health = await orchestrator.health()
      const dags = await orchestrator.listDags()
      await replaceCatalog(db, name, dags.map((d) => toRow(name, d)))
      const status: EnvironmentStatusTable = {
        environment: name, reachable: health.reachable ? 1 : 0, version: health.version ?? null,
        dag_count: dags.length, last_sync_at: now, last_error: health.reachable ? null : (health.detail ?? 'unhealthy'), checked_at: now,
      }
      await saveEnvironmentStatus(db, status)
      logger.debug({ environment: name, dags: dags.length }, 'catalog synced')
      if (deps.shadow) {
        await deps.shadow.detect(name, orchestrator).catch((error: unknown) => {
          logger.warn({ environment: name, err: isConductorError(error) ? `${error.code}: ${error.message}` : String(error) }, 'shadow activity check failed')
        })
      }
      return status
    } catch (error) {
      const message = isConductorError(error) ? `${error.code}: ${error.message}` : String(error)
      logger.warn({ environment: name, err: message }, 'catalog sync failed')
      const status: EnvironmentStatusTable = {
        environment: name, reachable: 0, version: previous?.version ?? null, dag_count: previous?.dag_count ?? 0,
        last_sync_at: previous?.last_sync_at ?? null, last_error: message, checked_at: now,
      }
      await saveEnvironmentStatus(db, status)
      return status
    }
  }

  async function syncAll(fence?: Fence): Promise<EnvironmentStatusTable[]> {
    const out: EnvironmentStatusTable[] = []
    for (const name of orchestrators.keys()) {
      if (fence && !fence.held()) {
        logger.warn({ environment: name }, 'catalog sync stopped: this replica lost its lease')
        break
      }
      out.push(await syncEnvironment(name))
    }
    return out
  }

  return {
    syncEnvironment,
    syncAll,
    async remember(environment, dag) {
      const row = toRow(environment, dag)
      await upsertCatalogDag(db, row)
      return row
    },
    statuses: () => listEnvironmentStatus(db),
    start(intervalSeconds) {
      const round = () => {
        running = running.then(() => lease ? lease.run(syncAll) : syncAll()).catch((error) => logger.error({ err: error }, 'catalog sync failed'))
      }
      lease = deps.leases?.claim(CATALOG_LEASE, { onAcquired: round })
      round()
      if (intervalSeconds > 0) {
        timer = setInterval(round, intervalSeconds * 1000)
        timer.unref()
      }
    },
    async stop() {
      if (timer) clearInterval(timer)
      timer = undefined
      await running
      await deps.shadow?.drain()
    },
  }
}

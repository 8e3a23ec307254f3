import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { AuditLog } from '../audit/index.ts'
import type { EnvironmentConfig } from '../config/index.ts'
import { isConductorError, type Clock } from '../core/index.ts'
import type { Orchestrator } from '../orchestrators/index.ts'
import type { Fence, Lease, Leases } from '../store/index.ts'
import type { GovernanceTables, RequestsTable } from './governance.tables.ts'
import { isoNow } from './pipeline/index.ts'
import { listRequestsInStates, updateRequestIfUnchanged } from './requests.repository.ts'
import { environmentMap, type EnvironmentsInput } from './targets.ts'

/**
 * The states a request passes through on its way to Airflow and may be left in when Conductor stops or loses an
 * answer: `allowed` (decided, not yet sent), `dispatching` (sent or about to be), `unknown` (sent, answer lost).
 */
export const UNSETTLED_STATES = ['allowed', 'dispatching', 'unknown'] as const

/** What the resolver found out about a request, as audited in `dispatch.resolved`. */
export type ResolutionEvidence =
  /** The trigger's run `conductor__<request id>` exists in Airflow. */
  | 'run_found'
  /** The trigger's run was still absent after the grace period. */
  | 'run_not_found'
  /** The request was decided but never dispatched: nothing was sent. */
  | 'never_sent'
  /** A rerun or pause leaves no trace to look up: the grace period passed without an answer. */
  | 'no_evidence'

/** One request the resolver settled. */
export interface Resolution {
  requestId: string
  action: string
  environment: string
  /** The state the request was left in. */
  from: string
  outcome: 'succeeded' | 'failed'
  evidence: ResolutionEvidence
  runId: string | null
}

/**
 * Settles the requests a stopped process (or a lost answer) left unsettled, so none stays `dispatching` for ever and
 * every run Conductor created is credited to its person. Safe to run in every replica at once.
 */
export interface DispatchResolver {
  /**
   * One round: first every pending request past its expiry becomes `expired` (it never runs), as does every grant
   * past its end (`expirePending`); then every unsettled
   * request that is due: a trigger whose run exists in Airflow becomes `succeeded`;
   * one whose run is still absent after the grace period, a rerun or pause after the grace period, and a request that
   * never left, become `failed` with `dispatch_interrupted`. An environment that cannot be asked is left for the next
   * round. Requests this process is still working on are never touched, nor `allowed`/`dispatching` ones younger than
   * the longest a dispatch can take in their environment (another replica may still be at work on them).
   * Each settlement is a compare-and-set on the request's state and `updated_at`, so of several resolvers only one
   * settles a request, and only that one audits `dispatch.resolved`.
   */
  resolveAll(fence?: Fence): Promise<Resolution[]>
  /**
   * Resolves now and then every `intervalSeconds` until stopped; 0 resolves once. With `leases`, only the replica
   * holding `dispatch-resolver` resolves (a round stops before its next request once the lease is lost), and a replica
   * taking the lease over resolves at once.
   */
  start(intervalSeconds: number): void
  /** Stops resolving and waits for a round under way. */
  stop(): Promise<void>
}

/** Dependencies of {@link createDispatchResolver}. */
export interface DispatchResolverDeps {
  db: Kysely<GovernanceTables>
  audit: Pick<AuditLog, 'append'>
  /** A map is read live (config reload). */
  environments: EnvironmentsInput
  orchestrators: ReadonlyMap<string, Orchestrator>
  clock: Clock
  logger: Logger
  /** The requests this process's pipeline is working on. */
  inFlight: ReadonlySet<string>
  /** How long after its dispatch a trigger's run may still appear in Airflow before the trigger counts as lost. */
  graceSeconds: number
  /** Marks pending requests (and active grants) past their expiry `expired`; run at the start of every round. */
  expirePending?: () => Promise<number>
  /** Records the escalations of pending requests whose wait is over (`request.escalated`); run after `expirePending`. */
  escalatePending?: () => Promise<number>
  /** Shared with the other replicas of the database: periodic rounds run on the one holding `dispatch-resolver`. */
  leases?: Pick<Leases, 'claim'>
}

/** The lease periodic dispatch resolution (with approval expiry and escalation) runs under. */
export const RESOLVER_LEASE = 'dispatch-resolver'

const PAGE = 200

/** The actions that change something in Airflow: only they are marked `dispatching` before they leave. */
const MUTATING = new Set(['dag:trigger', 'dag:rerun', 'dag:pause', 'asset:post_event'])

/**
 * The longest a dispatch can take in `env` before its request is surely no longer being worked on: a token fetch and
 * every try of the call, each bounded by `timeoutMs`, with up to 5 s of backoff between tries.
 */
export function settleMs(env: Pick<EnvironmentConfig, 'timeoutMs' | 'retries'> | undefined): number {
  const timeoutMs = env?.timeoutMs ?? 10_000
  const retries = env?.retries ?? 0
  return (retries + 2) * (timeoutMs + 5_000)
}

/** Creates the dispatch resolver. */
export function createDispatchResolver(deps: DispatchResolverDeps): DispatchResolver {
  const { db, audit, clock, logger, inFlight } = deps
  const environments = environmentMap(deps.environments)
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = Promise.resolve()
  let busy = false
  let lease: Lease | undefined

  /** What to do with one request now: settle it, or leave it (undefined) for a later round. */
  async function judge(row: RequestsTable, now: number): Promise<Pick<Resolution, 'outcome' | 'evidence'> | undefined> {
    const env = environments.get(row.environment)
    const age = now - Date.parse(row.updated_at)
    const settle = settleMs(env)
    if (row.state !== 'unknown' && age < settle) return undefined
    if (row.state === 'allowed') return { outcome: 'failed', evidence: MUTATING.has(row.action) ? 'never_sent' : 'no_evidence' }
    const graceOver = age >= Math.max(deps.graceSeconds * 1000, row.state === 'unknown' ? 0 : settle)
    const orchestrator = deps.orchestrators.get(row.environment)
    if (row.action !== 'dag:trigger' || !row.run_id || !row.dag_id || !orchestrator) {
      return graceOver ? { outcome: 'failed', evidence: 'no_evidence' } : undefined
    }
    try {
      await orchestrator.getRun(row.dag_id, row.run_id)
      return { outcome: 'succeeded', evidence: 'run_found' }
    } catch (error) {
      if (isConductorError(error, 'run_not_found') || isConductorError(error, 'dag_not_found')) {
        return graceOver ? { outcome: 'failed', evidence: 'run_not_found' } : undefined
      }
      logger.warn({ environment: row.environment, requestId: row.id, err: isConductorError(error) ? `${error.code}: ${error.message}` : String(error) }, 'cannot resolve an interrupted dispatch yet')
      return undefined
    }
  }

  function interruptedMessage(row: RequestsTable, evidence: ResolutionEvidence): string {
    const where = `environment "${row.environment}"`
    if (evidence === 'never_sent') return `Conductor stopped before ${row.action} was sent to ${where}; nothing was sent`
    if (!MUTATING.has(row.action)) return `Conductor stopped before ${row.action} in ${where} was done; it changed nothing`
    if (evidence === 'run_not_found') {
      return `Conductor stopped, or lost Airflow's answer, while triggering; run "${row.run_id}" did not appear in ${where} within ${deps.graceSeconds} s, so the trigger did not take effect`
    }
    return `Conductor stopped, or lost Airflow's answer, while sending ${row.action} to ${where}; whether it took effect is unknown: check in Airflow`
  }

  async function settle(row: RequestsTable, verdict: Pick<Resolution, 'outcome' | 'evidence'>): Promise<Resolution | undefined> {
    const failed = verdict.outcome === 'failed'
    const message = failed ? interruptedMessage(row, verdict.evidence) : null
    const won = await updateRequestIfUnchanged(db, row, {
      state: verdict.outcome, error_code: failed ? 'dispatch_interrupted' : null, error_message: message, updated_at: isoNow(clock),
    })
    if (!won) return undefined
    const resolution: Resolution = {
      requestId: row.id, action: row.action, environment: row.environment, from: row.state, outcome: verdict.outcome, evidence: verdict.evidence, runId: row.run_id,
    }
    await audit.append({
      type: 'dispatch.resolved', principal: row.principal_id, principalType: row.principal_type, environment: row.environment, dag: row.dag_id,
      action: row.action, requestId: row.id,
      data: { outcome: verdict.outcome, evidence: verdict.evidence, from: row.state, runId: row.run_id, ...(failed ? { errorCode: 'dispatch_interrupted', message } : {}) },
    })
    logger.info({ ...resolution }, 'interrupted dispatch resolved')
    return resolution
  }

  async function resolveAll(fence?: Fence): Promise<Resolution[]> {
    const lost = () => fence !== undefined && !fence.held()
    if (lost()) return []
    await deps.expirePending?.()
    await deps.escalatePending?.()
    const out: Resolution[] = []
    const now = clock.now()
    for (let after: { updatedAt: string; id: string } | null = null; ;) {
      const page = await listRequestsInStates(db, UNSETTLED_STATES, after, PAGE)
      for (const row of page) {
        if (inFlight.has(row.id)) continue
        if (lost()) {
          logger.warn('resolving stopped: this replica lost its lease')
          return out
        }
        const verdict = await judge(row, now)
        const resolution = verdict && await settle(row, verdict)
        if (resolution) out.push(resolution)
      }
      if (page.length < PAGE) return out
      after = { updatedAt: page.at(-1)!.updated_at, id: page.at(-1)!.id }
    }
  }

  /** Starts a round unless one is under way (a slow Airflow must not pile rounds up). */
  const round = () => {
    if (busy) return
    busy = true
    running = (lease ? lease.run(resolveAll) : resolveAll())
      .catch((error) => logger.error({ err: error }, 'resolving interrupted dispatches failed'))
      .finally(() => { busy = false })
  }

  return {
    resolveAll,
    start(intervalSeconds) {
      lease = deps.leases?.claim(RESOLVER_LEASE, { onAcquired: round })
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
    },
  }
}

import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { AuditLog } from '../audit/index.ts'
import { ConductorError, ERROR_CODES, isConductorError, type Clock, type ErrorCode, type IdGenerator } from '../core/index.ts'
import type { Principal } from '../identity/index.ts'
import type { Orchestrator } from '../orchestrators/index.ts'
import type { Action, Decision, PolicyEngine, RequestContext } from '../policy/index.ts'
import { isUniqueViolation, type Fence, type Leases } from '../store/index.ts'
import { findCatalogDag } from './catalog.repository.ts'
import type { Catalog } from './catalog.ts'
import type { GovernanceTables, RequestsTable } from './governance.tables.ts'
import type { CallMeta, GovernedActions } from './governed-actions.ts'
import type { Notify } from './notifications/index.ts'
import { findRequest } from './requests.repository.ts'
import type { TriggerInput } from './run-input.ts'
import { authorizationRequest, environmentMap, type EnvironmentsInput } from './targets.ts'

/** Who an owned schedule or link acts as. */
export interface Owner {
  type: 'User' | 'ServiceAccount' | 'Agent'
  id: string
}

/** What owned schedules and links share: they act as their owner through the governance pipeline, in a leased loop. */
export interface OwnedDeps {
  policy: Pick<PolicyEngine, 'authorize'>
  audit: Pick<AuditLog, 'append'>
  clock: Clock
  ids: IdGenerator
  logger: Logger
  /** The environments governed now (a live view: a config reload changes it in place). */
  environments: EnvironmentsInput
  orchestrators: ReadonlyMap<string, Orchestrator>
  /** Where a DAG the catalog has not seen yet is remembered once its environment answers for it. */
  catalog: Pick<Catalog, 'remember'>
  /** The governed trigger (the same pipeline as the API's). */
  requestTrigger: GovernedActions['requestTrigger']
  /** The owner as a principal now (directory and grants applied; a service account from its record), or null when it has no access. */
  principalOf: (owner: Owner) => Promise<Principal | null>
  /** Tells the webhooks (`schedule.suspended`, `link.suspended`). */
  notify?: Notify
  /** The replica holding the loop's lease runs it. */
  leases?: Pick<Leases, 'claim'>
  /** The largest conf, as `governance.maxConfBytes`. */
  maxConfBytes: number
  /**
   * How long a claimed firing may stay unsettled before the loop takes it for left behind by a replica that stopped and
   * fires it again, as the same request (default {@link STALE_CLAIM_SECONDS}).
   */
  staleClaimSeconds?: number
}

/** After how long an unsettled claim is fired again: well past the time a live replica takes to record its request. */
export const STALE_CLAIM_SECONDS = 120

/** A firing as claimed: the request id it was given and what it asks. */
export interface ClaimedTrigger {
  requestId: string
  input: TriggerInput
}

/** The request a firing made (or had made before), with its run. */
export interface FiredAs {
  requestId: string
  /** The Airflow run, or null while the request waits for approval. */
  runId: string | null
  pending: boolean
}

/**
 * Makes a claimed firing's request once: when a request with its id exists already (an earlier attempt, on this replica
 * or on one that stopped, got as far as recording it), answers that one and calls nothing; otherwise calls `make`, which
 * must record its request under that id. Two attempts racing both call `make`; the loser's insert fails on the
 * primary key and it answers the winner's request. An earlier attempt that was denied or refused throws as it would have.
 * @throws ConductorError as `make`.
 */
export async function makeOnce<T>(db: Kysely<GovernanceTables>, requestId: string, make: () => Promise<T>): Promise<{ made: T } | { earlier: FiredAs }> {
  const earlier = await findRequest(db, requestId)
  if (earlier) return { earlier: firedBefore(earlier) }
  try {
    return { made: await make() }
  } catch (error) {
    // Another attempt recorded the request first (a replica that was only slow, not gone): that one is the firing.
    const raced = isUniqueViolation(error) ? await findRequest(db, requestId) : undefined
    if (raced) return { earlier: firedBefore(raced) }
    throw error
  }
}

/**
 * Triggers as `principal` with the request id the firing was claimed with, once ({@link makeOnce}): whatever happens
 * between a claim and its settling, a firing is one request and at most one run (the run id is `conductor__<request id>`).
 * @throws ConductorError as {@link GovernedActions.requestTrigger}.
 */
export async function triggerOnce(
  deps: Pick<OwnedDeps, 'requestTrigger'> & { db: Kysely<GovernanceTables> },
  principal: Principal, environment: string, dagId: string, claimed: ClaimedTrigger, meta: CallMeta,
): Promise<FiredAs> {
  const once = await makeOnce(deps.db, claimed.requestId, () => deps.requestTrigger(principal, environment, dagId, claimed.input, { ...meta, requestId: claimed.requestId }))
  if ('earlier' in once) return once.earlier
  const answer = once.made
  return { requestId: answer.request.id, runId: answer.run?.runId ?? null, pending: answer.run === null }
}

function firedBefore(request: RequestsTable): FiredAs {
  if (request.state === 'denied') {
    throw new ConductorError('policy_denied', `request ${request.id} was denied`, { details: { requestId: request.id, reasons: JSON.parse(request.reasons) as string[] } })
  }
  if (request.state === 'refused' || request.state === 'failed') {
    const code = (ERROR_CODES as readonly string[]).includes(request.error_code ?? '') ? request.error_code as ErrorCode : 'orchestrator_unavailable'
    throw new ConductorError(code, request.error_message ?? `request ${request.id} ${request.state}`, { details: { requestId: request.id } })
  }
  return { requestId: request.id, runId: request.run_id, pending: request.state === 'pending' }
}

/** What one round of an owned loop (links, schedules) did. */
export interface FiringRound {
  fired: number
  suspended: number
  failed: number
}

/** How a firing ended: `lost` when another attempt settled it first (that one counts it). */
export type FiringOutcome = keyof FiringRound | 'lost'

/** One claimed firing of an owned link or schedule, as {@link fireAsOwner} drives it. */
export interface OwnedFiring<T extends { requestId: string }> {
  owner: Owner
  /** Settles the claim; false when another attempt settled it first. */
  settle(outcome: 'fired' | 'refused' | 'failed', requestId: string | null): Promise<boolean>
  /** Makes the firing's request as the owner (once: see {@link triggerOnce}). */
  act(principal: Principal): Promise<T>
  /** After a settled success: audits it. */
  fired(done: T): Promise<void>
  /** Suspends the link or schedule: its owner has no access now, or policy denied the firing. */
  suspend(reason: 'owner_deprovisioned' | 'owner_not_allowed', facts: { requestId?: string | null; reasons?: unknown }): Promise<void>
  /** After a failure that is not a denial (the request, when one was made, is named): logs and audits it. */
  failed(error: unknown, requestId: string | null): Promise<void>
}

/**
 * Fires a claimed firing as its owner and settles it: an owner without access now suspends it (settled `refused`);
 * a policy denial too; any other failure is settled `failed` and the loop goes on.
 */
export async function fireAsOwner<T extends { requestId: string }>(principalOf: OwnedDeps['principalOf'], firing: OwnedFiring<T>): Promise<FiringOutcome> {
  const principal = await principalOf(firing.owner)
  if (!principal) {
    await firing.settle('refused', null)
    await firing.suspend('owner_deprovisioned', {})
    return 'suspended'
  }
  try {
    const done = await firing.act(principal)
    if (!(await firing.settle('fired', done.requestId))) return 'lost'
    await firing.fired(done)
    return 'fired'
  } catch (error) {
    const requestId = isConductorError(error) && typeof error.details?.requestId === 'string' ? error.details.requestId : null
    if (isConductorError(error, 'policy_denied')) {
      await firing.settle('refused', requestId)
      await firing.suspend('owner_not_allowed', { requestId, reasons: error.details?.reasons ?? [] })
      return 'suspended'
    }
    await firing.settle('failed', requestId)
    await firing.failed(error, requestId)
    return 'failed'
  }
}

/**
 * Fires again, as the same request, the claims a replica left unsettled (it stopped between claiming and settling) —
 * those `list` finds claimed before the stale cut-off — while `fence` holds: `resume` fires one (a request already made
 * is answered, not made twice) or answers `abandoned` for one whose link or schedule is no longer active. A failure is
 * logged: the round goes on to fire what is due.
 */
export async function recoverStaleClaims<C>(
  deps: Pick<OwnedDeps, 'clock' | 'logger' | 'staleClaimSeconds'>, kind: 'link' | 'schedule', round: FiringRound,
  list: (staleBefore: string) => Promise<C[]>, resume: (claim: C) => Promise<FiringOutcome | 'abandoned'>, fence?: Fence,
): Promise<void> {
  try {
    for (const claim of await list(new Date(deps.clock.now() - (deps.staleClaimSeconds ?? STALE_CLAIM_SECONDS) * 1000).toISOString())) {
      if (fence && !fence.held()) return
      const outcome = await resume(claim)
      if (outcome !== 'lost' && outcome !== 'abandoned') round[outcome]++
    }
  } catch (error) {
    deps.logger.warn({ err: error }, `recovering ${kind} claims failed`)
  }
}

/**
 * The policy question about `action` on a DAG, by its catalog row (a DAG the catalog no longer has is asked about with
 * no tags or owners), or on the environment itself when `dagId` is null; `environment_not_found` for an environment not
 * governed now.
 */
export function createDagDecider(deps: { db: Kysely<GovernanceTables>; policy: Pick<PolicyEngine, 'authorize'>; environments: EnvironmentsInput }) {
  const environments = environmentMap(deps.environments)
  return async (principal: Principal, action: Action, environment: string, dagId: string | null, context: RequestContext = {}): Promise<Decision> => {
    const env = environments.get(environment)
    if (!env) throw new ConductorError('environment_not_found', `unknown environment "${environment}"`, { details: { environment } })
    if (dagId === null) return deps.policy.authorize(authorizationRequest(principal, action, env, null, context))
    const dag = await findCatalogDag(deps.db, environment, dagId) ?? { dag_id: dagId, tags: '[]', owners: '[]', paused: 0, team: null, allowed_run_types: null }
    return deps.policy.authorize(authorizationRequest(principal, action, env, dag, context))
  }
}

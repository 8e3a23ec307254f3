import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { AuditLog } from '../audit/index.ts'
import { ConductorError, ERROR_CODES, type Clock, type ErrorCode, type IdGenerator } from '../core/index.ts'
import type { Principal } from '../identity/index.ts'
import type { Orchestrator } from '../orchestrators/index.ts'
import type { Action, Decision, PolicyEngine, RequestContext } from '../policy/index.ts'
import { isUniqueViolation, type Leases } from '../store/index.ts'
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

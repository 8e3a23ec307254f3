import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { AuditLog } from '../audit/index.ts'
import { ConductorError, type Clock, type IdGenerator } from '../core/index.ts'
import type { Principal } from '../identity/index.ts'
import type { Orchestrator } from '../orchestrators/index.ts'
import type { Action, Decision, PolicyEngine, RequestContext } from '../policy/index.ts'
import type { Leases } from '../store/index.ts'
import { findCatalogDag } from './catalog.repository.ts'
import type { Catalog } from './catalog.ts'
import type { GovernanceTables } from './governance.tables.ts'
import type { GovernedActions } from './governed-actions.ts'
import type { Notify } from './notifications/index.ts'
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

import type { Kysely } from 'kysely'
import type { EnvironmentConfig } from '../config/index.ts'
import { ConductorError } from '../core/index.ts'
import type { Principal } from '../identity/index.ts'
import type { Orchestrator } from '../orchestrators/index.ts'
import { principalRef, type Action, type AuthorizationRequest, type DagRef, type RequestContext } from '../policy/index.ts'
import type { Catalog } from './catalog.ts'
import { findCatalogDag } from './catalog.repository.ts'
import type { CatalogDagsTable, GovernanceTables } from './governance.tables.ts'

/** Builds the policy question for `principal` doing `action` on an environment or one of its DAGs (with the credential's scope, see `principalRef`). */
export function authorizationRequest(
  principal: Principal,
  action: Action,
  environment: EnvironmentConfig,
  dag: PolicyDagRow | null,
  context: RequestContext = {},
): AuthorizationRequest {
  return {
    principal: principalRef(principal),
    action,
    resource: {
      environment: { name: environment.name, zone: environment.zone, tier: environment.tier, team: environment.team ?? null, fullyGoverned: environment.fullyGoverned === true },
      ...(dag ? { dag: toPolicyDag(dag) } : {}),
    },
    context,
  }
}

/** What policy sees of a catalog row. */
export type PolicyDagRow = Pick<CatalogDagsTable, 'dag_id' | 'tags' | 'owners' | 'paused' | 'team' | 'allowed_run_types'>

/** The policy view of a catalog DAG (Cedar `Dag` attributes; `team` and `allowedRunTypes` only when Airflow gives them). */
export function toPolicyDag(dag: PolicyDagRow): DagRef {
  return {
    dagId: dag.dag_id, tags: JSON.parse(dag.tags), owners: JSON.parse(dag.owners), paused: dag.paused === 1,
    team: dag.team ?? null, allowedRunTypes: dag.allowed_run_types == null ? null : JSON.parse(dag.allowed_run_types) as string[],
  }
}

/**
 * A key equal for two DAGs of one environment exactly when policy, not looking at DAG ids, sees them alike: their
 * attributes, and `lineage`, the key of what they are known to write (`PolicyEngine.lineage(…).key`, `context.lineage`).
 */
export function policyAttributesKey(dag: PolicyDagRow, lineage = ''): string {
  return [dag.tags, dag.owners, dag.paused, dag.team ?? '', dag.allowed_run_types ?? '', lineage].join('\u0000')
}

/** Whether Airflow lets the DAG have runs of `runType` (`manual`, …): true unless its `allowed_run_types` leaves it out. */
export function runTypeAllowed(dag: Pick<CatalogDagsTable, 'allowed_run_types'>, runType: string): boolean {
  if (dag.allowed_run_types == null) return true
  return (JSON.parse(dag.allowed_run_types) as string[]).includes(runType)
}

/** Environments as given to a service: a list read once, or a map read live (replaced in place on a config reload). */
export type EnvironmentsInput = readonly EnvironmentConfig[] | ReadonlyMap<string, EnvironmentConfig>

/** The environments by name: the map itself when given one (so later changes to it are seen), else a map of the list. */
export function environmentMap(input: EnvironmentsInput): ReadonlyMap<string, EnvironmentConfig> {
  return input instanceof Map ? input : new Map((input as readonly EnvironmentConfig[]).map((e) => [e.name, e]))
}

/** An environment Conductor governs, with the orchestrator that reaches it. */
export interface GovernedEnvironment {
  env: EnvironmentConfig
  orchestrator: Orchestrator
}

/** Finds the environments and DAGs actions name. */
export interface Targets {
  /** The environments governed now, by name (a live view when built over a live map). */
  readonly environments: ReadonlyMap<string, EnvironmentConfig>
  /** The named environment. @throws ConductorError `environment_not_found` for an unknown one. */
  environmentOf(name: string): GovernedEnvironment
  /**
   * The catalog entry of a DAG; asks the orchestrator (and remembers the answer) when the catalog has not seen it yet.
   * @throws ConductorError `environment_not_found`, or the orchestrator's error for an unknown DAG.
   */
  dagOf(environment: string, dagId: string): Promise<CatalogDagsTable>
}

/** Creates the target lookup over the configured environments, their orchestrators and the catalog. */
export function createTargets(deps: {
  db: Kysely<GovernanceTables>
  environments: EnvironmentsInput
  orchestrators: ReadonlyMap<string, Orchestrator>
  catalog: Pick<Catalog, 'remember'>
}): Targets {
  const environments = environmentMap(deps.environments)

  function environmentOf(name: string): GovernedEnvironment {
    const env = environments.get(name)
    const orchestrator = deps.orchestrators.get(name)
    if (!env || !orchestrator) throw new ConductorError('environment_not_found', `unknown environment "${name}"`, { details: { environment: name } })
    return { env, orchestrator }
  }

  return {
    environments,
    environmentOf,
    async dagOf(environment, dagId) {
      const { orchestrator } = environmentOf(environment)
      const known = await findCatalogDag(deps.db, environment, dagId)
      if (known) return known
      const fresh = await orchestrator.getDag(dagId)
      return deps.catalog.remember(environment, fresh)
    },
  }
}

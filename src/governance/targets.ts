import type { EnvironmentConfig } from '../config/index.ts'
import type { Principal } from '../identity/index.ts'
import type { Action, AuthorizationRequest } from '../policy/index.ts'
import type { CatalogDagsTable } from './governance.tables.ts'

/** Builds the policy question for `principal` doing `action` on an environment or one of its DAGs. */
export function authorizationRequest(
  principal: Principal,
  action: Action,
  environment: EnvironmentConfig,
  dag: CatalogDagsTable | null,
  context: { conf?: Record<string, unknown>; reason?: string } = {},
): AuthorizationRequest {
  return {
    principal: { type: principal.type, id: principal.id, groups: principal.groups },
    action,
    resource: {
      environment: { name: environment.name, zone: environment.zone, tier: environment.tier, team: environment.team ?? null },
      ...(dag ? { dag: toPolicyDag(dag) } : {}),
    },
    context,
  }
}

/** The policy view of a catalog DAG. */
export function toPolicyDag(dag: CatalogDagsTable): { dagId: string; tags: string[]; owners: string[]; paused: boolean } {
  return { dagId: dag.dag_id, tags: JSON.parse(dag.tags), owners: JSON.parse(dag.owners), paused: dag.paused === 1 }
}

import type { Kysely } from 'kysely'
import type { EnvironmentConfig } from '../../config/index.ts'
import { IMPACT_ACTIONS, type PolicyDagRow } from '../../governance/index.ts'
import { createPolicyEngine, type Action, type LineageSource } from '../../policy/index.ts'
import { computeAccess, type AccessMatrix } from '../access/index.ts'
import { directoryAsOf } from './directory-history.ts'
import type { ComplianceHistoryTables } from './history.tables.ts'
import { policyVersionAt } from './policy-versions.ts'

/** The actions access-as-of asks about: the impact actions and the privileged ones (approving, managing environments). */
export const ACCESS_AS_OF_ACTIONS: readonly Action[] = [...new Set<Action>([...IMPACT_ACTIONS, 'request:approve', 'environment:create', 'environment:manage'])]

/** Access as of a moment, and what it was computed from. */
export interface AccessAsOf extends AccessMatrix {
  asOf: string
  policy: { hash: string; version: number; loadedAt: string }
  /** Principals recorded active at `asOf`. */
  principals: number
  /** Always `current`: the DAG catalog is today's, not the one at `asOf`. */
  catalog: 'current'
}

/**
 * Access as of `at`: computeAccess over the policy set in force then (the last version loaded at or before it) and
 * each principal's last recorded directory state (active ones), against the current environments and catalog.
 * Callers check `at` against the history's start first (see assertHistoryCovers).
 */
export function createAccessAsOf(deps: {
  db: Kysely<ComplianceHistoryTables>
  environments: () => readonly EnvironmentConfig[]
  dags: (environment: string) => Promise<PolicyDagRow[]>
  /** What DAGs are known to write now (`context.lineage`; like the catalog, the current one). */
  lineage?: LineageSource
}): (at: string) => Promise<AccessAsOf> {
  return async (at) => {
    const version = await policyVersionAt(deps.db, at)
    const principals = (await directoryAsOf(deps.db, at)).filter((p) => p.active).map((p) => ({ type: p.type, id: p.id, displayName: p.displayName, groups: p.groups }))
    const policy = { hash: version?.hash ?? '', version: version?.version ?? 0, loadedAt: version?.loadedAt ?? '' }
    if (version === undefined) return { asOf: at, policy, principals: principals.length, catalog: 'current', classes: [], counts: { principals: principals.length, dags: 0, environments: 0, evaluations: 0 } }
    const engine = await createPolicyEngine({
      ...(deps.lineage ? { lineage: deps.lineage } : {}),
      folder: `policy version ${version.hash.slice(0, 12)}`, sources: Object.entries(version.files).map(([file, text]) => ({ file, text })),
    })
    try {
      const matrix = await computeAccess({ policy: engine, principals, environments: deps.environments(), dags: deps.dags, actions: ACCESS_AS_OF_ACTIONS })
      return { ...matrix, asOf: at, policy, principals: principals.length, catalog: 'current' }
    } finally {
      engine.close()
    }
  }
}

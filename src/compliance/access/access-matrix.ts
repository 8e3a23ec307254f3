import type { EnvironmentConfig } from '../../config/index.ts'
import { accessClasses, accessQuestions, IMPACT_ACTIONS, type AccessPrincipal, type PolicyDagRow } from '../../governance/index.ts'
import type { Action, PolicyEngine } from '../../policy/index.ts'

/** One principal class × action × target that the policy allows. */
export interface AccessEntry {
  action: Action
  /** Null for a Conductor-level action (`audit:read`, `policy:write`, …). */
  environment: string | null
  /** Null for an environment-level (or Conductor-level) action; else the DAGs of `environment` allowed. */
  dagIds: string[] | null
  /** The permitting policies. */
  policyIds: string[]
}

/** Principals that policy sees alike (the same groups, when no policy reads a principal's identity), with what they may do. */
export interface AccessClass {
  principals: AccessPrincipal[]
  groups: string[]
  entries: AccessEntry[]
}

/** Who can do what, and why. */
export interface AccessMatrix {
  classes: AccessClass[]
  counts: { principals: number; dags: number; environments: number; evaluations: number }
}

/** What {@link computeAccess} looks at. */
export interface AccessInput {
  policy: Pick<PolicyEngine, 'authorize' | 'policies' | 'lineage'>
  principals: AccessPrincipal[]
  environments: readonly EnvironmentConfig[]
  /** The DAGs of an environment, e.g. `listCatalogDagAttributes(db, env)`. */
  dags: (environment: string) => Promise<PolicyDagRow[]>
  /** The actions to ask about; IMPACT_ACTIONS by default. */
  actions?: readonly Action[]
}

/**
 * Who can do what under `policy`: each class of principals that policy cannot tell apart, with one entry per action and
 * environment it is allowed (DAG actions list the DAGs allowed; entries with no DAG allowed are left out). Classes
 * allowed nothing are kept, with no entries.
 */
export async function computeAccess(input: AccessInput): Promise<AccessMatrix> {
  const classes = await accessClasses({
    texts: input.policy.policies().map((p) => p.text),
    principals: input.principals,
    environments: input.environments,
    dags: input.dags,
    lineage: { of: (environment, dagId) => input.policy.lineage(environment, dagId) },
  })
  let evaluations = 0
  const out: AccessClass[] = []
  for (const cls of classes.principals) {
    const entries = new Map<string, AccessEntry>()
    for (const question of accessQuestions(cls, input.actions ?? IMPACT_ACTIONS, classes.targets)) {
      evaluations++
      const decision = input.policy.authorize(question.request)
      if (decision.decision !== 'allow') continue
      const environment = question.targets[0]?.environment ?? null
      const key = `${question.action}\0${environment ?? ''}`
      let entry = entries.get(key)
      if (!entry) entries.set(key, entry = { action: question.action, environment, dagIds: null, policyIds: [] })
      for (const id of decision.policyIds) if (!entry.policyIds.includes(id)) entry.policyIds.push(id)
      for (const t of question.targets) if (t.dagId !== null) (entry.dagIds ??= []).push(t.dagId)
    }
    for (const entry of entries.values()) { entry.policyIds.sort(); entry.dagIds?.sort() }
    out.push({ principals: cls.members.map(({ type, id, displayName, groups }) => ({ type, id, displayName, groups })), groups: cls.groups, entries: [...entries.values()] })
  }
  return {
    classes: out,
    counts: { principals: input.principals.length, dags: classes.dags, environments: input.environments.length, evaluations },
  }
}

import type { Kysely } from 'kysely'
import type { AuditLog } from '../audit/index.ts'
import type { EnvironmentConfig } from '../config/index.ts'
import { ConductorError, type Clock } from '../core/index.ts'
import type { Principal } from '../identity/index.ts'
import {
  compilePolicies, createPolicyEngine, principalRef, readConductorSchema,
  type Action, type CompiledPolicy, type Decision, type LineageSource, type PolicyEngine, type PolicyInfo, type PolicySource,
} from '../policy/index.ts'
import { accessClasses, accessQuestions, principalsSeen, type DirectoryLookup, type PrincipalClass } from './access-classes.ts'
import { listCatalogDagAttributes } from './catalog.repository.ts'
import type { GovernanceTables } from './governance.tables.ts'

/**
 * The actions an impact covers: those decided on a DAG, an environment or Conductor without request facts. Actions
 * whose policies read a pending request, a grant, a schedule, a link or a service account (`context.*`) are left out.
 */
export const IMPACT_ACTIONS: readonly Action[] = [
  'dag:read', 'dag:trigger', 'dag:rerun', 'dag:pause', 'dag:delete', 'run:read', 'run:logs', 'hitl:respond', 'xcom:write',
  'environment:read', 'connection:read', 'connection:write', 'variable:read', 'variable:write', 'pool:read', 'pool:write',
  'asset:read', 'asset:write', 'config:read', 'view:read', 'airflow:authorize',
  'audit:read', 'policy:write',
]

/** The most principals an impact looks at (those seen most recently first). */
export const MAX_IMPACT_PRINCIPALS = 5_000

/** The most changed targets an answer lists; the counts stay exact. */
export const MAX_IMPACT_TARGETS = 20_000

/** A proposed policy set: files that replace the loaded set (`replace`), or are laid over it (`overlay`, the default). */
export interface ProposedPolicies {
  /** File name (`name.cedar`, no folder) → Cedar text. In `overlay`, an empty text removes the file. */
  files: Record<string, string>
  mode?: 'overlay' | 'replace'
}

/** A DAG (`dagId`), an environment (`dagId` null), or Conductor itself (both null) whose decision changes. */
export interface ImpactTarget {
  environment: string | null
  dagId: string | null
  /** The policies that decided before and after (empty for the default deny). */
  before: string[]
  after: string[]
}

/** What one principal gains and loses for one action. */
export interface ImpactAction {
  action: Action
  gains: ImpactTarget[]
  losses: ImpactTarget[]
}

/** One principal whose access changes. */
export interface ImpactPrincipal {
  type: string
  id: string
  groups: string[]
  actions: ImpactAction[]
}

/** Who gains and who loses what when a proposed policy set replaces the loaded one. */
export interface PolicyImpact {
  policyVersion: number
  /** The files of the proposed set, sorted. */
  files: string[]
  principals: ImpactPrincipal[]
  counts: { principals: number; dags: number; environments: number; evaluations: number; gains: number; losses: number }
  /** True when more than {@link MAX_IMPACT_TARGETS} targets changed: `principals` lists the first ones. */
  truncated: boolean
}

/** Computes policy impacts over the catalog and the principals seen. */
export interface PolicyImpacts {
  /**
   * The changes `proposed` would make. Needs `policy:write` or `audit:read` on Conductor (`policy_denied` otherwise);
   * a file that does not parse or validate is `policy_invalid` with `{ file, line, column, message }`; a bad file
   * name `invalid_input`. Audited (`policy.impact_computed`, counts and file names, no policy text).
   */
  compute(asker: Principal, proposed: ProposedPolicies): Promise<PolicyImpact>
}

/** What {@link createPolicyImpacts} needs. */
export interface PolicyImpactsDeps {
  db: Kysely<GovernanceTables>
  policy: Pick<PolicyEngine, 'authorize' | 'current' | 'policies'>
  /** What DAGs are known to write (`context.lineage`), for the proposed set as for the loaded one. */
  lineage?: LineageSource | undefined
  environments: ReadonlyMap<string, EnvironmentConfig>
  audit: Pick<AuditLog, 'append'>
  clock: Clock
  /**
   * The directory's word on a principal seen (SCIM): its groups now, or `session_revoked` for one deprovisioned or
   * deactivated (left out: it has no access before or after). Without it, the groups as last seen are used.
   */
  directory?: DirectoryLookup | undefined
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.cedar$/

/** The sources of the loaded set, rebuilt file by file from its policies (each policy's text, in file order). */
export function loadedSources(policies: readonly PolicyInfo[]): PolicySource[] {
  const byFile = new Map<string, string[]>()
  for (const p of policies) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p.text])
  return [...byFile].map(([file, texts]) => ({ file, text: `${texts.join('\n\n')}\n` }))
}

/** The proposed set's sources: `files` laid over `loaded` (an empty text removes a file), or `files` alone. */
export function proposedSources(loaded: readonly PolicySource[], proposed: ProposedPolicies): PolicySource[] {
  for (const file of Object.keys(proposed.files)) {
    if (!FILE_NAME.test(file)) throw new ConductorError('invalid_input', `"${file}" is not a policy file name (NAME.cedar, no folder)`, { details: { field: `files.${file}` } })
  }
  const files = new Map<string, string>(proposed.mode === 'replace' ? [] : loaded.map((s) => [s.file, s.text]))
  for (const [file, text] of Object.entries(proposed.files)) {
    if (text.trim() === '' && proposed.mode !== 'replace') files.delete(file)
    else files.set(file, text)
  }
  return [...files].map(([file, text]) => ({ file, text })).sort((a, b) => (a.file < b.file ? -1 : 1))
}

/** True when the policy's action scope can name one of `actions`. */
function appliesTo(policy: CompiledPolicy, actions: ReadonlySet<string>): boolean {
  const scope = policy.json.action as { op: string; entity?: { id: string }; entities?: { id: string }[] }
  if (scope.op === 'All') return true
  const ids = scope.entity ? [scope.entity.id] : (scope.entities ?? []).map((e) => e.id)
  return ids.some((id) => actions.has(id))
}

/** Creates the impact computation over the store (principals seen, the catalog), the environments and the loaded policies. */
export function createPolicyImpacts(deps: PolicyImpactsDeps): PolicyImpacts {
  const allowed = (asker: Principal, action: Action) => deps.policy.authorize({ principal: principalRef(asker), action }).decision === 'allow'

  return {
    async compute(asker, proposed) {
      if (!allowed(asker, 'policy:write') && !allowed(asker, 'audit:read')) {
        throw new ConductorError('policy_denied', 'checking a policy change needs policy:write or audit:read', { details: { action: 'policy:write' } })
      }
      const schema = await readConductorSchema()
      const loaded = loadedSources(deps.policy.policies())
      const sources = proposedSources(loaded, proposed)
      const before = compilePolicies(loaded, schema)
      const after = compilePolicies(sources, schema)
      const engine = await createPolicyEngine({ folder: '(proposed)', sources, clock: deps.clock, ...(deps.lineage ? { lineage: deps.lineage } : {}) })
      try {
        const impact = await computeImpact(deps, engine, [...before.policies, ...after.policies])
        const result: PolicyImpact = { policyVersion: deps.policy.current().version, files: sources.map((s) => s.file), ...impact }
        await deps.audit.append({
          type: 'policy.impact_computed', principal: asker.id, principalType: asker.type,
          data: { mode: proposed.mode ?? 'overlay', files: Object.keys(proposed.files).sort(), policyVersion: result.policyVersion, counts: result.counts },
        })
        return result
      } finally {
        engine.close()
      }
    },
  }
}

async function computeImpact(deps: PolicyImpactsDeps, after: Pick<PolicyEngine, 'authorize'>, policies: CompiledPolicy[]): Promise<Omit<PolicyImpact, 'policyVersion' | 'files'>> {
  const actions = new Set<string>(IMPACT_ACTIONS)
  // What the policies that can decide these actions look at, over both sets: principals and DAGs that policy cannot
  // tell apart are asked about once.
  const classes = await accessClasses({
    texts: policies.filter((p) => appliesTo(p, actions)).map((p) => p.text),
    principals: await principalsSeen(deps.db, deps.directory, MAX_IMPACT_PRINCIPALS),
    environments: deps.environments.values(),
    dags: (environment) => listCatalogDagAttributes(deps.db, environment),
    ...(deps.lineage ? { lineage: deps.lineage } : {}),
  })

  const byPrincipal = new Map<string, ImpactPrincipal>()
  const counts = { principals: classes.principals.reduce((n, c) => n + c.members.length, 0), dags: classes.dags, environments: deps.environments.size, evaluations: 0, gains: 0, losses: 0 }
  let listed = 0
  let truncated = false
  const note = (cls: PrincipalClass, action: Action, kind: 'gains' | 'losses', targets: { environment: string | null; dagId: string | null }[], b: Decision, a: Decision) => {
    for (const member of cls.members) {
      counts[kind] += targets.length
      let p = byPrincipal.get(`${member.type}\0${member.id}`)
      if (!p) byPrincipal.set(`${member.type}\0${member.id}`, p = { type: member.type, id: member.id, groups: member.groups, actions: [] })
      let entry = p.actions.find((x) => x.action === action)
      if (!entry) p.actions.push(entry = { action, gains: [], losses: [] })
      for (const t of targets) {
        if (listed >= MAX_IMPACT_TARGETS) { truncated = true; break }
        listed++
        entry[kind].push({ ...t, before: b.policyIds, after: a.policyIds })
      }
    }
  }

  for (const cls of classes.principals) {
    for (const { action, request, targets } of accessQuestions(cls, IMPACT_ACTIONS, classes.targets)) {
      counts.evaluations += 2
      const b = deps.policy.authorize(request)
      const a = after.authorize(request)
      if (b.decision !== a.decision) note(cls, action, a.decision === 'allow' ? 'gains' : 'losses', targets, b, a)
    }
  }

  const principals = [...byPrincipal.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : x.type < y.type ? -1 : 1))
  for (const p of principals) p.actions.sort((x, y) => IMPACT_ACTIONS.indexOf(x.action) - IMPACT_ACTIONS.indexOf(y.action))
  return { principals, counts, truncated }
}

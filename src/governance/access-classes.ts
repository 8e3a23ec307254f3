import type { Kysely } from 'kysely'
import type { EnvironmentConfig } from '../config/index.ts'
import { isConductorError } from '../core/index.ts'
import type { Principal } from '../identity/index.ts'
import { ACTION_TARGETS, decisionInputsOf, principalRef, type Action, type AuthorizationRequest, type LineageSource, type PrincipalRef } from '../policy/index.ts'
import type { GovernanceTables } from './governance.tables.ts'
import { listPrincipals } from './principals.repository.ts'
import { policyAttributesKey, toPolicyDag, type PolicyDagRow } from './targets.ts'

/** A principal as access questions see it: who, and its groups now. */
export interface AccessPrincipal {
  type: string
  id: string
  displayName: string | null
  groups: string[]
  /** Policies may read it (`principal.email`); absent when unknown. */
  email?: string | null
}

/** Principals that policy cannot tell apart: asked about once, through `ref`. */
export interface PrincipalClass {
  ref: PrincipalRef
  groups: string[]
  members: AccessPrincipal[]
}

/** DAGs of one environment that policy cannot tell apart (`dag` one of them), or the environment itself (`dag` null). */
export interface TargetClass {
  environment: EnvironmentConfig
  dag: PolicyDagRow | null
  /** The DAG ids deciding alike (one per DAG, or `[null]` for the environment itself). */
  ids: (string | null)[]
}

/** The classes of principals and targets that an access computation asks policy about. */
export interface AccessClasses {
  principals: PrincipalClass[]
  targets: TargetClass[]
  /** How many DAGs the targets hold. */
  dags: number
}

/** One policy question for a class: the request, and the targets (`environment`, `dagId`) it decides for. */
export interface AccessQuestion {
  action: Action
  request: AuthorizationRequest
  targets: { environment: string | null; dagId: string | null }[]
}

/** What directory lookups {@link principalsSeen} makes: the principal's groups now, or `session_revoked` for one deprovisioned. */
export type DirectoryLookup = (principal: Principal) => Promise<Principal>

const DAG_ID_LITERAL = /(?:\bdagId\s*(?:==|!=)\s*"((?:[^"\\]|\\.)*)")|(?:"((?:[^"\\]|\\.)*)"\s*(?:==|!=)\s*(?:resource\.)?dagId\b)|(?:\bDag\s*::\s*"((?:[^"\\]|\\.)*)")/g
const DAG_ID_ANY = /\bdagId\b|\bDag\s*::/g

/**
 * The DAG ids (and `env/id` entity ids) the policies compare with a literal (`resource.dagId == "x"`, `Dag::"env/x"`);
 * `'*'` when some policy reads DAG ids any other way, so every DAG must be asked about on its own.
 */
export function dagIdsNamed(texts: readonly string[]): Set<string> {
  const named = new Set<string>()
  for (const text of texts) {
    const literal = [...text.matchAll(DAG_ID_LITERAL)]
    for (const m of literal) named.add(m[1] ?? m[2] ?? m[3] ?? '')
    const mentions = [...text.matchAll(DAG_ID_ANY)].length
    // Each literal comparison holds one mention; any mention beyond them reads the id some other way.
    if (mentions > literal.length) named.add('*')
  }
  return named
}

/**
 * The principals seen (most recent first, up to `limit`), with the directory's groups now when `directory` is given
 * (users it reports deprovisioned are left out); without it, the groups as last seen.
 */
export async function principalsSeen(db: Kysely<GovernanceTables>, directory?: DirectoryLookup, limit = 1_000_000): Promise<AccessPrincipal[]> {
  const seen: AccessPrincipal[] = []
  for (const row of await listPrincipals(db, limit)) {
    const type = row.type as PrincipalRef['type']
    let groups = JSON.parse(row.groups) as string[]
    if (directory && type === 'User') {
      try {
        groups = (await directory({
          type, id: row.id, subject: row.subject, issuer: row.issuer, username: row.id, displayName: row.display_name, email: row.email, groups, idpGroups: JSON.parse(row.idp_groups) as string[],
        })).groups
      } catch (error) {
        if (isConductorError(error, 'session_revoked')) continue
        throw error
      }
    }
    seen.push({ type, id: row.id, displayName: row.display_name, groups: groups.slice().sort(), email: row.email })
  }
  return seen
}

/**
 * Groups principals and targets as the policy texts see them: principals by their groups when no policy reads a
 * principal's identity (else each alone); DAGs by their policy attributes, except those a policy names by id (each
 * alone); each environment itself as one more target.
 */
export async function accessClasses(input: {
  texts: readonly string[]
  principals: readonly AccessPrincipal[]
  environments: Iterable<EnvironmentConfig>
  dags: (environment: string) => Promise<PolicyDagRow[]>
  /** What DAGs are known to write: DAGs alike in attributes but not in `context.lineage` are asked about apart. */
  lineage?: LineageSource
}): Promise<AccessClasses> {
  const inputs = decisionInputsOf(0, input.texts)
  const namedDags = inputs.dagIdentity ? dagIdsNamed(input.texts) : new Set<string>()

  const principals = new Map<string, PrincipalClass>()
  for (const p of input.principals) {
    const groups = p.groups.slice().sort()
    const key = inputs.principalIdentity ? `${p.type}\0${p.id}` : `${p.type}\0${groups.join('\0')}`
    const known = principals.get(key)
    if (known) { known.members.push(p); continue }
    const ref = principalRef({ type: p.type as PrincipalRef['type'], id: p.id, groups, username: p.id, email: p.email ?? null })
    principals.set(key, { ref, groups, members: [p] })
  }

  const targets: TargetClass[] = []
  let dags = 0
  for (const environment of input.environments) {
    targets.push({ environment, dag: null, ids: [null] })
    const byKey = new Map<string, TargetClass>()
    for (const dag of await input.dags(environment.name)) {
      dags++
      // A DAG a policy names by id decides on its own; the others, by their attributes (or each alone when a policy
      // reads DAG ids some other way, e.g. with `like`).
      const alone = namedDags.has('*') || namedDags.has(dag.dag_id) || namedDags.has(`${environment.name}/${dag.dag_id}`)
      const key = alone ? `\0id\0${dag.dag_id}` : policyAttributesKey(dag, input.lineage?.of(environment.name, dag.dag_id).key)
      const known = byKey.get(key)
      if (known) known.ids.push(dag.dag_id)
      else byKey.set(key, { environment, dag, ids: [dag.dag_id] })
    }
    targets.push(...byKey.values())
  }
  return { principals: [...principals.values()], targets, dags }
}

/** The policy question about `target` for a DAG, environment or Conductor-level action. */
export function accessRequest(principal: PrincipalRef, action: Action, target: TargetClass | null, context?: AuthorizationRequest['context']): AuthorizationRequest {
  if (!target) return { principal, action, ...(context ? { context } : {}) }
  const env = target.environment
  return {
    principal, action,
    resource: {
      environment: { name: env.name, zone: env.zone, tier: env.tier, team: env.team ?? null, fullyGoverned: env.fullyGoverned === true },
      ...(target.dag ? { dag: toPolicyDag(target.dag) } : {}),
    },
    ...(context ? { context } : {}),
  }
}

/**
 * The questions to ask for one principal class: each action once for Conductor-level actions, else once per target
 * class of the action's kind (DAG classes for DAG actions, environments for environment actions).
 */
export function* accessQuestions(cls: PrincipalClass, actions: readonly Action[], targets: readonly TargetClass[]): Generator<AccessQuestion> {
  for (const action of actions) {
    const kind = ACTION_TARGETS[action]
    if (kind === 'group') continue
    if (kind === 'application') {
      yield { action, request: accessRequest(cls.ref, action, null), targets: [{ environment: null, dagId: null }] }
      continue
    }
    for (const target of targets) {
      if ((kind === 'dag') !== (target.dag !== null)) continue
      yield { action, request: accessRequest(cls.ref, action, target), targets: target.ids.map((dagId) => ({ environment: target.environment.name, dagId })) }
    }
  }
}

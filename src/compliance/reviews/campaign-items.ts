import type { EnvironmentConfig } from '../../config/index.ts'
import { accessClasses, accessRequest, IMPACT_ACTIONS, type AccessPrincipal, type PolicyDagRow } from '../../governance/index.ts'
import { ACTION_TARGETS, type Action, type PolicyEngine, type PrincipalRef } from '../../policy/index.ts'
import { computeAccess } from '../access/index.ts'

/** What a campaign covers: environments by name and zone, DAGs by tag; empty (or absent) axes cover everything. */
export interface CampaignScope {
  environments?: string[]
  zones?: string[]
  tags?: string[]
}

/** An active just-in-time grant that gives an access. */
export interface WhyGrant {
  id: string
  group: string
  expiresAt: string
}

/** Why a principal has an access: the permitting policies, the principal's groups they name, the grants behind them. */
export interface ItemWhy {
  policies: string[]
  groups: string[]
  grants: WhyGrant[]
}

/** A principal reference in a review: who. */
export interface PrincipalKey {
  type: string
  id: string
}

/** One item as computed at a campaign's start. */
export interface FrozenItem {
  principal: AccessPrincipal
  action: Action
  environment: string | null
  dagIds: string[] | null
  why: ItemWhy
  reviewers: PrincipalKey[]
}

/** True when the scope covers everything (then Conductor-level access is reviewed too). */
export function isWholeScope(scope: CampaignScope): boolean {
  return !scope.environments?.length && !scope.zones?.length && !scope.tags?.length
}

/** The environments a scope covers. */
export function scopedEnvironments(scope: CampaignScope, environments: Iterable<EnvironmentConfig>): EnvironmentConfig[] {
  return [...environments].filter((e) => (!scope.environments?.length || scope.environments.includes(e.name)) && (!scope.zones?.length || scope.zones.includes(e.zone)))
}

const GROUP_LITERAL = /\bGroup\s*::\s*"((?:[^"\\]|\\.)*)"/g

/** The groups each policy names (`Group::"x"`), by policy id. */
export function groupsByPolicy(policy: Pick<PolicyEngine, 'policies'>): Map<string, Set<string>> {
  return new Map(policy.policies().map((p) => [p.id, new Set([...p.text.matchAll(GROUP_LITERAL)].map((m) => m[1]!))]))
}

/** A question about reviewing: may `reviewer` review `subject`'s access to `dags` of `environment` (null: Conductor-level)? */
export type ReviewCheck = (
  policy: Pick<PolicyEngine, 'authorize'>,
  reviewer: PrincipalRef,
  subject: { type: string; id: string; groups: string[] },
  environment: EnvironmentConfig | null,
  dags: PolicyDagRow[] | null,
) => boolean

/** Whether policy alone permits the review (see {@link mayReview}, which adds the self rule). */
const policyAllowsReview: ReviewCheck = (policy, reviewer, subject, environment, dags) => {
  if (!environment) return policy.authorize({ principal: reviewer, action: 'review:manage' }).decision === 'allow'
  const context = { subject: { type: subject.type, id: subject.id, groups: subject.groups } }
  const targets = dags === null || dags.length === 0 ? [null] : dags
  return targets.every((dag) => policy.authorize(accessRequest(reviewer, 'access:review', { environment, dag, ids: [] }, context)).decision === 'allow')
}

/**
 * Whether `reviewer` may review `subject`'s access: never their own; else policy permits `access:review` on every DAG
 * of the item (on the environment for environment-level access; `review:manage` for Conductor-level access), with the
 * reviewed principal as `context.subject`.
 */
export const mayReview: ReviewCheck = (policy, reviewer, subject, environment, dags) =>
  !(reviewer.type === subject.type && reviewer.id === subject.id) && policyAllowsReview(policy, reviewer, subject, environment, dags)

/** What {@link campaignItems} looks at. */
export interface CampaignItemsInput {
  policy: Pick<PolicyEngine, 'authorize' | 'policies' | 'lineage'>
  scope: CampaignScope
  environments: Iterable<EnvironmentConfig>
  dags: (environment: string) => Promise<PolicyDagRow[]>
  /** The principals seen, with the directory's groups now. */
  principals: AccessPrincipal[]
  /** A principal's active grants. */
  grants: (principal: PrincipalKey) => Promise<WhyGrant[]>
}

/**
 * The items of a campaign over `scope`: one per principal, action and environment the policy allows (with the DAGs
 * allowed), why, and who may review it. A scope by tags reviews DAG access only; Conductor-level access only when the
 * scope is everything.
 */
export async function campaignItems(input: CampaignItemsInput): Promise<FrozenItem[]> {
  const environments = scopedEnvironments(input.scope, input.environments)
  const byEnv = new Map(environments.map((e) => [e.name, e]))
  const tags = input.scope.tags ?? []
  const rows = new Map<string, Map<string, PolicyDagRow>>()
  for (const env of environments) {
    const dags = (await input.dags(env.name)).filter((d) => tags.length === 0 || (JSON.parse(d.tags) as string[]).some((t) => tags.includes(t)))
    rows.set(env.name, new Map(dags.map((d) => [d.dag_id, d])))
  }
  const whole = isWholeScope(input.scope)
  const actions = IMPACT_ACTIONS.filter((a) => (whole || ACTION_TARGETS[a] !== 'application') && (tags.length === 0 || ACTION_TARGETS[a] === 'dag'))
  // A grant's group counts as the principal's while it lasts: the access it gives is reviewed, with the grant as why.
  const grants = new Map<string, WhyGrant[]>()
  const principals: AccessPrincipal[] = []
  for (const p of input.principals) {
    const own = await input.grants(p)
    grants.set(`${p.type}\0${p.id}`, own)
    principals.push({ ...p, groups: [...new Set([...p.groups, ...own.map((g) => g.group)])].sort() })
  }
  const matrix = await computeAccess({ policy: input.policy, principals, environments, dags: async (env) => [...(rows.get(env)?.values() ?? [])], actions })
  const named = groupsByPolicy(input.policy)
  const texts = input.policy.policies().map((p) => p.text)
  // Reviewers that policy cannot tell apart are asked about once; and when no policy reads `context.subject`, an
  // item's reviewers depend on its target alone (then the reviewed principal is only left out of them).
  const reviewerClasses = (await accessClasses({ texts, principals, environments: [], dags: async () => [] })).principals
  const subjectRead = texts.some((t) => /\bsubject\b/.test(t))
  const reviewersOf = new Map<string, number[]>()

  const items: FrozenItem[] = []
  for (const cls of matrix.classes) {
    for (const entry of cls.entries) {
      const environment = entry.environment === null ? null : byEnv.get(entry.environment)!
      const dagRows = entry.dagIds === null ? null : entry.dagIds.map((id) => rows.get(entry.environment!)!.get(id)!)
      const policyGroups = new Set(entry.policyIds.flatMap((id) => [...(named.get(id) ?? [])]))
      const target = JSON.stringify([entry.environment, entry.dagIds])
      for (const member of cls.principals) {
        const subject = { type: member.type, id: member.id, groups: member.groups }
        const key = subjectRead ? `${target}\0${member.type}\0${member.id}\0${member.groups.join('\0')}` : target
        let allowed = reviewersOf.get(key)
        if (!allowed) {
          // The self rule is applied to the members below: a class's first member may be the subject.
          reviewersOf.set(key, allowed = reviewerClasses.flatMap((rc, n) => (policyAllowsReview(input.policy, rc.ref, subject, environment, dagRows) ? [n] : [])))
        }
        items.push({
          principal: member, action: entry.action, environment: entry.environment, dagIds: entry.dagIds,
          why: {
            policies: entry.policyIds,
            groups: member.groups.filter((g) => policyGroups.has(g)),
            grants: (grants.get(`${member.type}\0${member.id}`) ?? []).filter((g) => policyGroups.has(g.group)),
          },
          reviewers: allowed.flatMap((n) => reviewerClasses[n]!.members)
            .filter((r) => r.type !== member.type || r.id !== member.id).map((r) => ({ type: r.type, id: r.id })),
        })
      }
    }
  }
  return items
}

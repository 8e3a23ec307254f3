import { ConductorError } from '../core/index.ts'
import type { CompiledPolicy } from './policy-source.ts'
import type { ApprovalEscalation, ApprovalGroup, ApprovalRequirement } from './types.ts'

/** What one permit's `@approval` / `@reason` / `@escalate` annotations ask for, before merging with the other determining permits. */
export interface PolicyApproval {
  groups: ApprovalGroup[]
  reasonRequired: boolean
  escalations: ApprovalEscalation[]
}

const ENTRY = /^([A-Za-z0-9_.@:-]+?):([1-9][0-9]{0,2})$/
const ESCALATION = /^([A-Za-z0-9_.@:-]+?):([1-9][0-9]{0,2})\s+after\s+([1-9][0-9]{0,3})(m|h|d)$/
const MINUTES = { m: 1, h: 60, d: 1440 } as const

/**
 * Reads `@approval("group:count[,group:count…]")` (any one of the groups suffices), `@reason("required")` and
 * `@escalate("group:count after N(m|h|d)[,…]")` (after that long from the request's creation, `count` members of
 * `group` may approve too) from a policy's annotations. Returns null when the policy carries no `@approval`. Throws
 * `policy_invalid` (with the policy's file and line) for a malformed annotation, any of them on a forbid, `@reason` or
 * `@escalate` without `@approval`, or a group no policy names as `Group::"…"` (`knownGroups`).
 */
export function readApproval(policy: CompiledPolicy, knownGroups: ReadonlySet<string>): PolicyApproval | null {
  const annotations = policy.json.annotations ?? {}
  const approval = annotations.approval
  const reason = annotations.reason
  const escalate = annotations.escalate
  const fail = (message: string): never => {
    throw new ConductorError('policy_invalid', `${policy.file}:${policy.line}:1: ${message}`, {
      details: { file: policy.file, line: policy.line, column: 1, message, errors: [{ file: policy.file, line: policy.line, column: 1, message }] },
    })
  }
  if (approval === undefined && reason === undefined && escalate === undefined) return null
  if (policy.effect === 'forbid') fail(`policy "${policy.id}": @approval, @reason and @escalate only apply to permit policies`)
  if (reason !== undefined && reason !== 'required') fail(`policy "${policy.id}": @reason must be "required"`)
  if (approval === undefined || approval === null) {
    return fail(`policy "${policy.id}": ${reason !== undefined ? '@reason("required")' : '@escalate'} needs an @approval annotation`)
  }
  const groups: ApprovalGroup[] = []
  for (const part of approval.split(',').map((s) => s.trim())) {
    const match = ENTRY.exec(part)
    if (match === null) fail(`policy "${policy.id}": @approval("${approval}") must read "group:count", several comma-separated`)
    const [, group, count] = match!
    if (!knownGroups.has(group!)) fail(`policy "${policy.id}": @approval names group "${group}" that no policy names as Group::"${group}"`)
    if (groups.some((g) => g.group === group)) fail(`policy "${policy.id}": @approval names group "${group}" twice`)
    groups.push({ group: group!, count: Number(count) })
  }
  const escalations: ApprovalEscalation[] = []
  for (const part of escalate === undefined ? [] : (escalate ?? '').split(',').map((s) => s.trim())) {
    const match = ESCALATION.exec(part)
    if (match === null) fail(`policy "${policy.id}": @escalate("${escalate}") must read "group:count after N" with N in m, h or d (e.g. "platform-admins:1 after 4h"), several comma-separated`)
    const [, group, count, amount, unit] = match!
    if (!knownGroups.has(group!)) fail(`policy "${policy.id}": @escalate names group "${group}" that no policy names as Group::"${group}"`)
    if (groups.some((g) => g.group === group) || escalations.some((e) => e.group === group)) fail(`policy "${policy.id}": @escalate names group "${group}" that already approves`)
    escalations.push({ group: group!, count: Number(count), afterMinutes: Number(amount) * MINUTES[unit as keyof typeof MINUTES] })
  }
  return { groups, reasonRequired: reason === 'required', escalations }
}

/**
 * The approval requirement of an allow decided by `policyIds`: null when any of them asks for no approval (a plain
 * allow); else every group any of them names (the largest count per group), every escalation (per group the largest
 * count and the longest wait; none for a group that approves from the start) and whether a reason is required.
 */
export function mergeApprovals(policyIds: readonly string[], approvals: ReadonlyMap<string, PolicyApproval>): ApprovalRequirement | null {
  if (policyIds.length === 0) return null
  const groups = new Map<string, number>()
  const escalations = new Map<string, ApprovalEscalation>()
  let reasonRequired = false
  for (const id of policyIds) {
    const approval = approvals.get(id)
    if (approval === undefined) return null
    for (const g of approval.groups) groups.set(g.group, Math.max(groups.get(g.group) ?? 0, g.count))
    for (const e of approval.escalations) {
      const seen = escalations.get(e.group)
      escalations.set(e.group, seen ? { group: e.group, count: Math.max(seen.count, e.count), afterMinutes: Math.max(seen.afterMinutes, e.afterMinutes) } : e)
    }
    reasonRequired ||= approval.reasonRequired
  }
  const byName = <T>(entries: Iterable<[string, T]>) => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v)
  return {
    groups: byName([...groups].map(([group, count]) => [group, { group, count }] as [string, ApprovalGroup])),
    reasonRequired,
    policyIds: [...policyIds],
    escalations: byName([...escalations].filter(([group]) => !groups.has(group))),
  }
}

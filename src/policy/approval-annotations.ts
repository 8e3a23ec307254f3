import { ConductorError } from '../core/index.ts'
import type { CompiledPolicy } from './policy-source.ts'
import type { ApprovalGroup, ApprovalRequirement } from './types.ts'

/** What one permit's `@approval` / `@reason` annotations ask for, before merging with the other determining permits. */
export interface PolicyApproval {
  groups: ApprovalGroup[]
  reasonRequired: boolean
}

const ENTRY = /^([A-Za-z0-9_.@:-]+?):([1-9][0-9]{0,2})$/

/**
 * Reads `@approval("group:count[,group:count…]")` (any one of the groups suffices) and `@reason("required")` from a
 * policy's annotations. Returns null when the policy carries no `@approval`. Throws `policy_invalid` (with the policy's
 * file and line) for a malformed annotation, `@approval` or `@reason` on a forbid, or an approval group no policy
 * names as `Group::"…"` (`knownGroups`).
 */
export function readApproval(policy: CompiledPolicy, knownGroups: ReadonlySet<string>): PolicyApproval | null {
  const annotations = policy.json.annotations ?? {}
  const approval = annotations.approval
  const reason = annotations.reason
  const fail = (message: string): never => {
    throw new ConductorError('policy_invalid', `${policy.file}:${policy.line}:1: ${message}`, {
      details: { file: policy.file, line: policy.line, column: 1, message, errors: [{ file: policy.file, line: policy.line, column: 1, message }] },
    })
  }
  if (approval === undefined && reason === undefined) return null
  if (policy.effect === 'forbid') fail(`policy "${policy.id}": @approval and @reason only apply to permit policies`)
  if (reason !== undefined && reason !== 'required') fail(`policy "${policy.id}": @reason must be "required"`)
  if (approval === undefined || approval === null) return fail(`policy "${policy.id}": @reason("required") needs an @approval annotation`)
  const groups: ApprovalGroup[] = []
  for (const part of approval.split(',').map((s) => s.trim())) {
    const match = ENTRY.exec(part)
    if (match === null) fail(`policy "${policy.id}": @approval("${approval}") must read "group:count", several comma-separated`)
    const [, group, count] = match!
    if (!knownGroups.has(group!)) fail(`policy "${policy.id}": @approval names group "${group}" that no policy names as Group::"${group}"`)
    if (groups.some((g) => g.group === group)) fail(`policy "${policy.id}": @approval names group "${group}" twice`)
    groups.push({ group: group!, count: Number(count) })
  }
  return { groups, reasonRequired: reason === 'required' }
}

/**
 * The approval requirement of an allow decided by `policyIds`: null when any of them asks for no approval (a plain
 * allow); else every group any of them names (the largest count per group) and whether a reason is required.
 */
export function mergeApprovals(policyIds: readonly string[], approvals: ReadonlyMap<string, PolicyApproval>): ApprovalRequirement | null {
  if (policyIds.length === 0) return null
  const groups = new Map<string, number>()
  let reasonRequired = false
  for (const id of policyIds) {
    const approval = approvals.get(id)
    if (approval === undefined) return null
    for (const g of approval.groups) groups.set(g.group, Math.max(groups.get(g.group) ?? 0, g.count))
    reasonRequired ||= approval.reasonRequired
  }
  return {
    groups: [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([group, count]) => ({ group, count })),
    reasonRequired,
    policyIds: [...policyIds],
  }
}

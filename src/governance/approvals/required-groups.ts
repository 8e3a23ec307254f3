import type { ApprovalEscalation, ApprovalGroup, ApprovalRequirement } from '../../policy/index.ts'

/** An escalation of a pending request, with when it applies (ISO time) and whether it does at the time asked. */
export interface EscalationState extends ApprovalEscalation {
  at: string
  active: boolean
}

/** The escalations of `requirement` for a request made at `createdAt`, as of `now` (ms). */
export function escalationsOf(requirement: ApprovalRequirement, createdAt: string, now: number): EscalationState[] {
  const made = Date.parse(createdAt)
  return (requirement.escalations ?? []).map((e) => {
    const at = made + e.afterMinutes * 60_000
    return { ...e, at: new Date(at).toISOString(), active: at <= now }
  })
}

/**
 * The groups whose members may approve a request made at `createdAt` as of `now` (ms): the `@approval` groups, and
 * each `@escalate` group once its wait is over. `count` approvers from any one of them suffice.
 */
export function requiredGroups(requirement: ApprovalRequirement, createdAt: string, now: number): ApprovalGroup[] {
  const escalated = escalationsOf(requirement, createdAt, now).filter((e) => e.active).map(({ group, count }) => ({ group, count }))
  return [...requirement.groups, ...escalated]
}

/** True when the approvers' groups (one list per approver who approved) meet `groups`: `count` of them in any one group. */
export function groupsMet(groups: readonly ApprovalGroup[], approverGroups: readonly (readonly string[])[]): boolean {
  return groups.some((g) => approverGroups.filter((mine) => mine.includes(g.group)).length >= g.count)
}

import type { Decision } from '../../policy/index.ts'

/**
 * The decision for a door where nothing can wait for a second person (Airflow's own UI through the auth manager,
 * Airflow's connections, variables and pools): an allow with approval becomes a deny naming the policy that asks
 * for approval, so no approval requirement is ever bypassed. Other decisions are returned as they are.
 */
export function withoutWaiting(decision: Decision, door: string): Decision {
  if (decision.decision !== 'allow' || decision.approval === null) return decision
  const ids = decision.approval.policyIds.join(', ')
  return { ...decision, decision: 'deny', approval: null, reasons: [`denied: policy ${ids} asks for approval, which ${door} cannot wait for; request it through Conductor`] }
}

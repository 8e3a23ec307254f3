import { ConductorError } from '../../core/index.ts'
import { eventTarget, isoNow, persist, type PipelineContext } from './context.ts'
import { authorizationRequest } from '../targets.ts'
import { checkBudget, oneBudgetAtATime } from './budget.ts'

/**
 * Checks an agent's budget for the action (`budget_exceeded`, nothing recorded), then asks policy, records the request with its decision, audits the decision, and stops a denied call
 * with `policy_denied` naming the request (the decision id).
 */
export async function authorize<T>(ctx: PipelineContext<T>): Promise<void> {
  ctx.stored = false
  // The budget check and the request's record happen together for each agent, so the budget holds under bursts:
  // a budgeted call's request is committed before the next call for the same agent and action is checked.
  await oneBudgetAtATime(ctx, ctx.deps.budgetLocks, async (budgeted) => {
    await checkBudget(ctx)
    await decide(ctx, budgeted)
  }, ctx.deps.budgetLock)
}

/**
 * Asks policy and notes the decision on the request with its `authz.decision` event. A denial (and a budgeted call) is
 * committed at once; an allowed call's record waits for the next step's commit (approval, or the dispatch), so the
 * request, its decision and its dispatch are written in one transaction.
 */
async function decide<T>(ctx: PipelineContext<T>, budgeted: boolean): Promise<void> {
  const { call, deps, request } = ctx
  const decision = deps.policy.authorize(authorizationRequest(call.principal, call.action, call.environment, call.dag, call.context))
  ctx.decision = decision
  request.decision = decision.decision
  request.policy_ids = JSON.stringify(decision.policyIds)
  request.reasons = JSON.stringify(decision.reasons)
  request.policy_version = decision.policyVersion
  request.state = decision.decision === 'allow' ? 'allowed' : 'denied'
  request.updated_at = isoNow(deps.clock)
  ctx.unsaved = [...(ctx.unsaved ?? []), {
    ...eventTarget(ctx),
    type: 'authz.decision',
    decision: decision.decision,
    policyIds: decision.policyIds,
    data: {
      reasons: decision.reasons, errors: decision.errors, policyVersion: decision.policyVersion, groups: call.principal.groups, runId: call.runId,
      ...(call.principal.agent ? { sponsor: call.principal.agent.sponsor } : {}), ...call.channel,
      ...(call.principal.credential ? { credential: call.principal.credential } : {}),
    },
  }]
  if (decision.decision !== 'allow' || budgeted) await persist(ctx)
  if (decision.decision !== 'allow') {
    throw new ConductorError('policy_denied', `${call.principal.type} ${call.principal.id} may not ${call.action} ${targetName(ctx)}: ${decision.reasons.join('; ')}`, {
      details: { requestId: request.id, decisionId: request.id, reasons: decision.reasons, policyIds: decision.policyIds },
    })
  }
}

function targetName<T>(ctx: PipelineContext<T>): string {
  return ctx.call.dag ? `${ctx.call.environment.name}/${ctx.call.dag.dag_id}` : ctx.call.environment.name
}

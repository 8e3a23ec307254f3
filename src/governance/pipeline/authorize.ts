import { ConductorError } from '../../core/index.ts'
import { insertRequest } from '../requests.repository.ts'
import { eventTarget, isoNow, type PipelineContext } from './context.ts'
import { authorizationRequest } from '../targets.ts'
import { checkBudget, oneBudgetAtATime } from './budget.ts'

/**
 * Checks an agent's budget for the action (`budget_exceeded`, nothing recorded), then asks policy, records the request with its decision, audits the decision, and stops a denied call
 * with `policy_denied` naming the request (the decision id).
 */
export async function authorize<T>(ctx: PipelineContext<T>): Promise<void> {
  // The budget check and the request's record happen together for each agent, so the budget holds under bursts.
  await oneBudgetAtATime(ctx, ctx.deps.budgetLocks, async () => {
    await checkBudget(ctx)
    await decideAndRecord(ctx)
  }, ctx.deps.budgetLock)
}

async function decideAndRecord<T>(ctx: PipelineContext<T>): Promise<void> {
  const { call, deps, request } = ctx
  const decision = deps.policy.authorize(authorizationRequest(call.principal, call.action, call.environment, call.dag, call.context))
  ctx.decision = decision
  request.decision = decision.decision
  request.policy_ids = JSON.stringify(decision.policyIds)
  request.reasons = JSON.stringify(decision.reasons)
  request.policy_version = decision.policyVersion
  request.state = decision.decision === 'allow' ? 'allowed' : 'denied'
  request.updated_at = isoNow(deps.clock)
  await insertRequest(deps.db, request)
  await deps.audit.append({
    ...eventTarget(ctx),
    type: 'authz.decision',
    decision: decision.decision,
    policyIds: decision.policyIds,
    data: {
      reasons: decision.reasons, errors: decision.errors, policyVersion: decision.policyVersion, groups: call.principal.groups, runId: call.runId,
      ...(call.principal.agent ? { sponsor: call.principal.agent.sponsor } : {}), ...call.channel,
      ...(call.principal.credential ? { credential: call.principal.credential } : {}),
    },
  })
  if (decision.decision !== 'allow') {
    throw new ConductorError('policy_denied', `${call.principal.type} ${call.principal.id} may not ${call.action} ${targetName(ctx)}: ${decision.reasons.join('; ')}`, {
      details: { requestId: request.id, decisionId: request.id, reasons: decision.reasons, policyIds: decision.policyIds },
    })
  }
}

function targetName<T>(ctx: PipelineContext<T>): string {
  return ctx.call.dag ? `${ctx.call.environment.name}/${ctx.call.dag.dag_id}` : ctx.call.environment.name
}

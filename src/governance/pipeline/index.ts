import { approve } from './approve.ts'
import { authorize } from './authorize.ts'
import { eventTarget, persist, type PipelineContext, type PipelineStep } from './context.ts'
import { dispatch } from './dispatch.ts'
import { track } from './track.ts'

/** The governance pipeline, in order. Authentication and principal resolution happen at the edge. */
export const PIPELINE: readonly PipelineStep[] = [authorize, approve, dispatch, track]

/**
 * Runs `ctx` through every step; a step stops the call by throwing, or (approve) by marking it pending, when the
 * result is undefined and `ctx.request.state` is `pending`. The request counts as in flight until the last step is done.
 */
export async function runPipeline<T>(ctx: PipelineContext<T>): Promise<T | undefined> {
  const inFlight = ctx.deps.inFlight
  inFlight?.add(ctx.request.id)
  try {
    for (const step of PIPELINE) {
      await runStep(ctx, step)
      if (ctx.pending) return undefined
    }
    return ctx.result
  } catch (error) {
    // A step failed unexpectedly before the request's first commit: what was decided is still recorded, as it
    // was when every step committed on its own.
    if ((ctx.unsaved?.length ?? 0) > 0) await persist(ctx).catch(() => undefined)
    throw error
  } finally {
    inFlight?.delete(ctx.request.id)
  }
}

/**
 * Runs one step on `ctx`, in a trace span `conductor.<step>` when `ctx.deps.spans` is set: its attributes name the
 * action, environment, DAG, request and principal type (never the principal's token), and once the step is done the
 * decision and the request's state.
 */
export async function runStep<T>(ctx: PipelineContext<T>, step: PipelineStep): Promise<void> {
  const spans = ctx.deps.spans
  if (!spans) return step(ctx)
  const target = eventTarget(ctx)
  const attributes = {
    'conductor.action': target.action, 'conductor.environment': target.environment, 'conductor.dag': target.dag,
    'conductor.request_id': target.requestId, 'conductor.principal_type': target.principalType,
  }
  return spans.inSpan(`conductor.${step.name}`, attributes, async (annotate) => {
    try {
      await step(ctx)
    } finally {
      annotate({ 'conductor.decision': ctx.decision?.decision, 'conductor.request_state': ctx.request.state })
    }
  })
}

export type { DispatchLineage, GovernedCall, PipelineContext, PipelineDeps, TriggerLineage } from './context.ts'
export { isoNow } from './context.ts'
export { budgetsOf, budgetUse } from './budget.ts'
export type { BudgetUse } from './budget.ts'
export { dispatch } from './dispatch.ts'
export { track } from './track.ts'

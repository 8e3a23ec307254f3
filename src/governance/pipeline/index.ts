import { approve } from './approve.ts'
import { authorize } from './authorize.ts'
import type { PipelineContext, PipelineStep } from './context.ts'
import { dispatch } from './dispatch.ts'
import { track } from './track.ts'

/** The governance pipeline, in order. Authentication and principal resolution happen at the edge. */
export const PIPELINE: readonly PipelineStep[] = [authorize, approve, dispatch, track]

/** Runs `ctx` through every step; a step stops the call by throwing. The request counts as in flight until the last step is done. */
export async function runPipeline<T>(ctx: PipelineContext<T>): Promise<T> {
  const inFlight = ctx.deps.inFlight
  inFlight?.add(ctx.request.id)
  try {
    for (const step of PIPELINE) await step(ctx)
    return ctx.result as T
  } finally {
    inFlight?.delete(ctx.request.id)
  }
}

export type { GovernedCall, PipelineContext, PipelineDeps } from './context.ts'
export { isoNow } from './context.ts'

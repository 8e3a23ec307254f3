import { eventTarget, isoNow, persist, type PipelineContext } from './context.ts'

/** Records the outcome on the request (the run ledger) and audits the orchestrator's answer, in one transaction. */
export async function track<T>(ctx: PipelineContext<T>): Promise<void> {
  const { call, deps, request } = ctx
  const runId = call.runIdOf && ctx.result !== undefined ? call.runIdOf(ctx.result) : request.run_id
  request.state = 'succeeded'
  request.run_id = runId
  request.updated_at = isoNow(deps.clock)
  // One commit: the outcome on the request and its audit event.
  await persist(ctx, call.mutates ? [{ ...eventTarget(ctx), type: 'dispatch.result', data: { ok: true, runId } }] : [])
}

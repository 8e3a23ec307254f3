import { updateRequest } from '../requests.repository.ts'
import { eventTarget, isoNow, type PipelineContext } from './context.ts'

/** Records the outcome on the request (the run ledger) and audits the orchestrator's answer. */
export async function track<T>(ctx: PipelineContext<T>): Promise<void> {
  const { call, deps, request } = ctx
  const runId = call.runIdOf && ctx.result !== undefined ? call.runIdOf(ctx.result) : request.run_id
  request.state = 'succeeded'
  request.run_id = runId
  request.updated_at = isoNow(deps.clock)
  await updateRequest(deps.db, request.id, { state: 'succeeded', run_id: runId, updated_at: request.updated_at })
  if (call.mutates) await deps.audit.append({ ...eventTarget(ctx), type: 'dispatch.result', data: { ok: true, runId } })
}

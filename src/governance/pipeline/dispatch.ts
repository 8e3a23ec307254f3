import { ConductorError, isConductorError } from '../../core/index.ts'
import { updateRequest } from '../requests.repository.ts'
import { eventTarget, isoNow, type PipelineContext } from './context.ts'

/**
 * Calls the orchestrator with Conductor's governed credentials. A mutating call is marked
 * `dispatching` and audited before it leaves; any failure marks the request `failed` with the
 * error's code, is audited, and propagates; a failure that is not a `ConductorError` propagates as `dispatch_failed`.
 */
export async function dispatch<T>(ctx: PipelineContext<T>): Promise<void> {
  const { call, deps, request } = ctx
  if (call.createsRunId) request.run_id = call.createsRunId
  if (call.mutates) {
    request.state = 'dispatching'
    request.updated_at = isoNow(deps.clock)
    await updateRequest(deps.db, request.id, { state: request.state, run_id: request.run_id, updated_at: request.updated_at })
    await deps.audit.append({
      ...eventTarget(ctx), type: 'dispatch.sent', data: { runId: request.run_id, orchestrator: call.environment.kind },
    })
  }
  try {
    ctx.result = await call.perform(ctx.orchestrator, request)
  } catch (thrown) {
    // The orchestrator port throws only ConductorErrors; anything else is a failure it did not foresee.
    const error = isConductorError(thrown) ? thrown : new ConductorError('dispatch_failed', `the call to environment "${call.environment.name}" failed unexpectedly`, {
      cause: thrown, details: { environment: call.environment.name },
    })
    const code = error.code
    const message = thrown instanceof Error ? thrown.message : String(thrown)
    request.state = 'failed'
    request.error_code = code
    request.error_message = message
    request.updated_at = isoNow(deps.clock)
    await updateRequest(deps.db, request.id, { state: 'failed', error_code: code, error_message: message, updated_at: request.updated_at })
    await deps.audit.append({ ...eventTarget(ctx), type: 'dispatch.result', data: { ok: false, errorCode: code, message, runId: request.run_id } })
    throw error
  }
}

import { ConductorError, isConductorError } from '../../core/index.ts'
import type { Actor, Orchestrator, TriggerRunInput } from '../../orchestrators/index.ts'
import { eventTarget, isoNow, persist, type GovernedCall, type PipelineContext, type TriggerLineage } from './context.ts'

/**
 * Calls the orchestrator with Conductor's governed credentials: as the principal where the environment can be
 * called as a person (`Orchestrator.as`), else as Conductor's service account. A mutating call is marked
 * `dispatching` and audited before it leaves; an approved one is sent naming its request (`Actor.request`), so an auth
 * manager asking Conductor about it can tell that dispatch from the person acting alone; any failure marks the request `failed` with the
 * error's code, is audited, and propagates; a failure that is not a `ConductorError` propagates as `dispatch_failed`.
 * A mutating call that may have taken effect although it failed ({@link outcomeUnknown}) is marked `unknown` instead,
 * for the dispatch resolver to settle, and propagates with `details.outcome: 'unknown'` and `details.requestId`.
 */
export async function dispatch<T>(ctx: PipelineContext<T>): Promise<void> {
  const { call, deps, request } = ctx
  if (call.createsRunId) request.run_id = call.createsRunId
  const makesRun = call.createsRunId !== undefined || call.action === 'dag:rerun'
  const lineage = call.mutates && makesRun ? deps.lineage?.forRun(call as GovernedCall<unknown>, request) ?? null : null
  if (lineage) {
    const earlier = ctx.also
    ctx.also = async (db) => { await earlier?.(db); await lineage.write(db) }
  }
  if (call.mutates) {
    request.state = 'dispatching'
    request.updated_at = isoNow(deps.clock)
    // One commit: the request (inserted now if it is new), its decision and this dispatch, durable before the call leaves.
    await persist(ctx, [{ ...eventTarget(ctx), type: 'dispatch.sent', data: { runId: request.run_id, orchestrator: call.environment.kind } }])
    lineage?.committed()
  } else if (ctx.stored === false || (ctx.unsaved?.length ?? 0) > 0) {
    // A read: its request and decision are durable before Conductor reads from the orchestrator.
    await persist(ctx)
  }
  try {
    const orchestrator = ctx.orchestrator.as?.(actorOf(ctx)) ?? ctx.orchestrator
    ctx.result = await call.perform(lineage ? withConf(orchestrator, lineage) : orchestrator, request)
  } catch (thrown) {
    // The orchestrator port throws only ConductorErrors; anything else is a failure it did not foresee.
    const error = isConductorError(thrown) ? thrown : new ConductorError('dispatch_failed', `the call to environment "${call.environment.name}" failed unexpectedly`, {
      cause: thrown, details: { environment: call.environment.name },
    })
    const code = error.code
    const message = thrown instanceof Error ? thrown.message : String(thrown)
    const unknown = call.mutates && outcomeUnknown(error)
    request.state = unknown ? 'unknown' : 'failed'
    request.error_code = code
    request.error_message = message
    request.updated_at = isoNow(deps.clock)
    await persist(ctx, [{
      ...eventTarget(ctx), type: 'dispatch.result', data: { ok: false, ...(unknown ? { outcome: 'unknown' } : {}), errorCode: code, message, runId: request.run_id },
    }])
    if (!unknown) throw error
    throw new ConductorError(error.code, `${error.message}; Airflow may have acted on it: request ${request.id} stays "unknown" until Conductor has asked Airflow${request.run_id ? ` for run ${request.run_id}` : ''}`, {
      details: { ...error.details, outcome: 'unknown', requestId: request.id }, cause: error,
    })
  }
}

/**
 * True when a failed call may still have taken effect in the orchestrator: it was written but no answer came back
 * (`details.sent: 'unknown'`), or the orchestrator answered 5xx. A failure without that evidence never reached it.
 */
export function outcomeUnknown(error: ConductorError): boolean {
  if (error.code !== 'orchestrator_unavailable') return false
  const sent = error.details?.sent
  const status = error.details?.status
  return sent === 'unknown' || (sent === true && typeof status === 'number' && status >= 500)
}

/** `orchestrator`, its triggers sent with lineage's conf (the caller's conf, given to `perform`, stays as it is). */
function withConf(orchestrator: Orchestrator, lineage: TriggerLineage): Orchestrator {
  return Object.assign(Object.create(orchestrator) as Orchestrator, {
    triggerRun: (dagId: string, input: TriggerRunInput) => orchestrator.triggerRun(dagId, { ...input, conf: lineage.conf(input.conf) }),
  })
}

/** Who the call is made for: the principal, naming the request when it is an approved (or auto-approved) change. */
function actorOf<T>(ctx: PipelineContext<T>): Actor {
  const { call, request } = ctx
  const actor: Actor = { id: call.principal.id, type: call.principal.type }
  if (call.mutates && request.approval) actor.request = request.id
  return actor
}

import type { EnvironmentConfig } from '../config/index.ts'
import { ConductorError, isConductorError, systemClock, type Clock } from '../core/index.ts'
import { createCircuitBreaker, type CircuitStatus } from './circuit-breaker.ts'
import { createLane, type Lane } from './limits.ts'
import type { Actor, Orchestrator, ProtectionStatus } from './orchestrator.ts'

/** What {@link guardOrchestrator} needs: the environment's name, limits and circuit breaker settings from config. */
export type GuardSettings = Pick<EnvironmentConfig, 'name' | 'limits' | 'circuitBreaker'>

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))

/**
 * Wraps an {@link Orchestrator} so Conductor cannot topple the environment behind it: the same port, plus
 * {@link Orchestrator.protection}.
 *
 * - A circuit breaker: after `circuitBreaker.failureThreshold` consecutive `orchestrator_unavailable` failures, calls
 *   fail at once with `environment_circuit_open` for `circuitBreaker.openSeconds`; then one probe call goes through,
 *   and its success closes the circuit.
 * - Two lanes, writes (`triggerRun`, `clearFailedTasks` but its dry runs, `setPaused`, creating, updating and deleting
 *   connections, variables and pools, answering human-in-the-loop tasks) and reads (the rest), each with its own cap on
 *   calls in flight and calls per second, so reads never hold up writes. A call over the limit waits in line up to
 *   `limits.maxWaitMs`, then fails with `orchestrator_throttled`.
 *
 * Both refusals carry `details.environment` and `details.retryAfterSeconds`; a refused call was never sent.
 * `health()` and `close()` pass straight through; an orchestrator bound to a person by `as` goes through the same
 * lanes and circuit. Time is the wall clock (not the app's pinned clock): limits are
 * about real load.
 */
export function guardOrchestrator(inner: Orchestrator, settings: GuardSettings, clock: Clock = systemClock): Orchestrator {
  const { name: environment, limits } = settings
  const throttled = (lane: 'reads' | 'writes') => (retryAfterMs: number) => new ConductorError('orchestrator_throttled',
    `Too many ${lane} to Airflow environment "${environment}" at once; Conductor held this call back to protect it: retry in ${seconds(retryAfterMs)} s`,
    { details: { environment, lane, retryAfterSeconds: seconds(retryAfterMs) } })
  const lanes: Record<'reads' | 'writes', Lane> = {
    writes: createLane({ maxConcurrent: limits.maxConcurrentWrites, perSecond: limits.writesPerSecond, maxWaitMs: limits.maxWaitMs }, throttled('writes'), clock),
    reads: createLane({ maxConcurrent: limits.maxConcurrentReads, perSecond: limits.readsPerSecond, maxWaitMs: limits.maxWaitMs }, throttled('reads'), clock),
  }
  let lastFailure = ''
  const breaker = createCircuitBreaker(settings.circuitBreaker, (status: CircuitStatus) => {
    const retryAfterSeconds = seconds((status.nextProbeAt ?? clock.now()) - clock.now())
    const when = status.state === 'half-open' ? 'a probe call is under way' : `it lets one probe call through at ${iso(status.nextProbeAt)}`
    return new ConductorError('environment_circuit_open',
      `Airflow environment "${environment}" failed ${status.consecutiveFailures} calls in a row; Conductor is not calling it until it recovers (${when}). Last failure: ${lastFailure}`,
      { details: { environment, circuit: status.state, nextProbeAt: iso(status.nextProbeAt), retryAfterSeconds } })
  }, clock)

  async function guarded<T>(lane: Lane, call: () => Promise<T>): Promise<T> {
    const ticket = breaker.enter()
    let release: () => void
    try {
      release = await lane.acquire()
    } catch (error) {
      ticket.abandoned()
      throw error
    }
    try {
      const result = await call()
      ticket.succeeded()
      return result
    } catch (error) {
      if (isConductorError(error, 'orchestrator_unavailable')) {
        lastFailure = error.message
        ticket.failed()
      }
      // Any other answer (404, 409, refused credentials) came from a live Airflow; a non-Conductor error never left.
      else if (isConductorError(error)) ticket.succeeded()
      else ticket.abandoned()
      throw error
    } finally {
      release()
    }
  }

  const read = <T>(call: () => Promise<T>) => guarded(lanes.reads, call)
  const write = <T>(call: () => Promise<T>) => guarded(lanes.writes, call)

  const wrap = (target: Orchestrator): Orchestrator => ({
    listDags: () => read(() => target.listDags()),
    getDag: (dagId) => read(() => target.getDag(dagId)),
    getDagParams: (dagId) => read(() => target.getDagParams(dagId)),
    listRuns: (dagId, options) => read(() => target.listRuns(dagId, options)),
    listSucceededRuns: (dagId, options) => read(() => target.listSucceededRuns(dagId, options)),
    getRun: (dagId, runId) => read(() => target.getRun(dagId, runId)),
    listTaskInstances: (dagId, runId) => read(() => target.listTaskInstances(dagId, runId)),
    getTaskLog: (dagId, runId, taskId, options) => read(() => target.getTaskLog(dagId, runId, taskId, options)),
    listRunsSince: (options) => read(() => target.listRunsSince(options)),
    listEventLogsSince: (options) => read(() => target.listEventLogsSince(options)),
    triggerRun: (dagId, input) => write(() => target.triggerRun(dagId, input)),
    clearFailedTasks: (dagId, runId, options) => (options?.dryRun ? read : write)(() => target.clearFailedTasks(dagId, runId, options)),
    setPaused: (dagId, paused) => write(() => target.setPaused(dagId, paused)),
    listObjects: (kind) => read(() => target.listObjects(kind)),
    getObject: (kind, name) => read(() => target.getObject(kind, name)),
    createObject: (kind, name, body) => write(() => target.createObject(kind, name, body)),
    updateObject: (kind, name, body, updateMask) => write(() => target.updateObject(kind, name, body, updateMask)),
    deleteObject: (kind, name) => write(() => target.deleteObject(kind, name)),
    listHitl: (options) => read(() => target.listHitl(options)),
    getHitl: (ref) => read(() => target.getHitl(ref)),
    respondHitl: (ref, answer) => write(() => target.respondHitl(ref, answer)),
    listAssetEvents: (assetUri, options) => read(() => target.listAssetEvents(assetUri, options)),
    postAssetEvent: (assetUri, extra) => write(() => target.postAssetEvent(assetUri, extra)),
    environment: target.environment,
    health: () => target.health(),
    close: () => target.close(),
    // Calls made as a person share the environment's lanes and circuit with every other call.
    ...(target.as ? { as: (actor: Actor) => wrap(target.as!(actor)) } : {}),
    protection,
  })

  function protection(): ProtectionStatus {
    const circuit = breaker.status()
    return {
      circuit: { state: circuit.state, consecutiveFailures: circuit.consecutiveFailures, openedAt: iso(circuit.openedAt), nextProbeAt: iso(circuit.nextProbeAt) },
      reads: lanes.reads.status(),
      writes: lanes.writes.status(),
    }
  }

  return wrap(inner)
}

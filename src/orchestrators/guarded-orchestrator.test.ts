import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'
import { ConductorError, isConductorError } from '../core/index.ts'
import { createInMemoryOrchestrator, guardOrchestrator, type GuardSettings, type InMemoryOrchestrator, type Orchestrator } from './index.ts'

const T0 = Date.UTC(2026, 0, 1)
const RUN = { conf: {}, logicalDate: null }

type Lane = 'reads' | 'writes'

const settings = (limits: Partial<GuardSettings['limits']> = {}, circuitBreaker: Partial<GuardSettings['circuitBreaker']> = {}): GuardSettings => ({
  name: 'mem',
  limits: { maxConcurrentWrites: 2, writesPerSecond: 1000, maxConcurrentReads: 2, readsPerSecond: 1000, maxWaitMs: 1000, ...limits },
  circuitBreaker: { failureThreshold: 3, openSeconds: 30, ...circuitBreaker },
})

/**
 * The in-memory orchestrator behind a gate: each call that reaches it is counted as started and, while its lane is
 * held, waits until the test lets it through, as a slow Airflow would hold it.
 */
function slowAirflow() {
  const inner = createInMemoryOrchestrator({ environment: 'mem', dags: [{ dagId: 'etl' }] })
  const waiting: { lane: Lane; go: () => void }[] = []
  const started = { reads: 0, writes: 0 }
  const held = new Set<Lane>(['reads', 'writes'])
  const hold = async <T>(lane: Lane, call: () => Promise<T>): Promise<T> => {
    started[lane] += 1
    if (held.has(lane)) await new Promise<void>((go) => waiting.push({ lane, go }))
    return call()
  }
  const orchestrator: Orchestrator = {
    ...inner,
    listDags: () => hold('reads', () => inner.listDags()),
    getDag: (dagId) => hold('reads', () => inner.getDag(dagId)),
    triggerRun: (dagId, input) => hold('writes', () => inner.triggerRun(dagId, input)),
  }
  return {
    inner, orchestrator, started,
    /** Lets the oldest held call finish. */
    finishOne: () => waiting.shift()!.go(),
    /** Lets every held call of the lanes (default both), and every later one, through. */
    release: (...lanes: Lane[]) => {
      for (const lane of lanes.length ? lanes : held) held.delete(lane)
      for (const entry of waiting.filter((w) => !held.has(w.lane))) { waiting.splice(waiting.indexOf(entry), 1); entry.go() }
    },
  }
}

/** Lets promise callbacks run (setImmediate is not faked). */
const settle = () => new Promise((resolve) => setImmediate(resolve))

/** The error a promise rejected with (fails when it resolved). */
async function refusal(promise: Promise<unknown>): Promise<ConductorError> {
  try {
    await promise
  } catch (error) {
    assert.ok(isConductorError(error), String(error))
    return error
  }
  assert.fail('expected a refusal')
}

describe('guarded orchestrator: limits', () => {
  beforeEach(() => { mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 }) })
  afterEach(() => { mock.timers.reset() })

  test('never has more calls in flight than the cap; the next starts when one ends', async () => {
    const airflow = slowAirflow()
    const guarded = guardOrchestrator(airflow.orchestrator, settings({ maxConcurrentWrites: 2 }))
    const triggers = ['r1', 'r2', 'r3'].map((runId) => guarded.triggerRun('etl', { ...RUN, runId }))
    await settle()
    assert.equal(airflow.started.writes, 2)
    assert.deepEqual(guarded.protection!().writes, { inFlight: 2, queued: 1, throttled: 0 })
    airflow.finishOne()
    await settle()
    assert.equal(airflow.started.writes, 3)
    airflow.release()
    assert.deepEqual((await Promise.all(triggers)).map((r) => r.runId), ['r1', 'r2', 'r3'])
    assert.deepEqual(guarded.protection!().writes, { inFlight: 0, queued: 0, throttled: 0 })
  })

  test('a flood of reads does not delay a write', async () => {
    const airflow = slowAirflow()
    const guarded = guardOrchestrator(airflow.orchestrator, settings({ maxConcurrentReads: 2, maxWaitMs: 60_000 }))
    const reads = Array.from({ length: 50 }, () => guarded.listDags())
    await settle()
    assert.deepEqual(guarded.protection!().reads, { inFlight: 2, queued: 48, throttled: 0 })
    const trigger = guarded.triggerRun('etl', { ...RUN, runId: 'r1' })
    await settle()
    assert.equal(airflow.started.writes, 1, 'the write went out while 48 reads were waiting')
    airflow.release()
    assert.equal((await trigger).runId, 'r1')
    await Promise.all(reads)
  })

  test('a call waits at most maxWaitMs for a slot, then is refused unsent with orchestrator_throttled', async () => {
    const airflow = slowAirflow()
    const guarded = guardOrchestrator(airflow.orchestrator, settings({ maxConcurrentWrites: 1, maxWaitMs: 2000 }))
    const first = guarded.triggerRun('etl', { ...RUN, runId: 'r1' })
    const second = guarded.triggerRun('etl', { ...RUN, runId: 'r2' })
    let refused = false
    second.catch(() => { refused = true })
    mock.timers.tick(1999)
    await settle()
    assert.equal(refused, false, 'still waiting within maxWaitMs')
    mock.timers.tick(1)
    const error = await refusal(second)
    assert.equal(error.code, 'orchestrator_throttled')
    assert.equal(error.details?.environment, 'mem')
    assert.equal(error.details?.lane, 'writes')
    assert.ok(Number.isInteger(error.details?.retryAfterSeconds) && (error.details?.retryAfterSeconds as number) >= 1)
    assert.match(error.message, /environment "mem"/)
    assert.equal(airflow.started.writes, 1, 'the refused trigger never reached Airflow')
    assert.deepEqual(guarded.protection!().writes, { inFlight: 1, queued: 0, throttled: 1 })
    airflow.release()
    await first
  })

  test('the rate spaces calls out, and a call whose turn is beyond maxWaitMs is refused at once with when to retry', async () => {
    const airflow = slowAirflow()
    airflow.release()
    const guarded = guardOrchestrator(airflow.orchestrator, settings({ maxConcurrentWrites: 10, writesPerSecond: 1, maxWaitMs: 1500 }))
    await guarded.triggerRun('etl', { ...RUN, runId: 'r1' })
    const second = guarded.triggerRun('etl', { ...RUN, runId: 'r2' })
    const third = await refusal(guarded.triggerRun('etl', { ...RUN, runId: 'r3' }))
    assert.equal(third.code, 'orchestrator_throttled')
    assert.equal(third.details?.retryAfterSeconds, 2, 'two calls ahead at one per second')
    await settle()
    assert.equal(airflow.started.writes, 1)
    mock.timers.tick(999)
    await settle()
    assert.equal(airflow.started.writes, 1)
    mock.timers.tick(1)
    assert.equal((await second).runId, 'r2')
  })
})

describe('guarded orchestrator: circuit breaker', () => {
  beforeEach(() => { mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 }) })
  afterEach(() => { mock.timers.reset() })

  async function opened(inner: InMemoryOrchestrator, guarded: Orchestrator): Promise<void> {
    inner.setUnavailable(true)
    for (let i = 0; i < 3; i++) assert.equal((await refusal(guarded.listDags())).code, 'orchestrator_unavailable')
  }

  test('opens after N consecutive unavailable failures and then fails fast without calling the orchestrator', async () => {
    const inner = createInMemoryOrchestrator({ environment: 'mem', dags: [{ dagId: 'etl' }] })
    const guarded = guardOrchestrator(inner, settings())
    await opened(inner, guarded)
    const calls = inner.callCount()
    const error = await refusal(guarded.triggerRun('etl', { ...RUN, runId: 'r1' }))
    assert.equal(error.code, 'environment_circuit_open')
    assert.equal(error.details?.environment, 'mem')
    assert.equal(error.details?.retryAfterSeconds, 30)
    assert.equal(error.details?.nextProbeAt, new Date(T0 + 30_000).toISOString())
    assert.match(error.message, /environment "mem"/)
    assert.match(error.message, /2026-01-01T00:00:30\.000Z/)
    assert.equal(inner.callCount(), calls, 'nothing was sent')
    assert.deepEqual(guarded.protection!().circuit, { state: 'open', consecutiveFailures: 3, openedAt: new Date(T0).toISOString(), nextProbeAt: new Date(T0 + 30_000).toISOString() })
  })

  test('answers other than unavailable (404, 409) count as a live Airflow and reset the count', async () => {
    const inner = createInMemoryOrchestrator({ environment: 'mem', dags: [{ dagId: 'etl' }] })
    const guarded = guardOrchestrator(inner, settings())
    inner.setUnavailable(true)
    for (let i = 0; i < 2; i++) await refusal(guarded.listDags())
    inner.setUnavailable(false)
    assert.equal((await refusal(guarded.getDag('nope'))).code, 'dag_not_found')
    inner.setUnavailable(true)
    for (let i = 0; i < 2; i++) await refusal(guarded.listDags())
    assert.equal(guarded.protection!().circuit.state, 'closed')
    assert.equal(guarded.protection!().circuit.consecutiveFailures, 2)
  })

  test('after the cool-down one probe goes through; its success closes the circuit', async () => {
    const inner = createInMemoryOrchestrator({ environment: 'mem', dags: [{ dagId: 'etl' }] })
    const guarded = guardOrchestrator(inner, settings())
    await opened(inner, guarded)
    mock.timers.tick(29_999)
    assert.equal((await refusal(guarded.listDags())).code, 'environment_circuit_open')
    mock.timers.tick(1)
    assert.equal(guarded.protection!().circuit.state, 'half-open')
    inner.setUnavailable(false)
    assert.equal((await guarded.listDags()).length, 1)
    assert.deepEqual(guarded.protection!().circuit, { state: 'closed', consecutiveFailures: 0, openedAt: null, nextProbeAt: null })
    await guarded.triggerRun('etl', { ...RUN, runId: 'r1' })
  })

  test('while the probe is out other calls fail fast; a failed probe opens the circuit for another cool-down', async () => {
    const airflow = slowAirflow()
    airflow.release()
    const guarded = guardOrchestrator(airflow.orchestrator, settings())
    await opened(airflow.inner, guarded)
    mock.timers.tick(30_000)
    const probe = guarded.listDags()
    assert.equal((await refusal(guarded.getDag('etl'))).code, 'environment_circuit_open')
    assert.equal((await refusal(probe)).code, 'orchestrator_unavailable')
    const status = guarded.protection!().circuit
    assert.equal(status.state, 'open')
    assert.equal(status.nextProbeAt, new Date(T0 + 60_000).toISOString())
  })

  test('a throttled probe and the late failure of an earlier call leave the circuit half-open: the next call is the probe', async () => {
    const airflow = slowAirflow()
    airflow.release('writes')
    const guarded = guardOrchestrator(airflow.orchestrator, settings({ maxConcurrentReads: 1, maxWaitMs: 0 }))
    const earlier = guarded.listDags()
    airflow.inner.setUnavailable(true)
    for (let i = 0; i < 3; i++) await refusal(guarded.triggerRun('etl', { ...RUN, runId: `r${i}` }))
    mock.timers.tick(30_000)
    assert.equal((await refusal(guarded.getDag('etl'))).code, 'orchestrator_throttled', 'the probe found the read slot taken')
    airflow.release('reads')
    assert.equal((await refusal(earlier)).code, 'orchestrator_unavailable')
    assert.equal(guarded.protection!().circuit.state, 'half-open', 'a call admitted before the circuit opened does not settle it')
    airflow.inner.setUnavailable(false)
    assert.equal((await guarded.getDag('etl')).dagId, 'etl')
    assert.equal(guarded.protection!().circuit.state, 'closed')
  })
})

describe('guarded orchestrator: shadow reads', () => {
  test('runs and event log since a time go through the reads lane and the circuit like every read', async () => {
    const inner = createInMemoryOrchestrator({ environment: 'mem', dags: [{ dagId: 'etl' }] })
    inner.addAirflowRun('etl', { runId: 'manual__1' })
    inner.addEventLog({ event: 'patch_dag', kind: 'pause', owner: 'admin', dagId: 'etl' })
    const guarded = guardOrchestrator(inner, settings({ maxConcurrentReads: 1 }, { failureThreshold: 2 }))
    assert.deepEqual((await guarded.listRunsSince({ since: '1970-01-01T00:00:00.000Z' })).map((r) => r.runId), ['manual__1'])
    assert.deepEqual((await guarded.listEventLogsSince({ since: '1970-01-01T00:00:00.000Z' })).map((e) => e.owner), ['admin'])
    inner.setUnavailable(true)
    await refusal(guarded.listRunsSince({ since: '1970-01-01T00:00:00.000Z' }))
    await refusal(guarded.listEventLogsSince({ since: '1970-01-01T00:00:00.000Z' }))
    assert.equal((await refusal(guarded.listRunsSince({ since: '1970-01-01T00:00:00.000Z' }))).code, 'environment_circuit_open')
    assert.equal(inner.callCount('listRunsSince'), 2, 'the refused call was never sent')
  })
})

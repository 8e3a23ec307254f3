import { systemClock, type Clock, type ConductorError } from '../core/index.ts'

/** `closed`: calls go through. `open`: calls are refused without being sent. `half-open`: one probe call may go through. */
export type CircuitState = 'closed' | 'open' | 'half-open'

/** When a circuit opens and how long it stays open. */
export interface CircuitBreakerSettings {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number
  /** How long an open circuit refuses calls before it lets one probe through. */
  openSeconds: number
}

/** A circuit as callers should see it. */
export interface CircuitStatus {
  /** What the next call meets: `half-open` once the open time has passed and no probe has settled yet. */
  state: CircuitState
  consecutiveFailures: number
  /** When the circuit last opened (epoch ms); null while closed. */
  openedAt: number | null
  /** When a probe call will be let through (epoch ms); null while closed. */
  nextProbeAt: number | null
}

/** One admitted call: report how it ended, exactly once. */
export interface CircuitTicket {
  /** The call reached the orchestrator and got an answer (even a 4xx). */
  succeeded(): void
  /** The call failed in a way that says the orchestrator is unavailable. */
  failed(): void
  /** The call never reached the orchestrator (e.g. it was throttled); changes nothing but frees the probe. */
  abandoned(): void
}

/** A circuit breaker for one environment. */
export interface CircuitBreaker {
  /** Admits a call, or throws `refuse(status)` at once when the circuit is open (or a probe is already out). */
  enter(): CircuitTicket
  status(): CircuitStatus
}

/**
 * Creates a {@link CircuitBreaker}: after `failureThreshold` consecutive failures the circuit opens for `openSeconds`;
 * then the next call is the probe (others are refused meanwhile); its success closes the circuit, its failure opens
 * it again. While open, outcomes of calls admitted earlier change nothing.
 */
export function createCircuitBreaker(settings: CircuitBreakerSettings, refuse: (status: CircuitStatus) => ConductorError, clock: Clock = systemClock): CircuitBreaker {
  let state: 'closed' | 'open' | 'half-open' = 'closed'
  let failures = 0
  let openedAt: number | null = null
  let nextProbeAt: number | null = null
  let probeOut = false

  function open(): void {
    state = 'open'
    openedAt = clock.now()
    nextProbeAt = openedAt + settings.openSeconds * 1000
  }

  function status(): CircuitStatus {
    const shown = state === 'open' && clock.now() >= nextProbeAt! ? 'half-open' : state
    return { state: shown, consecutiveFailures: failures, openedAt, nextProbeAt }
  }

  function ticket(probe: boolean): CircuitTicket {
    let settled = false
    const settle = (outcome: 'succeeded' | 'failed' | 'abandoned') => {
      if (settled) return
      settled = true
      if (probe) probeOut = false
      if (outcome === 'abandoned') return
      if (probe || state === 'closed') {
        if (outcome === 'succeeded') {
          failures = 0
          if (probe) { state = 'closed'; openedAt = null; nextProbeAt = null }
          return
        }
        failures += 1
        if (probe || failures >= settings.failureThreshold) open()
      }
    }
    return { succeeded: () => settle('succeeded'), failed: () => settle('failed'), abandoned: () => settle('abandoned') }
  }

  return {
    enter() {
      if (state === 'closed') return ticket(false)
      if (state === 'open' && clock.now() >= nextProbeAt!) state = 'half-open'
      if (state === 'half-open' && !probeOut) {
        probeOut = true
        return ticket(true)
      }
      throw refuse(status())
    },
    status,
  }
}
